"""`on_days`: the rows of whole local days, as bounds on the time (so that an index serves
them), the same rows as `__date__range`, and no error at the calendar's ends."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from sikta.audit.models import AuditAction, AuditEvent
from sikta.audit.services import audit_record
from sikta.core.dates import on_days

pytestmark = pytest.mark.django_db

TIMES = [
    dt.datetime(2026, 3, 28, 22, 59, tzinfo=dt.UTC),  # 23:59 on 28 March, Stockholm
    dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC),  # 00:00 on 29 March
    dt.datetime(2026, 3, 29, 21, 59, tzinfo=dt.UTC),  # 23:59 on 29 March (summer time now)
    dt.datetime(2026, 3, 29, 22, 0, tzinfo=dt.UTC),  # 00:00 on 30 March
]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2026, 3, 29), dt.date(2026, 3, 29)),
        (dt.date(2026, 3, 28), None),
        (None, dt.date(2026, 3, 28)),
        (dt.date.min, dt.date.max),
        (dt.date(1, 1, 2), dt.date(9999, 12, 30)),
        (None, None),
    ],
)
def test_the_same_rows_as_their_local_dates(first: dt.date | None, last: dt.date | None) -> None:
    for at in TIMES:
        with time_machine.travel(at):
            audit_record(action=AuditAction.LOGIN)
    by_bounds = set(AuditEvent.objects.filter(on_days("at", first, last)))
    by_dates = AuditEvent.objects.all()
    if first is not None:
        by_dates = by_dates.filter(at__date__gte=first)
    if last is not None:
        by_dates = by_dates.filter(at__date__lte=last)
    assert by_bounds == set(by_dates)
