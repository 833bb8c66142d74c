"""The activity plan page: planned vs held per half-year, counted by hand on a fixed data set."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from sikta.activities.plan import HalfYear, Standing, standing
from tests.activities.conftest import MakeActivity
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

TODAY = "2026-05-15 12:00 +02:00"  # in the first half of 2026, which is not over


@pytest.fixture
def data_set(make_activity: MakeActivity) -> None:
    central, local = "styrgrupp_central", "styrgrupp_lokal"
    # Central: one held in January; one planned on the last day of the half-year; one on the
    # first day of the next; one planned for 31 December but held on 2 January (counts in 2026).
    make_activity(central, "2026-01-15", held="2026-01-15")
    make_activity(central, "2026-06-30")
    make_activity(central, "2026-07-01")
    make_activity(central, "2025-12-31", held="2026-01-02")
    # Södra: three held (one on 1 January), one cancelled.
    make_activity(local, "2026-01-01", "sodra", held="2026-01-01")
    make_activity(local, "2026-03-10", "sodra", held="2026-03-10")
    make_activity(local, "2026-05-05", "sodra", held="2026-05-05")
    make_activity(local, "2026-06-01", "sodra", cancelled=True)
    # Norra: one held, one planned: too few.
    make_activity(local, "2026-02-02", "norra", held="2026-02-02")
    make_activity(local, "2026-06-20", "norra")
    # Västra: five held, more than the plan's four.
    for month in range(1, 6):
        make_activity(local, f"2026-0{month}-10", "vastra", held=f"2026-0{month}-10")
    # Staff meetings: two held in the half-year (one for Södra only), one on 31 December before.
    make_activity("personaltraff", "2026-02-01", "sodra", held="2026-02-01")
    make_activity("personaltraff", "2026-04-01", held="2026-04-01")
    make_activity("personaltraff", "2025-12-31", held="2025-12-31")


def rows(response) -> dict[tuple[str, str | None], tuple[int, int, int, str | None]]:
    return {
        (r.kind, r.lansdel.slug if r.lansdel else None): (
            r.planned,
            r.held,
            r.cancelled,
            r.standing,
        )
        for r in response.context["rows"]
    }


def test_it_counts_planned_and_held_in_the_half_year(
    personas: Personas, data_set: None, time_machine
) -> None:
    time_machine.move_to(TODAY)
    response = personas.client("styrgrupp").get("/aktivitetsplan/", {"halvar": "2026-1"})
    assert response.status_code == 200
    assert rows(response) == {
        ("styrgrupp_central", None): (3, 2, 0, Standing.MET),
        ("styrgrupp_lokal", "sodra"): (3, 3, 1, Standing.MET),
        ("styrgrupp_lokal", "norra"): (2, 1, 0, Standing.TOO_FEW_PLANNED),
        ("styrgrupp_lokal", "vastra"): (5, 5, 0, Standing.AHEAD),
        ("utbildning", None): (0, 0, 0, Standing.TOO_FEW_PLANNED),
        ("personaltraff", None): (2, 2, 0, Standing.TOO_FEW_PLANNED),
        ("konferens", None): (0, 0, 0, Standing.MET),
    }
    listed = [(a.on.isoformat(), a.kind) for a in response.context["activities"]]
    assert listed[:2] == [("2026-01-01", "styrgrupp_lokal"), ("2026-01-02", "styrgrupp_central")]
    assert listed[-1] == ("2026-06-30", "styrgrupp_central")
    assert len(listed) == 16


def test_a_half_year_that_is_over_is_met_or_not(
    personas: Personas, data_set: None, time_machine
) -> None:
    time_machine.move_to(TODAY)
    response = personas.client("insatsledare").get("/aktivitetsplan/", {"halvar": "2025-2"})
    counted = rows(response)
    assert counted[("personaltraff", None)] == (1, 1, 0, Standing.NOT_MET)
    assert counted[("styrgrupp_central", None)] == (0, 0, 0, Standing.NOT_MET)
    later = rows(personas.client("insatsledare").get("/aktivitetsplan/?halvar=2026-2"))
    assert later[("styrgrupp_central", None)] == (1, 0, 0, Standing.TOO_FEW_PLANNED)


def test_the_list_can_be_narrowed_to_a_lansdel(
    personas: Personas, data_set: None, time_machine
) -> None:
    time_machine.move_to(TODAY)
    response = personas.client("coach_sodra").get(
        "/aktivitetsplan/", {"halvar": "2026-1", "lansdel": "norra"}
    )
    assert [a.lansdel.slug for a in response.context["activities"]] == ["norra", "norra"]
    # The summary stays the whole programme's.
    assert len(response.context["rows"]) == 7


@pytest.mark.parametrize("asked", ["", "2026-3", "26-1", "x", "2026-1; drop"])
def test_it_shows_the_current_half_year_unless_told(
    personas: Personas, time_machine, asked: str
) -> None:
    time_machine.move_to("2026-07-01 00:30 +02:00")
    response = personas.client("styrgrupp").get("/aktivitetsplan/", {"halvar": asked})
    assert response.context["half"] == HalfYear(2026, 2)
    assert "Second half-year 2026" in response.content.decode()


def test_the_page_renders_in_both_languages(personas: Personas) -> None:
    """The Swedish strings come with the catalogue; both languages render."""
    client = personas.client("styrgrupp")
    for language in ("sv", "en"):
        client.cookies["django_language"] = language
        assert client.get("/aktivitetsplan/?halvar=2026-1").status_code == 200


def test_the_page_costs_the_same_for_many_meetings(
    personas: Personas, make_activity: MakeActivity, django_assert_max_num_queries
) -> None:
    client = personas.client("styrgrupp")
    client.get("/aktivitetsplan/?halvar=2026-1")  # the session and staff look-ups warmed
    for day in range(1, 29):
        make_activity("styrgrupp_lokal", f"2026-02-{day:02d}", "norra", held=f"2026-02-{day:02d}")
    # Session, user and staff; insats, länsdelar, counts, targets, the list; the session saved.
    with django_assert_max_num_queries(12):  # +1: the two-factor device
        response = client.get("/aktivitetsplan/?halvar=2026-1")
    assert len(response.context["activities"]) == 28


def test_anonymous_and_no_role_are_kept_out(personas: Personas) -> None:
    assert personas.client("anonymous").get("/aktivitetsplan/").status_code == 302
    assert personas.client("no_role").get("/aktivitetsplan/").status_code == 403


@pytest.mark.parametrize(
    ("day", "slug", "start", "end"),
    [
        ("2026-06-30", "2026-1", "2026-01-01", "2026-06-30"),
        ("2026-07-01", "2026-2", "2026-07-01", "2026-12-31"),
        ("2026-12-31", "2026-2", "2026-07-01", "2026-12-31"),
        ("2027-01-01", "2027-1", "2027-01-01", "2027-06-30"),
    ],
)
def test_half_year_boundaries(day: str, slug: str, start: str, end: str) -> None:
    half = HalfYear.containing(dt.date.fromisoformat(day))
    assert (half.slug, half.start.isoformat(), half.end.isoformat()) == (slug, start, end)
    assert HalfYear.parse(slug) == half


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
def test_every_day_is_in_exactly_one_half_year(day: dt.date) -> None:
    half = HalfYear.containing(day)
    assert half.start <= day <= half.end
    assert half.previous().end + dt.timedelta(days=1) == half.start
    assert half.next().start - dt.timedelta(days=1) == half.end
    assert HalfYear.parse(half.slug) == half


@pytest.mark.parametrize(
    ("planned", "held", "over", "expected"),
    [
        (4, 3, False, Standing.MET),
        (4, 4, True, Standing.MET),
        (5, 5, False, Standing.AHEAD),
        (4, 2, False, Standing.ON_TRACK),
        (2, 2, False, Standing.TOO_FEW_PLANNED),
        (4, 2, True, Standing.NOT_MET),
    ],
)
def test_standing_against_three_to_four(planned: int, held: int, over: bool, expected: str) -> None:
    assert standing(minimum=3, maximum=4, planned=planned, held=held, over=over) == expected
