"""Showing who a participant (or a referred person) is, as the access policy allows.

Every page, message and document that names a person goes through these functions (in
templates through the `identity` tag library), so that a protected identity (skyddad
identitet) is masked for everyone but the responsible staff member and the samordnare. Without
a known reader (`user=None`: e-mails, PDFs sent to others) a protected person is always masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from sikta.access.policy import (
    identity_scope,
    may_see_identity,
    may_see_referral_identity,
    referral_is_protected,
)
from sikta.core.personnummer import Personnummer, PersonnummerError

if TYPE_CHECKING:
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral


def search(participants: QuerySet[Participant], text: str, user: Any) -> QuerySet[Participant]:
    """`participants` found by personnummer or by every word of `text` in their name, among
    the people whose identity `user` may see: finding a masked person by their name would tell
    who they are."""
    participants = participants.filter(identity_scope(user))
    try:
        return participants.filter(personnummer=Personnummer.parse(text).digits)
    except PersonnummerError:
        pass
    query = Q()
    for word in text.split():
        query &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return participants.filter(query)


def hidden() -> str:
    """What stands in a field (personnummer, e-mail, phone) the reader may not see."""
    return _("Hidden (protected identity)")


def display_name(
    user: Any, participant: Participant, *, sort: bool = False, first: bool = False
) -> str:
    """'First Last' ('Last, First' with `sort`, 'First' with `first`), or the masked form."""
    if not may_see_identity(user, participant):
        return participant.masked_name
    if first:
        return participant.first_name
    if sort:
        return f"{participant.last_name}, {participant.first_name}"
    return participant.legal_name


def display_personnummer(user: Any, participant: Participant) -> str:
    return str(participant.personnummer) if may_see_identity(user, participant) else hidden()


def referral_masked_name(referral: Referral) -> str:
    return _("Protected identity, referral %(reference)s") % {"reference": referral.reference}


def referral_display_name(user: Any, referral: Referral, *, sort: bool = False) -> str:
    if not may_see_referral_identity(user, referral):
        return referral_masked_name(referral)
    if sort:
        return f"{referral.last_name}, {referral.first_name}"
    return referral.full_name


def referral_display_personnummer(user: Any, referral: Referral) -> str:
    return str(referral.personnummer) if may_see_referral_identity(user, referral) else hidden()


def is_protected(person: Any) -> bool:
    """Whether a participant or a referral is about a person with protected identity."""
    from sikta.referrals.models import Referral

    if isinstance(person, Referral):
        return referral_is_protected(person)
    return bool(getattr(person, "protected_identity", False))


def masked_last(participants: QuerySet[Participant], user: Any) -> QuerySet[Participant]:
    """`participants` in their order, but those the user sees masked last: sorted by name among
    the others, a masked row would tell where in the alphabet the hidden name falls."""
    ordering = participants.query.order_by or participants.model._meta.ordering
    return participants.annotate(
        identity_masked=Case(
            When(identity_scope(user), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("identity_masked", *ordering)
