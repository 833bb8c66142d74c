"""The dashboard's figures on a small fixed data set, counted by hand; scope, suppression,
exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from sikta.audit.models import AuditEvent
from sikta.casework.models import Exit
from sikta.organisation.models import Kommun, Outcome
from sikta.participants.models import Participant
from sikta.referrals.models import Referral
from sikta.reports.aggregates import (
    outcomes,
    participant_flow,
    referrals_in,
    time_in_programme,
)
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory, fictional_personnummer

pytestmark = pytest.mark.django_db
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


@pytest.fixture
def data(personas: Personas) -> None:
    """Besides the personas (Alice: Trosa, started 2025-03-01; Bo: Strängnäs, same):

    - Nyköping: 3 started in the period (2 women), one of them discharged to work in May.
    - Flen: 1 started 2025-12-01, discharged 2026-02-01 to "moved" (not a destination),
      after 62 days; 1 started 2025-01-01, discharged 2026-03-01 after 424 days (> one year)
      to studies.
    """
    nykoping, flen = Kommun.objects.get(name="Nyköping"), Kommun.objects.get(name="Flen")
    women = [fictional_personnummer(900 + n, female=True) for n in range(2)]
    a = ParticipantFactory(kommun=nykoping, start_date=dt.date(2026, 2, 1), personnummer=women[0])
    ParticipantFactory(kommun=nykoping, start_date=dt.date(2026, 3, 1), personnummer=women[1])
    ParticipantFactory(kommun=nykoping, start_date=dt.date(2026, 4, 1))
    a.status, a.end_date = Participant.Status.CLOSED, dt.date(2026, 5, 15)
    a.save()
    Exit.objects.create(
        participant=a,
        start_date=a.start_date,
        end_date=a.end_date,
        outcome=Outcome.objects.get(code="arbete"),
    )
    for start, end, outcome in [
        (dt.date(2025, 12, 1), dt.date(2026, 2, 1), "flyttat"),
        (dt.date(2025, 1, 1), dt.date(2026, 3, 1), "studier"),
    ]:
        p = ParticipantFactory(
            kommun=flen, start_date=start, end_date=end, status=Participant.Status.CLOSED
        )
        Exit.objects.create(
            participant=p, start_date=start, end_date=end, outcome=Outcome.objects.get(code=outcome)
        )


def rows(figure) -> dict[str, list[int]]:
    return dict(figure.rows)


def test_participant_flow_by_kommun(data) -> None:
    figure = participant_flow(Participant.objects.all(), PERIOD, "kommun")
    # started, discharged, active at the end
    assert rows(figure)["Nyköping"] == [3, 1, 2]
    assert rows(figure)["Flen"] == [0, 2, 0]
    assert rows(figure)["Trosa"] == [0, 0, 1] and rows(figure)["Strängnäs"] == [0, 0, 1]


def test_outcomes_against_the_goal(data) -> None:
    figure = outcomes(Participant.objects.all(), PERIOD, "all")
    # 3 discharged; 2 to a destination (work, studies); 1 longer than a year
    assert list(rows(figure).values()) == [[3, 2, 1]]


def test_time_in_programme_median_and_share_over_a_year(data) -> None:
    # Discharged in the period: Nyköping 2026-02-01 → 05-15 (103 days); Flen 62 and 424 days.
    by_kommun = time_in_programme(Participant.objects.all(), PERIOD, "kommun")
    assert rows(by_kommun) == {"Flen": [2, 243, 50], "Nyköping": [1, 103, 0]}
    assert by_kommun.overall == [3, 103, 33]  # the median of 62, 103, 424; 1 of 3 over a year
    # An even number: the mean of the two in the middle, in whole days.
    p = ParticipantFactory(
        kommun=Kommun.objects.get(name="Flen"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 1, 11),
        status=Participant.Status.CLOSED,
    )
    Exit.objects.create(
        participant=p,
        start_date=p.start_date,
        end_date=p.end_date,
        outcome=Outcome.objects.get(code="arbete"),
    )
    overall = time_in_programme(Participant.objects.all(), PERIOD, "all")
    assert overall.overall == [4, round((62 + 103) / 2), 25]


def test_time_in_programme_is_hidden_with_a_small_count(personas: Personas, data) -> None:
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30", "by": "kommun"}
    response = personas.client("styrgrupp").get("/rapporter/", query)
    (time,) = [s for s in response.context["figures"] if s.figure.key == "time"]
    assert {g: [str(c) for c in cells] for g, cells, _t in time.rows} == {
        "Flen": ["<5", "–", "–"],  # a median or share of a hidden group is no small count
        "Nyköping": ["<5", "–", "–"],
    }
    assert [str(t) for t in time.totals] == ["<5", "–", "–"]  # 3 in all: below 5
    lead = personas.client("insatsledare").get("/rapporter/", query)
    (time,) = [s for s in lead.context["figures"] if s.figure.key == "time"]
    assert time.totals == [3, 103, 33]


def test_by_gender_and_age_band(data) -> None:
    by_gender = rows(participant_flow(Participant.objects.all(), PERIOD, "gender"))
    assert by_gender["Kvinnor"][0] == 2 and by_gender["Män"][0] == 1
    by_age = rows(participant_flow(Participant.objects.all(), PERIOD, "age"))
    # The factory's people are born 1995: 31 at the end of June 2026.
    assert by_age["30–39"][0] == 3


def test_referrals_by_status(personas: Personas) -> None:
    ReferralFactory(received_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC))
    ReferralFactory(received_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), status="antagen")
    ReferralFactory(received_at=dt.datetime(2025, 3, 2, 10, tzinfo=dt.UTC))  # before the period
    figure = referrals_in(Referral.objects.all(), PERIOD, "track")
    counts = dict(zip(figure.columns, rows(figure)["Coachning"], strict=True))
    assert counts["Mottagen"] == 1 and counts["Antagen"] == 1 and sum(counts.values()) == 2


def test_a_samordnare_counts_their_lansdel(personas: Personas, data) -> None:
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30", "by": "kommun"}
    response = personas.client("samordnare_sodra").get("/rapporter/", query)
    (flow,) = [s for s in response.context["figures"] if s.figure.key == "participants"]
    assert {group for group, _c, _t in flow.rows} == {"Nyköping", "Trosa"}
    assert not response.context["suppressed"]


def test_the_styrgrupp_sees_everything_suppressed_and_no_person(personas: Personas, data) -> None:
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30", "by": "kommun"}
    response = personas.client("styrgrupp").get("/rapporter/", query)
    assert response.context["suppressed"]
    (flow,) = [s for s in response.context["figures"] if s.figure.key == "participants"]
    by_group = {group: cells for group, cells, _t in flow.rows}
    assert [str(c) for c in by_group["Nyköping"]] == ["<5", "<5", "<5"]  # 3, 1, 2
    body = response.content.decode()
    for p in Participant.objects.all():
        assert str(p.personnummer) not in body and p.last_name not in body


def test_exports_are_audited_and_match_the_page(personas: Personas, data) -> None:
    client = personas.client("insatsledare")
    query = {"date_from": "2026-01-01", "date_to": "2026-06-30", "by": "track"}
    response = client.get("/rapporter/", {**query, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert lines[0] == ["Period", "2026-01-01", "2026-06-30"]
    header = lines[lines.index(["Deltagare"]) + 1]
    assert header == [
        "",
        "Inskrivna under perioden",
        "Utskrivna under perioden",
        "Aktiva vid periodens slut",
    ]
    xlsx = client.get("/rapporter/", {**query, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:3] == [
        "Period",
        "2026-01-01",
        "2026-06-30",
    ]
    exports = AuditEvent.objects.filter(action="report.export")
    assert exports.count() == 2 and all(e.detail["rows"] > 0 for e in exports)


def test_age_bands_run_from_the_youngest(personas: Personas) -> None:
    import datetime as dt

    from sikta.reports.aggregates import dashboard

    ParticipantFactory(personnummer="200401012380", start_date=dt.date(2026, 2, 1))
    ParticipantFactory(start_date=dt.date(2026, 2, 1))
    figures = dashboard(
        Participant.objects.all(),
        Referral.objects.all(),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        "age",
    )
    (flow,) = [f for f in figures if f.key == "participants"]
    groups = [g for g, _c in flow.rows]
    assert groups[0] == "–24" and groups == sorted(
        groups, key=["–24", "25–29", "30–39", "40–49", "50–"].index
    )
