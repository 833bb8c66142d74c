"""The pages, through the test client: upload, columns, dry run, import — each step with what a
user gets wrong kept as they chose it and a Swedish message by the field; who may reach them."""

from __future__ import annotations

import io
import re

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from sikta.audit.models import AuditEvent
from sikta.imports import services
from sikta.imports.models import ImportBatch
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import UserFactory
from tests.imports.conftest import MakeBatch
from tests.imports.support import HEADERS, csv_bytes, person, pnr, upload, xlsx

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def last_audit() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def upload_list(client: Client, content: bytes, name: str = "lista.xlsx", kind: str = "deltagare"):
    return client.post(reverse("import_start"), {"kind": kind, "file": upload(content, name)})


# --- who ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("samordnare_sodra", 200),
        ("insatsledare", 200),
        ("insatsagare", 403),
        ("coach_sodra", 403),
        ("koordinator_norra", 403),
        ("styrgrupp", 403),
        ("utvarderare", 403),
        ("no_role", 403),
    ],
)
def test_who_reaches_the_import(personas: Personas, persona: str, status: int) -> None:
    response = personas.client(persona).get(reverse("import_start"))
    assert response.status_code == status


def test_anonymous_is_sent_to_the_login(personas: Personas) -> None:
    response = Client().get(reverse("import_start"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


def test_the_participant_list_links_to_the_import(personas: Personas) -> None:
    link = reverse("import_start")
    assert link in text(personas.client("samordnare_sodra").get(reverse("participant_list")))
    assert link in text(personas.client("insatsledare").get(reverse("participant_list")))
    assert link not in text(personas.client("coach_sodra").get(reverse("participant_list")))


# --- step 1: upload ------------------------------------------------------------------------


def test_upload_guesses_the_columns(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")
    response = upload_list(client, xlsx([person(1)]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_mapping", args=[batch.pk])
    assert batch.staff == personas.samordnare_sodra
    assert batch.insats == personas.samordnare_sodra.insats
    assert batch.headers == HEADERS
    assert batch.mapping["personnummer"] == 0 and batch.mapping["caseworker"] == 6
    assert batch.mapping["name"] is None  # first and last name are there


def test_a_csv_from_swedish_excel(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")
    content = csv_bytes([person(1, kommun="Nyköping")], encoding="cp1252")
    assert upload_list(client, content, "lista.csv").status_code == 302
    assert ImportBatch.objects.get().rows[0]["cells"][3] == "Nyköping"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("lista.xlsx", b"MZ\x90\x00 an exe in disguise", "är inte vad namnet säger"),
        ("lista.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "Excel-arbetsbok (.xlsx)"),
        ("lista.docx", b"PK\x03\x04", "ladda upp en Excelfil (.xlsx) eller en CSV-fil"),
        ("lista.csv", b"", "Filen är tom."),
    ],
)
def test_a_refused_file_is_said_by_the_field_and_keeps_the_choice(
    personas: Personas, name: str, content: bytes, says: str
) -> None:
    client = personas.client("samordnare_sodra")
    before = last_audit()
    response = upload_list(client, content, name, kind="arbetsgivare")
    assert response.status_code == 400
    page = text(response)
    assert says in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert re.search(r'value="arbetsgivare"[^>]*checked', page)  # the kind chosen is kept
    assert 'id="id_file_error"' in page  # the message is tied to the file field
    assert not ImportBatch.objects.exists()
    assert last_audit() == before  # an invalid form writes no audit record


def test_without_a_file(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").post(
        reverse("import_start"), {"kind": "deltagare"}
    )
    assert response.status_code == 400
    assert "Välj filen som ska importeras." in text(response)


# --- step 2: columns -----------------------------------------------------------------------


def test_the_columns_page_shows_the_guess(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch([person(1)])
    response = personas.client("samordnare_sodra").get(reverse("import_mapping", args=[batch.pk]))
    page = text(response)
    assert response.status_code == 200
    assert re.search(
        r'<select name="personnummer"[^>]*>.*?<option value="0" selected>A: Personnummer',
        page,
        re.S,
    )
    assert re.search(
        r'<select name="caseworker"[^>]*>.*?<option value="6" selected>G: Coach', page, re.S
    )
    assert "Importerad1" in page  # the first rows, to recognise the columns by


def test_missing_and_repeated_columns_keep_what_was_chosen(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch([person(1)])
    client = personas.client("samordnare_sodra")
    before = last_audit()
    data = {
        "personnummer": "",
        "first_name": "1",
        "last_name": "1",
        "kommun": "3",
        "track": "4",
        "start_date": "5",
        "caseworker": "6",
    }
    response = client.post(reverse("import_mapping", args=[batch.pk]), data)
    assert response.status_code == 400
    page = text(response)
    assert "Välj kolumnen med personnummer." in page
    assert "Kolumn B är redan vald för ”Förnamn”." in page.replace("&quot;", '"')
    assert re.search(r'<select name="kommun"[^>]*>.*?<option value="3" selected>', page, re.S)
    assert last_audit() == before
    batch.refresh_from_db()
    assert batch.mapping["last_name"] == 2  # unchanged


def test_choosing_the_columns_leads_to_the_dry_run(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch([person(1)])
    client = personas.client("samordnare_sodra")
    data = {key: "" if index is None else str(index) for key, index in batch.mapping.items()}
    response = client.post(reverse("import_mapping", args=[batch.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("import_preview", args=[batch.pk])


# --- step 3: the dry run and the import ----------------------------------------------------


def test_the_dry_run_page(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch(
        [person(1), person(2, kommun="Stockholm"), person(3, caseworker="Ingen Alls")]
    )
    response = personas.client("samordnare_sodra").get(reverse("import_preview", args=[batch.pk]))
    page = text(response).replace("&quot;", '"')
    assert response.status_code == 200
    assert "1 av 3 rader kan importeras." in page
    assert "2 rader avvisas och hoppas över:" in page
    assert 'href="#rad-3"' in page and 'href="#rad-4"' in page
    assert "Kommunen ”Stockholm” hör inte till insatsen." in page
    assert "Ingen i insatsens personal heter ”Ingen Alls”" in page
    assert "Importera 1 deltagare (2 rader hoppas över)" in page
    assert not Participant.objects.filter(last_name="Importsson").exists()  # nothing yet


def test_the_dry_run_audits_the_cases_it_names(personas: Personas, make_batch: MakeBatch) -> None:
    alice = personas.alice_sodra
    batch = make_batch([[str(alice.personnummer), "Alice", "Zackrisson", *person(1)[3:]]])
    before = last_audit()
    page = text(personas.client("samordnare_sodra").get(reverse("import_preview", args=[batch.pk])))
    assert f"ärende #{alice.pk}" in page
    read = AuditEvent.objects.get(pk__gt=before, participant=alice)
    assert read.action == "participant.list"


def test_import_and_see_the_participants(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch([person(1), person(2, kommun="Stockholm")])
    client = personas.client("samordnare_sodra")
    response = client.post(reverse("import_commit", args=[batch.pk]), {"rows": "2"})
    assert response.status_code == 302
    assert response["Location"] == reverse("import_done", args=[batch.pk])
    done = text(client.get(response["Location"]))
    assert "1 deltagare skapades från lista.xlsx." in done
    assert "1 rad hoppades över:" in done and "rad 3" in done
    assert "Importsson, Importerad1" in done
    participant = Participant.objects.get(personnummer=pnr(1))
    assert reverse("participant_detail", args=[participant.pk]) in done
    # The preview of an imported list leads to its result.
    again = client.get(reverse("import_preview", args=[batch.pk]))
    assert again["Location"] == reverse("import_done", args=[batch.pk])


def test_a_forged_confirmation_is_refused_without_a_record(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch([person(1)])
    client = personas.client("samordnare_sodra")
    before = last_audit()
    response = client.post(reverse("import_commit", args=[batch.pk]), {"rows": "2; DROP"})
    assert response.status_code == 400
    assert "Gör provkörningen igen" in text(response)
    assert not AuditEvent.objects.filter(pk__gt=before).exclude(action="participant.list").exists()
    assert not Participant.objects.filter(personnummer=pnr(1)).exists()


def test_rows_other_than_those_seen_import_nothing(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch([person(1), person(2)])
    client = personas.client("samordnare_sodra")
    response = client.post(reverse("import_commit", args=[batch.pk]), {"rows": "2"})
    assert response["Location"] == reverse("import_preview", args=[batch.pk])
    assert "Inget importerades" in text(client.get(response["Location"]))
    assert not Participant.objects.filter(last_name="Importsson").exists()


def test_a_failure_on_commit_changes_nothing(
    personas: Personas, make_batch: MakeBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = make_batch([person(1), person(2)])
    real = services.participant_assign
    calls: list[int] = []

    def fail_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise IntegrityError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "participant_assign", fail_second)
    client = personas.client("samordnare_sodra")
    before = last_audit()
    response = client.post(reverse("import_commit", args=[batch.pk]), {"rows": "2,3"})
    assert response["Location"] == reverse("import_preview", args=[batch.pk])
    assert "Importen misslyckades och inget importerades" in text(client.get(response["Location"]))
    assert not Participant.objects.filter(last_name="Importsson").exists()
    assert not AuditEvent.objects.filter(pk__gt=before).exclude(action="participant.list").exists()


def test_cancel_throws_the_list_away(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch([person(1)])
    response = personas.client("samordnare_sodra").post(reverse("import_cancel", args=[batch.pk]))
    assert response["Location"] == reverse("import_start")
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()


def test_cells_are_shown_as_text(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch([person(1, first="<script>alert(1)</script>", kommun="<b>Trosa</b>")])
    page = text(personas.client("samordnare_sodra").get(reverse("import_preview", args=[batch.pk])))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>Trosa</b>" not in page


# --- whose list ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["import_mapping", "import_preview", "import_done"])
def test_another_users_list_is_missing(
    personas: Personas, make_batch: MakeBatch, name: str
) -> None:
    batch = make_batch([person(1)])
    for persona in ("samordnare_norra", "insatsledare"):
        client = personas.client(persona)
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    # Another login with the same role and länsdel is another user.
    from tests.factories import StaffMemberFactory

    colleague = StaffMemberFactory(
        user=UserFactory(username="samordnare_sodra_2"),
        role_code="samordnare",
        lansdel=personas.samordnare_sodra.lansdel,
    )
    client = Client()
    client.force_login(colleague.user)
    assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("import_commit", args=[batch.pk]), {"rows": "2"}).status_code == 404
    assert not Participant.objects.filter(personnummer=pnr(1)).exists()


def test_the_second_insats_cannot_see_or_import_into_the_first(
    personas: Personas, steg: dict, make_batch: MakeBatch
) -> None:
    batch = make_batch([person(1)])  # samordnare_sodra's, Sikta mot arbetslivet
    client = Client()
    client.force_login(steg["samordnare"].user)
    for name in ("import_mapping", "import_preview", "import_done"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 404
    assert client.post(reverse("import_commit", args=[batch.pk]), {"rows": "2"}).status_code == 404
    # Their own upload goes into their insats; Sikta's kommuner and people are refused.
    response = upload_list(client, xlsx([person(2, kommun="Trosa", track="Steg")]))
    own = ImportBatch.objects.get(staff=steg["samordnare"])
    assert response.status_code == 302 and own.insats == steg["insats"]
    own.mapped = True
    own.save()
    page = text(client.get(reverse("import_preview", args=[own.pk])))
    assert "Kommunen ”Trosa” hör inte till insatsen." in page.replace("&quot;", '"')
    assert "Ingen rad kan importeras." in page


def test_a_stale_list_is_gone(personas: Personas, make_batch: MakeBatch) -> None:
    import datetime as dt

    from django.utils import timezone

    batch = make_batch([person(1)])
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    client = personas.client("samordnare_sodra")
    assert client.get(reverse("import_preview", args=[batch.pk])).status_code == 404


# --- the template ---------------------------------------------------------------------------


def test_the_template_file(personas: Personas) -> None:
    from openpyxl import load_workbook

    response = personas.client("samordnare_sodra").get(
        reverse("import_template", args=["deltagare"])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == [
        "Personnummer",
        "Förnamn",
        "Efternamn",
        "Kommun",
        "Spår",
        "Startdatum",
        "Coach/koordinator",
    ]
    assert sheet["A2"].number_format == "@"  # personnummer kept as text
    values = book.worksheets[2]
    kommuner = [c.value for c in values["A"][1:] if c.value]
    assert "Trosa" in kommuner and "Eskilstuna" not in kommuner  # their own länsdel's
    coaches = [c.value for c in values["D"][1:] if c.value]
    assert personas.coach_sodra.full_name in coaches
    assert personas.koordinator_norra.full_name not in coaches


def test_the_template_is_recognised_by_the_guess(personas: Personas) -> None:
    from openpyxl import load_workbook

    client = personas.client("insatsledare")
    for kind in ("deltagare", "arbetsgivare"):
        content = client.get(reverse("import_template", args=[kind])).content
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        sheet.append(["x"] * sheet.max_column)
        out = io.BytesIO()
        sheet.parent.save(out)
        upload_list(client, out.getvalue(), f"mall-{kind}.xlsx", kind=kind)
        batch = ImportBatch.objects.get(kind=kind)
        assert all(index is not None for key, index in batch.mapping.items() if key != "name"), (
            batch.mapping
        )


def test_an_unknown_template_is_missing(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")
    assert client.get(reverse("import_template", args=["hemligt"])).status_code == 404
