"""The reminder digest: for each coach, koordinator and samordnare, what needs attention.

The e-mail counts and links; it names nobody, because e-mail is not a safe channel for who
takes part in the programme. The start page shows the details behind the login.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from sikta.access.roles import CASEWORKER_ROLES, RoleCode
from sikta.casework.selectors import Alert, closed_without_final_document
from sikta.organisation.models import Insats, StaffMember
from sikta.participants.models import Participant
from sikta.worklists import due


@dataclass(frozen=True)
class Digest:
    staff: StaffMember
    alerts: Counter[str]
    without_final_document: int
    without_exit_survey: int = 0

    @property
    def empty(self) -> bool:
        return not self.alerts and not self.without_final_document and not self.without_exit_survey


def digest_for(staff: StaffMember, insats: Insats, *, today: dt.date | None = None) -> Digest:
    if staff.role.code in CASEWORKER_ROLES:
        scope = Participant.objects.filter(assigned_to=staff)
    elif staff.lansdel_id:
        scope = Participant.objects.filter(insats=insats, kommun__lansdel=staff.lansdel_id)
    else:
        scope = Participant.objects.filter(insats=insats)  # an insats without länsdelar
    # What is due is the worklist's definition (sikta.worklists.due), counted here per kind:
    # the e-mail and the "Att göra" page never disagree.
    today = today or timezone.localdate()
    limit: QuerySet[Any] = due.limit_due(scope, insats, today)  # annotated with w_due

    def people(rows: QuerySet[Any]) -> int:
        return rows.order_by().values("participant").distinct().count()

    alerts: Counter[str] = Counter(
        {
            Alert.PAST_LIMIT: limit.filter(w_due__lte=today).count(),
            Alert.NEAR_LIMIT: limit.filter(w_due__gt=today).count(),
            Alert.NO_CONTACT: due.no_contact_due(scope, insats, today).count(),
            Alert.PLACEMENT_QUIET: people(due.placements_due(scope, insats, today)),
            Alert.GOAL_OVERDUE: people(due.goals_due(scope, insats, today)),
        }
    )
    return Digest(
        staff,
        +alerts,  # only the kinds there are
        closed_without_final_document(scope).count(),
        due.exit_surveys_due(scope, insats, today).count(),
    )


def send_digests(*, today: dt.date | None = None) -> int:
    """One e-mail to each active caseworker and samordnare with something to attend to, per
    insats they work in."""
    staff = StaffMember.objects.filter(
        is_active=True,
        insats__isnull=False,
        role__code__in=[*CASEWORKER_ROLES, RoleCode.SAMORDNARE],
    ).select_related("role", "user", "insats")
    link = settings.SIKTA_BASE_URL + reverse("start")
    sent = 0
    for member in staff:
        address = member.email or (member.user.email if member.user else "")
        if not address:
            continue
        assert member.insats is not None  # filtered above
        digest = digest_for(member, member.insats, today=today)
        if digest.empty:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {"digest": digest, "link": link}
            subject = render_to_string("worklists/email/digest_subject.txt", context).strip()
            body = render_to_string("worklists/email/digest.txt", context)
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return sent
