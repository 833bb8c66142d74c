"""Uppföljning Finsam: the checklist, marking, the export and the anonymous counts, on a small
fixed data set counted by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from sikta.access.policy import participant_scope
from sikta.audit.models import AuditEvent
from sikta.casework.models import Exit
from sikta.finsam import selectors
from sikta.finsam.models import Registration
from sikta.organisation.models import EducationLevel, IncomeSource, Kommun, Outcome
from sikta.participants.models import Consent, Participant
from sikta.referrals.models import Referral
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory, fictional_personnummer

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 11, 24, 12), tick=False):
        yield


def _enrol(*, consent: bool = True, withdrawn: dt.date | None = None, **fields) -> Participant:
    p = ParticipantFactory(kommun=Kommun.objects.get(name="Nyköping"), **fields)
    ReferralFactory(
        personnummer=p.personnummer,
        participant=p,
        status=Referral.Status.ACCEPTED,
        income=["ekonomiskt_bistand", "arbetsmarknadsenhet"],
    )
    if consent:
        Consent.objects.create(
            participant=p,
            text="Samtycke",
            given_on=p.start_date,
            finsam=True,
            withdrawn_on=withdrawn,
        )
    return p


@dataclass
class Data:
    anna: Participant  # consented, active, not registered, no education level yet
    bertil: Participant  # consented, discharged, registered at the start, not at the end
    cecilia: Participant  # consented, active, registered: done
    dora: Participant  # no consent (woman, started 2026)
    erik: Participant  # consent withdrawn (man, started 2025)


@pytest.fixture
def data(personas: Personas) -> Data:
    """Besides the personas (Alice: Södra, Bo: Norra; man, started 2025; neither consented)."""
    anna = _enrol(
        first_name="Anna",
        personnummer=fictional_personnummer(700, female=True),
        start_date=dt.date(2026, 2, 1),
    )
    bertil = _enrol(
        first_name="Bertil",
        personnummer=fictional_personnummer(702),  # born 1995-07-03
        start_date=dt.date(2025, 6, 1),
        end_date=dt.date(2026, 3, 1),
        status=Participant.Status.CLOSED,
        education_level=EducationLevel.objects.get(code="gymnasium"),
    )
    exit_ = Exit.objects.create(
        participant=bertil,
        start_date=bertil.start_date,
        end_date=bertil.end_date,
        outcome=Outcome.objects.get(code="arbete"),
        occupation_after="Lagerarbete",
    )
    exit_.income_after.set(IncomeSource.objects.filter(code="lon"))
    Registration.objects.create(
        participant=bertil,
        kind="start",
        period_start=bertil.start_date,
        registered_on=dt.date(2025, 6, 10),
    )
    cecilia = _enrol(first_name="Cecilia", start_date=dt.date(2026, 1, 1))
    Registration.objects.create(
        participant=cecilia,
        kind="start",
        period_start=cecilia.start_date,
        registered_on=dt.date(2026, 1, 5),
    )
    dora = _enrol(
        first_name="Dora",
        consent=False,
        personnummer=fictional_personnummer(701, female=True),
        start_date=dt.date(2026, 4, 1),
    )
    erik = _enrol(first_name="Erik", withdrawn=dt.date(2026, 5, 1), start_date=dt.date(2025, 9, 1))
    return Data(anna, bertil, cecilia, dora, erik)


def test_the_checklist_lists_who_still_needs_registering(personas: Personas, data: Data) -> None:
    response = personas.client("samordnare_sodra").get("/rapporter/finsam/")
    shown = [row.participant for row in response.context["rows"]]
    assert shown == [data.bertil, data.anna]  # oldest start first
    assert response.context["summary"] == {"to_start": 1, "to_end": 1, "without_consent": 3}
    body = response.content.decode()
    assert str(data.anna.personnummer) in body
    for hidden in (data.cecilia, data.dora, data.erik, personas.alice_sodra):
        assert hidden.first_name not in body
    listed = AuditEvent.objects.filter(action="participant.list")
    assert {e.participant_id for e in listed} == {data.anna.pk, data.bertil.pk}


def test_each_row_has_what_finsam_asks(personas: Personas, data: Data) -> None:
    rows = {
        r.participant: r
        for r in selectors.rows(
            selectors.with_details(selectors.checklist(Participant.objects.all(), "alla"))
        )
    }
    anna, bertil = rows[data.anna], rows[data.bertil]
    assert (anna.gender, anna.age) == ("Kvinna", 30)  # born 1995-05-01; 2026-02-01 is the start
    assert anna.income_before == [
        "Ekonomiskt bistånd (försörjningsstöd)",
        "Insats via kommunens arbetsmarknadsenhet",
    ]
    assert anna.missing == ["utbildningsnivå"]
    assert anna.needs_start and not anna.needs_end
    assert not bertil.needs_start and bertil.needs_end and bertil.missing == []
    assert bertil.exit.outcome.code == "arbete"
    assert set(rows) == {data.anna, data.bertil, data.cecilia}  # only those who consented


def test_without_consent_they_are_counted_by_gender_and_start_year_only(
    personas: Personas, data: Data
) -> None:
    with translation.override("sv"):
        counts = selectors.anonymous_counts(
            Participant.objects.filter(participant_scope(personas.samordnare_sodra.user))
        )
    # Alice (man, 2025) and Erik (man, 2025, withdrew); Dora (woman, 2026). Bo is in Norra.
    assert counts == [(2025, "Män", 2), (2026, "Kvinnor", 1)]


def test_marking_records_who_and_when_and_takes_the_row_off_the_list(
    personas: Personas, data: Data
) -> None:
    client = personas.client("samordnare_sodra")
    response = client.post(
        f"/rapporter/finsam/{data.anna.pk}/registrera/",
        {"kind": "start", "registered_on": "2026-11-20", "next": "/rapporter/finsam/?visa=alla"},
    )
    assert response.status_code == 302 and response["Location"] == "/rapporter/finsam/?visa=alla"
    mark = Registration.objects.get(participant=data.anna)
    assert (mark.kind, mark.registered_on, mark.period_start) == (
        "start",
        dt.date(2026, 11, 20),
        data.anna.start_date,
    )
    assert mark.recorded_by == personas.samordnare_sodra.user
    assert AuditEvent.objects.filter(
        action="participant.change", participant=data.anna, detail__finsam="start"
    ).exists()
    shown = [r.participant for r in client.get("/rapporter/finsam/").context["rows"]]
    assert shown == [data.bertil]
    # Twice is once.
    client.post(
        f"/rapporter/finsam/{data.anna.pk}/registrera/",
        {"kind": "start", "registered_on": "2026-11-21"},
    )
    assert Registration.objects.filter(participant=data.anna).count() == 1


def test_bad_marks_are_refused_with_a_reason(personas: Personas, data: Data) -> None:
    client = personas.client("samordnare_sodra")
    future = client.post(
        f"/rapporter/finsam/{data.anna.pk}/registrera/",
        {"kind": "start", "registered_on": "2026-12-01"},
        follow=True,
    )
    assert "framtiden" in future.content.decode()
    active_end = client.post(
        f"/rapporter/finsam/{data.anna.pk}/registrera/",
        {"kind": "end", "registered_on": "2026-11-20"},
        follow=True,
    )
    assert "utskriven" in active_end.content.decode()
    assert not Registration.objects.filter(participant=data.anna).exists()


def test_a_mark_can_be_undone_and_the_log_keeps_both(personas: Personas, data: Data) -> None:
    client = personas.client("insatsledare")
    client.post(f"/rapporter/finsam/{data.bertil.pk}/angra/", {"kind": "start"})
    assert not Registration.objects.filter(participant=data.bertil).exists()
    assert AuditEvent.objects.filter(participant=data.bertil, detail__undone=True).exists()


def test_the_education_level_is_entered_on_the_checklist(personas: Personas, data: Data) -> None:
    level = EducationLevel.objects.get(code="grundskola")
    client = personas.client("samordnare_sodra")
    client.post(f"/rapporter/finsam/{data.anna.pk}/utbildning/", {"education_level": level.pk})
    data.anna.refresh_from_db()
    assert data.anna.education_level == level
    empty = client.post(
        f"/rapporter/finsam/{data.cecilia.pk}/utbildning/", {"education_level": ""}, follow=True
    )
    assert "Välj utbildningsnivå" in empty.content.decode()


def test_another_lansdel_cannot_mark_and_a_coach_cannot_at_all(
    personas: Personas, data: Data
) -> None:
    url = f"/rapporter/finsam/{data.anna.pk}/registrera/"
    form = {"kind": "start", "registered_on": "2026-11-20"}
    assert personas.client("samordnare_norra").post(url, form).status_code == 404
    assert personas.client("coach_sodra").post(url, form).status_code == 403
    assert not Registration.objects.filter(participant=data.anna).exists()
    norra = personas.client("samordnare_norra").get("/rapporter/finsam/", {"visa": "alla"})
    assert norra.context["rows"] == []


def test_a_participant_enrolled_again_is_registered_again(personas: Personas, data: Data) -> None:
    cecilia = data.cecilia
    cecilia.start_date = dt.date(2026, 10, 1)  # a new period
    cecilia.save()
    shown = personas.client("insatsledare").get("/rapporter/finsam/").context["rows"]
    assert cecilia in [r.participant for r in shown]


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_the_export_is_the_checklist_with_the_dictionarys_columns(
    personas: Personas, data: Data
) -> None:
    client = personas.client("samordnare_sodra")
    lines = _csv(client.get("/rapporter/finsam/export/", {"format": "csv"}))
    assert lines[0] == selectors.COLUMNS
    by_name = {line[1]: dict(zip(selectors.COLUMNS, line, strict=True)) for line in lines[1:]}
    assert set(by_name) == {"Anna", "Bertil"}
    assert by_name["Bertil"] | {"personnummer": "", "efternamn": ""} == {
        "personnummer": "",
        "fornamn": "Bertil",
        "efternamn": "",
        "kon": "M",
        "alder_vid_start": "29",
        "kommunkod": "0480",
        "kommun": "Nyköping",
        "lansdel": "Södra länsdelen",
        "insats": "Coachning",
        "forsorjning_fore": (
            "Ekonomiskt bistånd (försörjningsstöd), Insats via kommunens arbetsmarknadsenhet"
        ),
        "utbildningsniva": "Gymnasieskola",
        "startdatum": "2025-06-01",
        "registrerad_start": "2025-06-10",
        "slutdatum": "2026-03-01",
        "avslutsorsak": Outcome.objects.get(code="arbete").name,
        "sysselsattning_efter": "Lagerarbete",
        "forsorjning_efter": IncomeSource.objects.get(code="lon").name,
        "avregistrerad": "",
    }
    (export,) = AuditEvent.objects.filter(action="report.export")
    assert export.detail["rows"] == 2 and export.detail["complete"] is True
    people = AuditEvent.objects.filter(action="participant.export")
    assert {e.participant_id for e in people} == {data.anna.pk, data.bertil.pk}


def test_the_excel_export_has_the_same_columns(personas: Personas, data: Data) -> None:
    response = personas.client("insatsledare").get(
        "/rapporter/finsam/export/", {"format": "xlsx", "visa": "alla"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == selectors.COLUMNS
    assert sheet.max_row == 1 + 3  # Anna, Bertil, Cecilia
    page = personas.client("insatsledare").get("/rapporter/finsam/export/")
    assert [name for name, _m in page.context["dictionary"]] == selectors.COLUMNS


def test_the_checklist_costs_the_same_queries_however_long(personas: Personas) -> None:
    client = personas.client("insatsledare")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/rapporter/finsam/").status_code == 200
        return len(captured)

    for _n in range(2):
        _enrol()
    few = queries()
    for _n in range(12):
        _enrol()
    assert queries() == few


def test_a_refused_mark_writes_no_audit_record_and_a_mark_one(
    personas: Personas, data: Data
) -> None:
    """The audit log says what happened: a form refused changes nothing and logs nothing, a
    mark that is made logs one change (not a "change" for the read before it as well)."""
    client = personas.client("samordnare_sodra")
    url = f"/rapporter/finsam/{data.anna.pk}/"
    before = AuditEvent.objects.filter(participant=data.anna).count()
    for path, post in (
        ("registrera/", {"kind": "start", "registered_on": "2026-12-01"}),  # future
        ("registrera/", {"kind": "end", "registered_on": "2026-11-20"}),  # not discharged
        ("registrera/", {"kind": "start", "registered_on": ""}),
        ("utbildning/", {"education_level": ""}),
        ("angra/", {"kind": "start"}),  # nothing to undo
    ):
        client.post(url + path, post)
        assert AuditEvent.objects.filter(participant=data.anna).count() == before, (path, post)
    client.post(url + "registrera/", {"kind": "start", "registered_on": "2026-11-20"})
    assert AuditEvent.objects.filter(participant=data.anna).count() == before + 1
