"""The suppression invariant on what the steering group is really shown — every dashboard
breakdown, its CSV export, the lägesrapport (whole programme and per länsdel) and the survey
report's response rates — for random data: no shown count is 1–4 (cells, row and column totals
alike), "<5" labels only a count that is 1–4 ("–" the others), and no hidden count can be
worked out from the shown ones through the sums the page prints, within a table or across
tables (the outcomes to a destination add up to the goal figure)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings, strategies as st

from sikta.casework.models import Exit
from sikta.organisation.models import Insats, Kommun, Lansdel, Outcome
from sikta.participants.models import Participant
from sikta.reports.lagesrapport import MEASURES, status_report_data
from sikta.reports.suppression import Hidden, determined
from sikta.reports.views import BREAKDOWN_LABELS
from sikta.surveys.models import Instrument, Response
from tests.conftest import Personas
from tests.factories import ParticipantFactory, fictional_personnummer

pytestmark = pytest.mark.django_db
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
MINIMUM = 5
_numbers = itertools.count(5000)

person = st.tuples(
    st.integers(0, 20),  # kommun, by index
    st.booleans(),  # woman
    st.integers(-150, 120),  # start, days after the period's first day
    st.one_of(st.none(), st.tuples(st.integers(0, 20), st.integers(20, 300))),  # outcome, days
    st.booleans(),  # answered the start survey
)


def populate(people: list[tuple]) -> None:
    Participant.objects.filter(first_name="Slump").delete()
    kommuner = list(Kommun.objects.order_by("pk"))
    outcomes = list(Outcome.objects.order_by("pk"))
    instrument = Instrument.objects.order_by("pk").first()
    for kommun, woman, start, exit_, answered in people:
        start_date = PERIOD[0] + dt.timedelta(days=start)
        p = ParticipantFactory(
            first_name="Slump",
            kommun=kommuner[kommun % len(kommuner)],
            personnummer=fictional_personnummer(next(_numbers), female=woman),
            start_date=start_date,
        )
        if exit_ is not None:
            outcome, days = exit_
            p.status, p.end_date = Participant.Status.CLOSED, start_date + dt.timedelta(days=days)
            p.save(update_fields=["status", "end_date"])
            Exit.objects.create(
                participant=p,
                start_date=start_date,
                end_date=p.end_date,
                outcome=outcomes[outcome % len(outcomes)],
                author_name="x",
            )
        if answered and instrument is not None:
            Response.objects.create(
                participant=p,
                instrument=instrument,
                timepoint=Response.Timepoint.START,
                enrolment_start=start_date,
                completed_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
            )


def check(entries: dict, lines: list[list[tuple]], published: frozenset = frozenset()) -> None:
    """`entries`: key -> (as shown, true value); `lines`: the sums the page prints;
    `published`: counts made public on every page anyway (the goal figure): what they give
    away by themselves is not the page's to protect."""
    for key, (shown, true) in entries.items():
        text = str(shown)
        if text == f"<{MINIMUM}":
            assert 0 < true < MINIMUM, (key, text, true)
        elif text != "–":
            assert int(text) == true and not 0 < true < MINIMUM, (key, text, true)
    hidden = {k for k, (shown, _t) in entries.items() if str(shown) in ("–", f"<{MINIMUM}")}
    # What the published counts give away by themselves, with the zeros (never hidden).
    unknown = {k for k, (_s, true) in entries.items() if true} - published
    inherent = determined(unknown, lines) if published else set()
    given_away = determined(hidden, lines) - inherent
    assert not given_away, sorted(given_away, key=repr)


def check_dashboard_figure(shown) -> None:
    figure = shown.figure
    if not shown.rows:
        return
    entries, lines = {}, []
    width = 1 if figure.describes_first else len(figure.columns)
    true_rows = [values[:width] for _g, values in figure.rows]
    for r, ((_g, cells, total), values) in enumerate(zip(shown.rows, true_rows, strict=True)):
        entries |= {("cell", r, c): (cells[c], values[c]) for c in range(width)}
        if figure.additive:
            entries[("row", r)] = (total, sum(values))
            lines.append([*((("cell", r, c), 1) for c in range(width)), (("row", r), -1)])
    for c in range(width):
        column_total = sum(v[c] for v in true_rows)
        if figure.describes_first:
            column_total = figure.overall[0] if figure.overall else column_total
        entries[("col", c)] = (shown.totals[c], column_total)
        if not figure.describes_first or not figure.overall:
            lines.append([*((("cell", r, c), 1) for r in range(len(true_rows))), (("col", c), -1)])
    if figure.additive:
        entries[("all",)] = (shown.grand_total, sum(map(sum, true_rows)))
        lines.append([*((("row", r), 1) for r in range(len(true_rows))), (("all",), -1)])
    check(entries, lines)


def check_csv_is_the_page(lines: list[list[str]], figures) -> None:
    for shown in figures:
        start = lines.index([shown.figure.title])
        body = lines[start + 2 : start + 2 + len(shown.rows)]
        for (group, cells, total), line in zip(shown.rows, body, strict=True):
            expected = [group, *map(str, cells)]
            if shown.figure.additive:
                expected.append(str(total))
            assert line == expected, (shown.figure.title, line, expected)


def check_status_report(lansdel: Lansdel | None, insats: Insats | None = None) -> None:
    """The report of `lansdel`, of the whole `insats`, or (neither) of the whole förbund."""
    with translation.override("sv"):
        shown = status_report_data(lansdel, PERIOD, minimum=MINIMUM, insats=insats)
        exact = status_report_data(lansdel, PERIOD, minimum=1, insats=insats)
    entries, lines = {}, []
    labels = {str(label): m for m, label in MEASURES.items()}
    for dim, got, true in (
        ("gender", shown.gender, exact.gender),
        ("area", shown.areas, exact.areas),
    ):
        for line, true_line in zip(got.lines, true.lines, strict=True):
            if line.label not in labels:
                continue  # the share: no count
            m = labels[line.label]
            keys = [(dim, m, g) for g in got.groups] + [("total", m)]
            entries |= {
                k: (s, int(t)) for k, s, t in zip(keys, line.cells, true_line.cells, strict=True)
            }
            lines.append([*((k, 1) for k in keys[:-1]), (keys[-1], -1)])
    for (label, text), (_l, true) in zip(shown.key_figures, exact.key_figures, strict=True):
        assert entries[("total", labels[label])][0] == text  # the key figure is the total
        assert int(true) == entries[("total", labels[label])][1]
    outcome_keys = []
    for (name, to_goal, text), (_n, _d, true) in zip(
        shown.outcome_rows, exact.outcome_rows, strict=True
    ):
        entries[("outcome", name)] = (text, int(true))
        outcome_keys.append((("outcome", name), to_goal))
    lines.append([*((k, 1) for k, _d in outcome_keys), (("total", "discharged"), -1)])
    lines.append([*((k, 1) for k, d in outcome_keys if d), (("total", "destination"), -1)])
    # The goal sentence says the same as the key figures.
    assert (shown.discharged, shown.destination) == (
        entries[("total", "discharged")][0],
        entries[("total", "destination")][0],
    )
    check(entries, lines, published=frozenset({("total", "discharged"), ("total", "destination")}))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(person, max_size=30))
def test_nothing_shown_to_the_steering_group_gives_a_small_count_away(
    personas: Personas, people: list[tuple]
) -> None:
    populate(people)
    client = personas.client("styrgrupp")
    dates = {"date_from": str(PERIOD[0]), "date_to": str(PERIOD[1])}
    for by in BREAKDOWN_LABELS:
        page = client.get("/rapporter/", {**dates, "by": by})
        assert page.status_code == 200
        figures = page.context["figures"]
        for shown in figures:
            check_dashboard_figure(shown)
        export = client.get("/rapporter/", {**dates, "by": by, "export": "csv"})
        text = b"".join(export.streaming_content).decode("utf-8-sig")
        check_csv_is_the_page(list(csv.reader(io.StringIO(text), delimiter=";")), figures)
    check_status_report(None)  # the whole förbund
    check_status_report(None, Insats.objects.current())
    for lansdel in Lansdel.objects.all():
        check_status_report(lansdel)
    instrument = Instrument.objects.order_by("pk").first()
    survey = client.get(
        "/rapporter/enkat/", {**dates, "instrument": instrument.pk, "group_by": "lansdel"}
    )
    assert survey.context["form"].is_valid(), survey.context["form"].errors
    rates = survey.context["rates"]
    for timepoint in ("start", "exit"):
        exact = {}
        for p in Participant.objects.all():
            due = (p.start_date if timepoint == "start" else p.end_date) or dt.date.min
            if PERIOD[0] <= due <= PERIOD[1] and (timepoint == "start" or p.status == "closed"):
                done = Response.objects.filter(
                    participant=p, timepoint=timepoint, completed_at__isnull=False
                ).exists()
                cell = exact.setdefault(p.kommun.lansdel.name, [0, 0])
                cell[0], cell[1] = cell[0] + 1, cell[1] + done
        entries, lines = {}, []
        for rate in (r for r in rates if r.timepoint == timepoint):
            due, done = exact[rate.lansdel]
            name = rate.lansdel
            entries[("due", name)] = (rate.due, due)
            entries[("done", name)] = (rate.answered, done)
            lines.append([(("done", name), 1), (("not", name), 1), (("due", name), -1)])
            entries[("not", name)] = (_not_answered(rate), due - done)
        check(entries, lines)


def _not_answered(rate) -> object:
    """The page shows answered of due; "not answered" is their difference, hidden with either."""
    if isinstance(rate.due, Hidden) or isinstance(rate.answered, Hidden):
        return Hidden(True, MINIMUM)
    return rate.due - rate.answered


def test_a_small_outcome_is_not_the_goal_figure_minus_the_others(personas: Personas) -> None:
    """10 to work and 3 to studies (both destinations), 6 moved: the lägesrapport shows the goal
    figure "13 to a destination"; with "work 10" beside it, a hidden "studies" would be 3."""
    work, studies, moved = (Outcome.objects.get(code=c) for c in ("arbete", "studier", "flyttat"))
    kommun = Kommun.objects.order_by("pk").first()
    for outcome, n in ((work, 10), (studies, 3), (moved, 6)):
        for _ in range(n):
            p = ParticipantFactory(
                first_name="Slump",
                kommun=kommun,
                personnummer=fictional_personnummer(next(_numbers)),
                start_date=dt.date(2026, 1, 10),
                status=Participant.Status.CLOSED,
                end_date=dt.date(2026, 5, 1),
            )
            Exit.objects.create(
                participant=p,
                start_date=p.start_date,
                end_date=p.end_date,
                outcome=outcome,
                author_name="x",
            )
    with translation.override("sv"):
        data = status_report_data(None, PERIOD, minimum=MINIMUM)
    rows = {name: text for name, _d, text in data.outcome_rows}
    assert data.destination == "13" and rows[studies.name] == "<5"
    assert rows[work.name] == "–"  # hidden to protect the 3, not the goal figure
    check_status_report(None)
