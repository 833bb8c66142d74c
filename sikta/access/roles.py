"""The roles the access policy knows. Their names and descriptions are organisation data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    INSATSAGARE = "insatsagare", _("Programme owner")
    INSATSLEDARE = "insatsledare", _("Programme lead")
    SAMORDNARE = "samordnare", _("Coordinator (samordnare)")
    COACH = "coach", _("Coach")
    KOORDINATOR = "koordinator", _("Care coordinator (koordinator)")
    STYRGRUPP = "styrgrupp", _("Steering group member")
    UTVARDERARE = "utvarderare", _("Evaluator")


# Roles whose people work with identified participants at all.
PERSON_ROLES = frozenset(
    {
        RoleCode.INSATSAGARE,
        RoleCode.INSATSLEDARE,
        RoleCode.SAMORDNARE,
        RoleCode.COACH,
        RoleCode.KOORDINATOR,
    }
)
# Roles that carry a caseload of their own.
CASEWORKER_ROLES = frozenset({RoleCode.COACH, RoleCode.KOORDINATOR})
# Roles that belong to one länsdel.
LANSDEL_ROLES = frozenset({RoleCode.SAMORDNARE, RoleCode.COACH, RoleCode.KOORDINATOR})
# Roles the förbund itself may hold across all its insatser (a staff record with no insats):
# aggregates only, whatever the role grants within one insats.
ASSOCIATION_ROLES = frozenset(
    {RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE, RoleCode.STYRGRUPP, RoleCode.UTVARDERARE}
)
