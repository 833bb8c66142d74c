"""Reads for the referral pages."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sikta.access.policy import Action, may, referral_identity_scope
from sikta.participants.models import Participant
from sikta.referrals.models import Referral


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def flags_for(referrals: Sequence[Referral], *, user: Any) -> dict[int, list[str]]:
    """Warnings per referral: the person is already active, or was referred recently.

    What lies outside the user's own scope (another länsdel's case) is only named as such,
    never shown. Two queries for the whole page, however many referrals it shows.
    """
    if not referrals:
        return {}
    numbers = {r.personnummer.digits for r in referrals}
    flags: dict[int, list[str]] = defaultdict(list)
    # The person's participations, in this insats and in others: in another insats only that
    # there is one, and where, never what is in it.
    known: dict[str, list[Participant]] = defaultdict(list)
    for p in Participant.objects.filter(personnummer__in=numbers).select_related(
        "track", "kommun", "insats"
    ):
        known[p.personnummer.digits].append(p)
    months = referrals[0].track.insats.recent_referral_months
    earliest = min(_months_before(timezone.localdate(r.received_at), months) for r in referrals)
    earlier: dict[str, list[Referral]] = defaultdict(list)
    for other in Referral.objects.filter(
        personnummer__in=numbers,
        received_at__gte=timezone.make_aware(dt.datetime.combine(earliest, dt.time())),
    ).select_related("kommun__insats"):
        earlier[other.personnummer.digits].append(other)
    for referral in referrals:
        digits = referral.personnummer.digits
        for participant in known[digits]:
            if participant.pk == referral.participant_id:
                continue
            enrolled = participant.status in Participant.ENROLLED
            if participant.insats_id != referral.track.insats_id:
                text = (
                    _("Also takes part in %(insats)s.")
                    if enrolled
                    else _("Has taken part in %(insats)s before.")
                ) % {"insats": participant.insats.name}
            elif not enrolled:
                continue  # an earlier enrolment here: "referred before" says it
            elif may(user, Action.VIEW_PARTICIPANT, participant):
                text = _("Already an active participant in %(track)s.") % {
                    "track": participant.track.short_label
                }
            else:
                text = _(
                    "Already an active participant in another county area: contact the "
                    "programme lead."
                )
            flags[referral.pk].append(text)
        since = _months_before(timezone.localdate(referral.received_at), months)
        for other in earlier[digits]:
            came_before = since <= timezone.localdate(other.received_at) and (
                other.received_at < referral.received_at
            )
            # A redirection makes a second referral of the same person on purpose.
            redirected_here = other.redirected_to_id == referral.pk
            if other.pk == referral.pk or not came_before or redirected_here:
                continue
            if other.kommun.insats_id != referral.kommun.insats_id:
                text = _("Referred to %(insats)s before.") % {"insats": other.kommun.insats.name}
            elif may(user, Action.HANDLE_REFERRALS, other):
                text = _("Referred before on %(date)s (%(reference)s).") % {
                    "date": date_format(timezone.localdate(other.received_at)),
                    "reference": other.reference,
                }
            else:
                text = _("Referred before in another county area.")
            flags[referral.pk].append(text)
    return dict(flags)


def masked_last(referrals: QuerySet[Referral], user: Any) -> QuerySet[Referral]:
    """`referrals` in their order, but those of a protected person the user sees masked last:
    sorted by name among the others, a masked row would tell where the hidden name falls.
    The same rule as `may_see_referral_identity`, for the referrals of a queue."""
    protected = Exists(
        Participant.objects.filter(
            Q(personnummer=OuterRef("personnummer")) | Q(pk=OuterRef("participant_id")),
            protected_identity=True,
        )
    )
    shown = referral_identity_scope(user)
    ordering = referrals.query.order_by or Referral._meta.ordering
    return referrals.annotate(
        identity_masked=Case(
            When(Q(protected) & ~shown, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("identity_masked", *ordering)
