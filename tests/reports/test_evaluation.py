"""The evaluator's pseudonymised data set: its columns are its dictionary, and no person."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from sikta.audit.models import AuditEvent
from sikta.participants.models import Participant
from sikta.reports.evaluation import COLUMNS, DICTIONARY, pseudonym
from sikta.surveys.models import Answer, Instrument, Response
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    return list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )


def test_the_columns_are_the_data_dictionary(personas: Personas) -> None:
    client = personas.client("utvarderare")
    page = client.get("/rapporter/utvardering/")
    assert (
        [name for name, _m in page.context["dictionary"]] == COLUMNS == [n for n, _m in DICTIONARY]
    )
    lines = csv_rows(client.get("/rapporter/utvardering/", {"format": "csv"}))
    assert lines[0] == COLUMNS
    assert all(len(line) == len(COLUMNS) for line in lines[1:])
    sheet = load_workbook(
        io.BytesIO(
            b"".join(client.get("/rapporter/utvardering/", {"format": "xlsx"}).streaming_content)
        )
    ).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == COLUMNS


def test_no_person_can_be_read_from_it(personas: Personas) -> None:
    alice = personas.alice_sodra
    who5 = Instrument.objects.get(code="who5")
    for timepoint, value in (("start", 2), ("exit", 4)):
        response = Response.objects.create(
            participant=alice,
            instrument=who5,
            timepoint=timepoint,
            enrolment_start=alice.start_date,
            completed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        Answer.objects.bulk_create(
            Answer(response=response, item=i, value=value) for i in who5.items.all()
        )
    body = b"".join(
        personas.client("utvarderare")
        .get("/rapporter/utvardering/", {"format": "csv"})
        .streaming_content
    ).decode("utf-8-sig")
    for p in Participant.objects.all():
        assert p.personnummer.digits not in body and str(p.personnummer) not in body
        assert p.last_name not in body and p.first_name not in body
        assert f"{p.start_date:%Y-%m-%d}" not in body
    row = next(
        line for line in csv.reader(io.StringIO(body), delimiter=";") if line[0] == pseudonym(alice)
    )
    record = dict(zip(COLUMNS, row, strict=True))
    assert record["start_manad"] == "2025-03" and record["kommun"] == "Trosa"
    assert (record["enkat"], record["poang_start"], record["poang_slut"]) == ("who5-v1", "40", "80")


def test_the_pseudonym_is_stable_and_keyed(personas: Personas, settings) -> None:
    alice = personas.alice_sodra
    first = pseudonym(alice)
    assert pseudonym(alice) == first and alice.personnummer.digits not in first
    settings.PSEUDONYM_KEY = "another key"
    assert pseudonym(alice) != first


def test_every_download_is_logged_with_its_rows(personas: Personas) -> None:
    response = personas.client("utvarderare").get("/rapporter/utvardering/", {"format": "csv"})
    b"".join(response.streaming_content)
    (event,) = AuditEvent.objects.filter(action="participant.export")
    assert event.detail["rows"] == Participant.objects.count()
    assert event.detail["complete"] is True
    assert event.role == "utvarderare"


def test_the_excel_file_has_the_dictionarys_columns(personas: Personas) -> None:
    response = personas.client("utvarderare").get("/rapporter/utvardering/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == COLUMNS
    (event,) = AuditEvent.objects.filter(action="participant.export")
    assert event.detail["rows"] == Participant.objects.count() == sheet.max_row - 1


def test_only_the_evaluator_and_the_leads_may_have_it(personas: Personas) -> None:
    assert personas.client("styrgrupp").get("/rapporter/utvardering/").status_code == 403
    assert personas.client("samordnare_sodra").get("/rapporter/utvardering/").status_code == 403
