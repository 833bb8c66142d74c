"""The lägesrapport: key figures counted by hand on a small fixed data set and read back from
the PDF; suppression, scope, the comments, the audit record."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from sikta.audit.models import AuditEvent
from sikta.casework.models import Exit
from sikta.organisation.models import Insats, Kommun, Lansdel, Outcome
from sikta.participants.models import Participant
from sikta.referrals.models import Referral
from sikta.reports import lagesrapport
from sikta.reports.lagesrapport import MEASURES, TOTAL, _Table, default_period, hidden_cells
from sikta.reports.models import StatusReport
from sikta.worktraining.models import Employer, Placement
from tests.conftest import Personas
from tests.factories import ParticipantFactory, ReferralFactory, fictional_personnummer

pytestmark = pytest.mark.django_db
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


@pytest.fixture
def data(personas: Personas) -> None:
    """Besides the personas (Alice: Trosa, Bo: Strängnäs; men, active since 2025-03-01; the
    persona referral arrives today, after the period):

    - Nyköping (Södra): 6 women enrolled 2026-01-15, discharged 2026-05-31 to work, 5 of
      them with a work training started 2026-03-01 and still going on;
      2 men enrolled 2026-02-01, still active; 5 referrals received 2026-03-01.
    - Eskilstuna (Norra): 2 referrals received 2026-03-02.
    - Katrineholm (Västra): 5 men enrolled 2025-01-10, discharged 2026-03-31 to "moved"
      (not a destination) after 445 days: longer than one year.

    The whole programme in the period: 7 referrals, 8 enrolled (6 women, 2 men), 11
    discharged, 6 of them to a destination (55 %), 5 after more than a year, 4 active at the
    end (Alice, Bo, the 2 Nyköping men: below 5, hidden), 5 work trainings started and going on.
    """
    nykoping = Kommun.objects.get(name="Nyköping")
    employer = Employer.objects.create(
        name="Kafé", organisation_number="556036-0793", sector="privat"
    )
    for n in range(6):
        p = ParticipantFactory(
            kommun=nykoping,
            start_date=dt.date(2026, 1, 15),
            end_date=dt.date(2026, 5, 31),
            status=Participant.Status.CLOSED,
            personnummer=fictional_personnummer(700 + n, female=True),
        )
        Exit.objects.create(
            participant=p,
            start_date=p.start_date,
            end_date=p.end_date,
            outcome=Outcome.objects.get(code="arbete"),
        )
        if n < 5:
            Placement.objects.create(
                participant=p,
                employer=employer,
                start_date=dt.date(2026, 3, 1),
                insured_by="kommun",
                status=Placement.Status.ONGOING,
            )
    for _n in range(2):
        ParticipantFactory(kommun=nykoping, start_date=dt.date(2026, 2, 1))
    for _n in range(5):
        p = ParticipantFactory(
            kommun=Kommun.objects.get(name="Katrineholm"),
            start_date=dt.date(2025, 1, 10),
            end_date=dt.date(2026, 3, 31),
            status=Participant.Status.CLOSED,
        )
        Exit.objects.create(
            participant=p,
            start_date=p.start_date,
            end_date=p.end_date,
            outcome=Outcome.objects.get(code="flyttat"),
        )
    for _n in range(5):
        ReferralFactory(received_at=dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC))
    for _n in range(2):
        ReferralFactory(
            received_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
            kommun=Kommun.objects.get(name="Eskilstuna"),
        )


def sv(text: object) -> str:
    with translation.override("sv"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def figure(text: str, label: object) -> str:
    """The number printed after a key figure's label (the first time it appears)."""
    found = re.search(re.escape(sv(label)) + r"\s+(<?\d+)", text)
    assert found, sv(label)
    return found.group(1)


def report(lansdel: Lansdel | None = None, *, draft: bool = False, **texts: str) -> StatusReport:
    return StatusReport.objects.create(
        insats=lansdel.insats if lansdel else Insats.objects.get(),
        lansdel=lansdel,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        published_at=None if draft else dt.datetime(2026, 7, 10, 9, tzinfo=dt.UTC),
        **texts,
    )


def test_the_default_period_is_the_last_completed_half_year() -> None:
    assert default_period(dt.date(2026, 11, 24)) == PERIOD
    assert default_period(dt.date(2026, 7, 1)) == PERIOD
    assert default_period(dt.date(2026, 6, 30)) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    assert default_period(dt.date(2026, 1, 1)) == (dt.date(2025, 7, 1), dt.date(2025, 12, 31))


def test_the_key_figures_counted_by_hand(data) -> None:
    with translation.override("sv"):
        found = lagesrapport.status_report_data(
            None, PERIOD, minimum=5, insats=Insats.objects.current()
        )
    figures = dict(found.key_figures)
    assert [figures[sv(MEASURES[m])] for m in MEASURES] == [
        "7",  # referrals
        "8",  # enrolled
        "11",  # discharged
        "<5",  # active at the end: 4
        "5",  # work trainings started
        "5",  # ongoing at the end
        "6",  # to a destination
        "5",  # longer than one year
    ]
    assert found.share == "55\xa0%" and found.over_year_share == "45\xa0%"
    assert {name: n for name, _d, n in found.outcome_rows}["Arbete"] == "6"
    by_gender = {line.label: line.cells for line in found.gender.lines}
    assert found.gender.groups == ["Kvinnor", "Män"]
    # 6 women and 2 men enrolled: the 2 is hidden, so the 6 is too (8 - 6 = 2), as "–": it
    # is hidden to protect the 2, and is not small itself.
    assert by_gender[sv(MEASURES["enrolled"])] == ["–", "<5", "8"]
    assert by_gender[sv(MEASURES["discharged"])] == ["6", "5", "11"]
    assert by_gender[sv("Share to the six destinations")] == ["100\xa0%", "0\xa0%", "55\xa0%"]
    by_area = {line.label: line.cells for line in found.areas.lines}
    assert found.areas.groups == ["Södra länsdelen", "Norra länsdelen", "Västra länsdelen"]
    assert by_area[sv(MEASURES["discharged"])] == ["6", "0", "5", "11"]
    assert by_area[sv(MEASURES["referrals"])] == ["–", "<5", "0", "7"]  # 5 and 2
    assert by_area[sv(MEASURES["active"])] == ["<5", "<5", "0", "<5"]  # 3, 1; 4 in all


def test_a_total_hidden_in_one_table_is_hidden_in_every_table() -> None:
    # By gender: 6 to a destination, 3 not: the 3 is hidden, so is the 6 beside it in the
    # column of totals. By area everything is in one area: its 6 would give the total away.
    def counts(groups: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {"destination": {}, "other": {}, "discharged": {}}
        for group, (dest, other) in groups.items():
            found["destination"][group] = dest
            found["other"][group] = other
            found["discharged"][group] = dest + other
        for values in found.values():
            values[TOTAL] = sum(values.values())
        return found

    block = [["destination", "other", "discharged"]]
    tables = {
        "gender": _Table(counts({"K": (0, 0), "M": (6, 3)}), ["K", "M"], block),
        "area": _Table(counts({"A": (6, 3), "B": (0, 0)}), ["A", "B"], block),
    }
    hidden = hidden_cells(tables, 5)
    assert ("*", "destination", TOTAL) in hidden
    assert ("area", "destination", "A") in hidden and ("gender", "destination", "M") in hidden
    assert ("area", "discharged", "A") not in hidden  # 9: shown, as is the total 9


def test_the_pdf_shows_the_figures_and_the_comments(personas: Personas, data) -> None:
    made = report(
        summary="Läget är stabilt.",
        activities="Två gruppverksamheter om psykisk hälsa.",
        challenges="Få aktualiseringar från Försäkringskassan.",
        next_period="Fler arbetsgivare till arbetsträning.",
    )
    client = personas.client("insatsledare")
    client.cookies["django_language"] = "en"  # the PDF is Swedish whatever the reader's choice

    response = client.get(f"/rapporter/lagesrapport/{made.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response)
    assert "Sikta mot arbetslivet" in text and sv("The whole programme") in text
    assert "2026-01-01 – 2026-06-30" in text
    assert timezone.localdate().isoformat() in text  # the day it was made
    assert figure(text, MEASURES["referrals"]) == "7"
    assert figure(text, MEASURES["enrolled"]) == "8"
    assert figure(text, MEASURES["discharged"]) == "11"
    assert figure(text, MEASURES["active"]) == "<5"
    assert figure(text, MEASURES["placements_started"]) == "5"
    assert figure(text, MEASURES["destination"]) == "6"
    assert figure(text, MEASURES["over_year"]) == "5"
    text = text.replace("\xa0", " ")
    assert "55 %" in text and "100 %" in text
    assert "Kvinnor" in text and "Män" in text and "Västra länsdelen" in text
    for comment in (
        "Läget är stabilt.",
        "Två gruppverksamheter om psykisk hälsa.",
        "Få aktualiseringar från Försäkringskassan.",
        "Fler arbetsgivare till arbetsträning.",
    ):
        assert comment in text


def test_the_pdf_names_nobody(personas: Personas, data) -> None:
    made = report()
    text = pdf_text(personas.client("styrgrupp").get(f"/rapporter/lagesrapport/{made.pk}/pdf/"))
    for person in [*Participant.objects.all(), *Referral.objects.all()]:
        pnr = str(person.personnummer)
        assert pnr not in text and pnr[2:8] not in text
        assert person.first_name not in text and person.last_name not in text
    assert not re.search(r"\d{6}[-+]?\d{4}", text)


def test_small_numbers_are_hidden_in_the_pdf(personas: Personas, data) -> None:
    made = report(lansdel=Lansdel.objects.get(slug="sodra"))
    text = pdf_text(personas.client("insatsledare").get(f"/rapporter/lagesrapport/{made.pk}/pdf/"))
    # Södra: 3 active at the end (Alice and the 2 Nyköping men): hidden, even for a lead.
    assert figure(text, MEASURES["active"]) == "<5"
    assert not re.search(re.escape(sv(MEASURES["active"])) + r"\s+3\b", text)
    assert figure(text, MEASURES["enrolled"]) == "8"
    assert figure(text, MEASURES["discharged"]) == "6"
    # The breakdown is by the länsdel's kommuner.
    assert "Nyköping" in text and "Oxelösund" in text and "Västra" not in text


def test_the_download_is_audited(personas: Personas, data) -> None:
    made = report(lansdel=Lansdel.objects.get(slug="sodra"))
    personas.client("styrgrupp").get(f"/rapporter/lagesrapport/{made.pk}/pdf/")
    (event,) = AuditEvent.objects.filter(action="report.export")
    assert event.detail == {
        "what": "lägesrapport",
        "report": made.pk,
        "period": ["2026-01-01", "2026-06-30"],
        "area": "sodra",
        "insats": "sikta-mot-arbetslivet",
    }
    assert event.username == "styrgrupp" and event.participant is None


def test_a_samordnare_starts_and_writes_the_report_of_their_lansdel(
    personas: Personas, data
) -> None:
    client = personas.client("samordnare_sodra")
    sodra = Lansdel.objects.get(slug="sodra")
    page = client.get("/rapporter/lagesrapport/")
    form = page.context["form"]
    assert list(form.fields["lansdel"].queryset) == [sodra]
    assert form["date_from"].value() == default_period(timezone.localdate())[0]

    response = client.post(
        "/rapporter/lagesrapport/ny/",
        {"date_from": "2026-01-01", "date_to": "2026-06-30", "lansdel": sodra.pk},
    )
    made = StatusReport.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/rapporter/lagesrapport/{made.pk}/"
    )
    assert made.lansdel == sodra and made.author_name

    page = client.get(f"/rapporter/lagesrapport/{made.pk}/")
    assert page.status_code == 200
    enrolled = {line.label: line.cells for line in page.context["data"].areas.lines}
    assert enrolled[sv(MEASURES["enrolled"])][-1] == "8"  # the preview counts Södra

    response = client.post(
        f"/rapporter/lagesrapport/{made.pk}/",
        {"summary": "Läget", "activities": "A", "challenges": "U", "next_period": "N"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.summary, made.next_period) == ("Läget", "N")


def test_a_samordnare_cannot_write_for_another_area(personas: Personas) -> None:
    client = personas.client("samordnare_norra")
    sodra = Lansdel.objects.get(slug="sodra")
    for area in (sodra.pk, ""):  # Södra, or the whole programme
        response = client.post(
            "/rapporter/lagesrapport/ny/",
            {"date_from": "2026-01-01", "date_to": "2026-06-30", "lansdel": area},
        )
        assert response.status_code == 400
        assert response.context["form"].errors["lansdel"]
    assert not StatusReport.objects.exists()

    theirs = report(lansdel=sodra, summary="Södras text")
    whole = report()
    for made in (theirs, whole):
        assert client.get(f"/rapporter/lagesrapport/{made.pk}/").status_code == 404
        response = client.post(f"/rapporter/lagesrapport/{made.pk}/", {"summary": "Ändrat"})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.summary == "Södras text"
    # Reading another area's PDF is fine: aggregates, small cells hidden.
    assert client.get(f"/rapporter/lagesrapport/{theirs.pk}/pdf/").status_code == 200


def test_a_lead_writes_the_whole_programmes_report(personas: Personas) -> None:
    client = personas.client("insatsledare")
    response = client.post(
        "/rapporter/lagesrapport/ny/",
        {"date_from": "2026-01-01", "date_to": "2026-06-30", "lansdel": ""},
    )
    assert response.status_code == 302
    assert StatusReport.objects.get().lansdel is None


def test_the_period_must_be_in_order(personas: Personas) -> None:
    response = personas.client("insatsledare").post(
        "/rapporter/lagesrapport/ny/", {"date_from": "2026-06-30", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date_to"]


def test_a_personnummer_in_a_comment_is_refused(personas: Personas) -> None:
    made = report(lansdel=Lansdel.objects.get(slug="sodra"))
    response = personas.client("samordnare_sodra").post(
        f"/rapporter/lagesrapport/{made.pk}/",
        {"summary": "Deltagaren 19950101-1234 har fått arbete."},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["summary"]
    made.refresh_from_db()
    assert made.summary == ""


def test_the_aggregate_roles_read_but_do_not_write(personas: Personas) -> None:
    made = report()
    for name in ("styrgrupp", "utvarderare", "coach_sodra"):
        client = personas.client(name)
        page = client.get("/rapporter/lagesrapport/")
        assert page.status_code == 200 and page.context["form"] is None
        assert f"/rapporter/lagesrapport/{made.pk}/pdf/" in page.content.decode()
        assert f'href="/rapporter/lagesrapport/{made.pk}/"' not in page.content.decode()
        assert client.get(f"/rapporter/lagesrapport/{made.pk}/").status_code == 403
        assert client.post("/rapporter/lagesrapport/ny/", {}).status_code == 403


def test_the_list_is_newest_first(personas: Personas) -> None:
    older = report()
    older.created_at = timezone.now() - dt.timedelta(days=30)
    older.save()
    newer = report(lansdel=Lansdel.objects.get(slug="norra"))
    page = personas.client("styrgrupp").get("/rapporter/lagesrapport/")
    assert [r.pk for r, _w in page.context["reports"]] == [newer.pk, older.pk]


def test_the_styrgrupp_sees_the_published_report_and_not_the_draft(personas) -> None:
    draft = report(draft=True, summary="Utkast, inte klart")
    lead = personas.client("insatsledare")
    assert lead.get(f"/rapporter/lagesrapport/{draft.pk}/pdf/").status_code == 200
    styrgrupp = personas.client("styrgrupp")
    assert styrgrupp.get(f"/rapporter/lagesrapport/{draft.pk}/pdf/").status_code == 404
    listing = styrgrupp.get("/rapporter/lagesrapport/")
    assert [r for r, _w in listing.context["reports"]] == [] and listing.context["latest"] is None
    lead.post(f"/rapporter/lagesrapport/{draft.pk}/", {"publish": "1"})
    draft.refresh_from_db()
    assert draft.published_at is not None
    listing = styrgrupp.get("/rapporter/lagesrapport/")
    assert listing.context["latest"] == draft
    assert f"/rapporter/lagesrapport/{draft.pk}/pdf/" in listing.content.decode()
    assert styrgrupp.get(f"/rapporter/lagesrapport/{draft.pk}/pdf/").status_code == 200
