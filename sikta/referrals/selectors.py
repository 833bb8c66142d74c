"""Reads for the referral pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sikta.participants.models import Participant
from sikta.referrals.models import Referral


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def flags_for(referrals: Sequence[Referral]) -> dict[int, list[str]]:
    """Warnings per referral: the person is already active, or was referred recently.

    Two queries for the whole page, however many referrals it shows.
    """
    if not referrals:
        return {}
    numbers = {r.personnummer.digits for r in referrals}
    flags: dict[int, list[str]] = defaultdict(list)
    active = {
        p.personnummer.digits: p
        for p in Participant.objects.filter(
            personnummer__in=numbers, status=Participant.Status.ACTIVE
        ).select_related("track")
    }
    months = referrals[0].track.insats.recent_referral_months
    earliest = min(_months_before(timezone.localdate(r.received_at), months) for r in referrals)
    earlier: dict[str, list[Referral]] = defaultdict(list)
    for other in Referral.objects.filter(
        personnummer__in=numbers, received_at__date__gte=earliest
    ).only("pk", "reference", "received_at", "personnummer", "redirected_to"):
        earlier[other.personnummer.digits].append(other)
    for referral in referrals:
        digits = referral.personnummer.digits
        participant = active.get(digits)
        if participant is not None and participant.pk != referral.participant_id:
            flags[referral.pk].append(
                _("Already an active participant in %(track)s.")
                % {"track": participant.track.short_name}
            )
        since = _months_before(timezone.localdate(referral.received_at), months)
        for other in earlier[digits]:
            came_before = since <= timezone.localdate(other.received_at) and (
                other.received_at < referral.received_at
            )
            # A redirection makes a second referral of the same person on purpose.
            redirected_here = other.redirected_to_id == referral.pk
            if other.pk != referral.pk and came_before and not redirected_here:
                flags[referral.pk].append(
                    _("Referred before on %(date)s (%(reference)s).")
                    % {
                        "date": date_format(timezone.localdate(other.received_at)),
                        "reference": other.reference,
                    }
                )
    return dict(flags)
