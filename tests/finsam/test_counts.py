"""Uppföljning Finsam as it is today: per insats and year (or period), the number of
participants by kön — counted over enrolments, a person enrolled twice once."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from sikta.audit.models import AuditEvent
from sikta.finsam.selectors import counts_by_kon
from sikta.organisation.models import Insats, Kommun, Track
from sikta.participants.models import Enrolment
from tests.access import test_insats_scope
from tests.access.test_insats_scope import World
from tests.conftest import Personas
from tests.factories import (
    ParticipantFactory,
    StaffMemberFactory,
    UserFactory,
    fictional_personnummer,
)

pytestmark = pytest.mark.django_db
b = test_insats_scope.b  # the fixture: the second insats
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def _woman(n: int) -> str:
    return fictional_personnummer(n, year=1990, female=True)


def test_the_counts_follow_each_enrolment(personas: Personas) -> None:
    sikta = Insats.objects.get(slug="sikta-mot-arbetslivet")
    # The personas' participants (begun 2025, still in) are there already.
    (before,) = counts_by_kon([sikta], YEAR)
    (before_2025,) = counts_by_kon([sikta], (dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    # Began 2025, still in: counted, not new.
    ParticipantFactory(personnummer=_woman(1), start_date=dt.date(2025, 5, 1))
    # Began and ended in 2026 (a man): new and ended.
    ParticipantFactory(
        start_date=dt.date(2026, 2, 1), end_date=dt.date(2026, 8, 1), status="closed"
    )
    # Ended in 2025: not counted in 2026.
    ParticipantFactory(
        start_date=dt.date(2024, 2, 1), end_date=dt.date(2025, 8, 1), status="closed"
    )
    # Enrolled twice in 2026: counted once, as new and ended (the first) and ongoing.
    twice = ParticipantFactory(personnummer=_woman(2), start_date=dt.date(2026, 9, 1))
    Enrolment.objects.create(
        participant=twice,
        track=twice.track,
        start_date=dt.date(2026, 1, 10),
        end_date=dt.date(2026, 3, 1),
    )
    (row,) = counts_by_kon([sikta], YEAR)

    def added(now: tuple, then: tuple) -> tuple:
        return tuple(a - b for a, b in zip(now, then, strict=True))

    assert added(row.participants, before.participants) == (2, 1, 3)
    assert added(row.new, before.new) == (1, 1, 2)
    assert added(row.ended, before.ended) == (1, 1, 2)
    (earlier,) = counts_by_kon([sikta], (dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    assert added(earlier.participants, before_2025.participants) == (1, 1, 2)


def test_the_page_gives_each_insats_its_counts_and_says_which_is_which(
    personas: Personas, b: World
) -> None:
    flen = Kommun.objects.get(insats=b.insats, name="Flen")
    track = Track.objects.get(insats=b.insats)
    for n in range(3):
        ParticipantFactory(
            personnummer=_woman(10 + n), kommun=flen, track=track, start_date=dt.date(2026, 4, 1)
        )
    client = personas.client("insatsledare")
    page = client.get("/rapporter/finsam/antal/", {"year": "2026"})
    assert page.status_code == 200
    (row,) = page.context["table"]
    assert row.insats.slug == "sikta-mot-arbetslivet"  # the insats they work in, only
    text = page.content.decode()
    assert "antalet deltagare fördelat på kön" in text
    assert "checklistan per deltagare" in text  # the older, per-person way, still there
    # The förbund's lead gets every insats, side by side.
    user = UserFactory(username="forbundsledare")
    StaffMemberFactory(user=user, role_code="insatsledare", insats=None)
    forbund = Client()
    forbund.force_login(user)
    page = forbund.get("/rapporter/finsam/antal/", {"year": "2026"})
    rows = {r.insats.slug: r for r in page.context["table"]}
    assert set(rows) == {"sikta-mot-arbetslivet", "steg-for-steg"}
    assert rows["steg-for-steg"].participants == (3, 1, 4)  # three women, and Alva (a man)
    export = forbund.get(
        "/rapporter/finsam/antal/",
        {"date_from": "2026-01-01", "date_to": "2026-06-30", "format": "csv"},
    )
    lines = list(
        csv.reader(
            io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert ["Steg för steg", "Deltagare under perioden", "3", "1", "4"] in lines
    assert AuditEvent.objects.filter(action="report.export", detail__format="csv").exists()


def test_a_half_given_period_is_an_error_next_to_the_field(personas: Personas) -> None:
    page = personas.client("insatsledare").get(
        "/rapporter/finsam/antal/", {"date_from": "2026-01-01"}
    )
    assert page.status_code == 400
    assert "date_to" in page.context["form"].errors
    assert 'value="2026-01-01"' in page.content.decode()  # what was typed stays
