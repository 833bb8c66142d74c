"""The whole förbund's reports: every insats side by side, with the same suppression.

A role of the förbund (a staff record with no insats) gets the dashboard broken down by insats
and writes the förbund's lägesrapport, whose area table has a column per insats. Each row of
the side-by-side dashboard is what that insats's own leads count; the staff of an insats read
the förbund's published report (it identifies nobody) but never write it, and its leads never
write another insats's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from sikta.access.policy import may_write_status_report
from sikta.organisation.models import Insats, Kommun, StaffMember, Track
from sikta.reports.lagesrapport import status_report_data
from sikta.reports.models import StatusReport
from tests.access import test_insats_scope
from tests.access.test_insats_scope import World
from tests.conftest import Personas
from tests.factories import ParticipantFactory, StaffMemberFactory, UserFactory

pytestmark = pytest.mark.django_db
b = test_insats_scope.b  # the fixture: the second insats, with its staff and Alva
PERIOD = ("2026-01-01", "2026-11-30")


def _forbund_lead(*, also_in: Insats | None = None) -> Client:
    user = UserFactory(username="forbundsledare")
    StaffMemberFactory(user=user, role_code="insatsledare", insats=None)
    if also_in is not None:
        StaffMemberFactory(user=user, role_code="insatsledare", insats=also_in)
    client = Client()
    client.force_login(user)
    return client


def _enrol(insats: Insats, n: int) -> None:
    track = Track.objects.filter(insats=insats).first()
    kommun = Kommun.objects.filter(insats=insats).first()
    for _ in range(n):
        ParticipantFactory(track=track, kommun=kommun, start_date=dt.date(2026, 3, 1))


def _rows(page, key: str) -> dict[str, list]:
    """A dashboard figure's rows: group -> cells."""
    (shown,) = [s for s in page.context["figures"] if s.figure.key == key]
    return {group: list(cells) for group, cells, _total in shown.rows}


def test_the_forbund_dashboard_sets_the_insatser_side_by_side(personas: Personas, b: World) -> None:
    a = Insats.objects.get(slug="sikta-mot-arbetslivet")
    _enrol(a, 7)
    _enrol(b.insats, 6)
    client = _forbund_lead()
    page = client.get("/rapporter/", {"date_from": PERIOD[0], "date_to": PERIOD[1]})
    assert page.status_code == 200
    assert page.context["form"]["by"].value() == "insats"  # the förbund's default
    assert page.context["suppressed"]
    side_by_side = _rows(page, "participants")
    # Each insats's row is what its own lead counts for it alone.
    for insats, lead in ((a, personas.client("insatsledare")), (b.insats, _lead_of(b))):
        own = lead.get("/rapporter/", {"date_from": PERIOD[0], "date_to": PERIOD[1], "by": "all"})
        (alone,) = _rows(own, "participants").values()
        assert side_by_side[insats.name][0] == alone[0], insats.name
    assert side_by_side[b.insats.name][0] == 6  # enrolled this year (Alva began in 2025)
    body = page.content.decode()
    assert "Bstedt" not in body  # no person, ever
    # An insats's own staff have no "by programme": their reports hold one insats.
    own = personas.client("styrgrupp").get("/rapporter/", {"by": "insats"})
    assert "insats" not in dict(own.context["form"].fields["by"].choices)


def _lead_of(world: World) -> Client:
    client = Client()
    client.force_login(world.insatsledare.user)
    return client


def test_a_small_insats_is_hidden_side_by_side_as_everywhere(personas: Personas, b: World) -> None:
    _enrol(Insats.objects.get(slug="sikta-mot-arbetslivet"), 9)
    _enrol(b.insats, 2)  # (Alva began in 2025)
    page = _forbund_lead().get("/rapporter/", {"date_from": PERIOD[0], "date_to": PERIOD[1]})
    (shown,) = [s for s in page.context["figures"] if s.figure.key == "participants"]
    rows = {group: cells for group, cells, _total in shown.rows}
    assert str(rows[b.insats.name][0]) == "<5"
    # 9 beside a printed total of 11 would give B's 2 away: one of them is hidden too.
    a_enrolled, total = rows["Sikta mot arbetslivet"][0], shown.totals[0]
    assert not (isinstance(a_enrolled, int) and isinstance(total, int)), (a_enrolled, total)


def test_side_by_side_the_strictest_insatss_smallest_group_holds(
    personas: Personas, b: World
) -> None:
    """An insats may hide more than the default (its own `report_min_group`); the förbund's
    figures hide what the strictest of its insatser hides, its own figures what it hides."""
    a = Insats.objects.get(slug="sikta-mot-arbetslivet")
    Insats.objects.filter(pk=b.insats.pk).update(report_min_group=8)
    _enrol(a, 7)
    _enrol(b.insats, 9)
    dates = {"date_from": PERIOD[0], "date_to": PERIOD[1]}
    page = _forbund_lead().get("/rapporter/", dates)
    assert page.context["minimum"] == 8
    assert str(_rows(page, "participants")[a.name][0]) == "<8"
    own = personas.client("styrgrupp").get("/rapporter/", {**dates, "by": "all"})
    assert own.context["minimum"] == a.report_min_group == 5
    (alone,) = _rows(own, "participants").values()
    assert alone[0] == 7


def test_the_forbund_writes_its_lagesrapport_with_a_column_per_insats(
    personas: Personas, b: World
) -> None:
    _enrol(Insats.objects.get(slug="sikta-mot-arbetslivet"), 6)
    _enrol(b.insats, 5)
    client = _forbund_lead()
    listing = client.get("/rapporter/lagesrapport/")
    assert listing.status_code == 200 and listing.context["form"] is not None
    response = client.post(
        "/rapporter/lagesrapport/ny/",
        {"date_from": "2026-01-01", "date_to": "2026-06-30", "lansdel": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = StatusReport.objects.get()
    assert report.insats is None and report.lansdel is None
    detail = client.get(f"/rapporter/lagesrapport/{report.pk}/")
    data = detail.context["data"]
    assert data.areas.groups == ["Sikta mot arbetslivet", "Steg för steg"]
    enrolled = next(line for line in data.areas.lines if line.label == "Inskrivna under perioden")
    assert enrolled.cells == ["6", "5", "11"]
    client.post(f"/rapporter/lagesrapport/{report.pk}/", {"publish": "1"})
    pdf = client.get(f"/rapporter/lagesrapport/{report.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "forbundet" in pdf["Content-Disposition"]
    # The staff of an insats read the förbund's published report, and write none of it.
    styrgrupp = personas.client("styrgrupp")
    assert styrgrupp.get(f"/rapporter/lagesrapport/{report.pk}/pdf/").status_code == 200
    ledare = personas.client("insatsledare")
    assert ledare.get(f"/rapporter/lagesrapport/{report.pk}/").status_code == 404
    assert not may_write_status_report(personas.insatsledare.user, None, None)


def test_a_forbund_draft_is_seen_by_its_writers_only(personas: Personas, b: World) -> None:
    client = _forbund_lead()
    draft = StatusReport.objects.create(
        insats=None, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30)
    )
    assert client.get(f"/rapporter/lagesrapport/{draft.pk}/pdf/").status_code == 200
    other = personas.client("insatsagare")
    assert other.get(f"/rapporter/lagesrapport/{draft.pk}/pdf/").status_code == 404
    # The förbund's lead writes no insats's report, nor its länsdelar's.
    forbund = StaffMember.objects.get(user__username="forbundsledare")
    assert not may_write_status_report(forbund.user, b.insats, None)
    insats_a = Insats.objects.get(slug="sikta-mot-arbetslivet")
    assert not may_write_status_report(forbund.user, insats_a, insats_a.lansdelar.first())


def test_the_forbund_report_counts_every_insats_and_hides_small_ones(b: World) -> None:
    _enrol(b.insats, 3)  # with Alva: 1 before, 3 in the period
    _enrol(Insats.objects.get(slug="sikta-mot-arbetslivet"), 8)
    with translation.override("sv"):
        data = status_report_data(None, (dt.date(2026, 1, 1), dt.date(2026, 6, 30)), minimum=5)
    enrolled = next(line for line in data.areas.lines if line.label == "Inskrivna under perioden")
    # B's 3 is hidden; so is A's 8, since the total 11 is printed (11 - 8 = 3).
    assert enrolled.cells == ["–", "<5", "11"]
    assert data.area == "Hela förbundet (alla insatser)"


def test_the_forbund_start_page_leads_into_each_insats(b: World) -> None:
    client = _forbund_lead(also_in=b.insats)
    forbund = StaffMember.objects.get(user__username="forbundsledare", insats=None)
    client.post("/konto/insats/", {"record": forbund.pk})
    start = client.get("/").content.decode()
    assert "Sikta mot arbetslivet" in start and "Steg för steg" in start
    record = StaffMember.objects.get(user__username="forbundsledare", insats=b.insats)
    assert f'name="record" value="{record.pk}"' in start
    response = client.post("/konto/insats/", {"record": record.pk})
    assert response.status_code == 302
    page = client.get("/rapporter/")
    assert page.context["insats"] == b.insats and not page.context["suppressed"]
