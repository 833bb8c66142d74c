"""Skyddad identitet: a protected participant is identified only to the responsible staff
member and the samordnare of the länsdel, never in exports, e-mails or documents, and every
read of them is flagged in the audit log.

The matrix tests request every page, export and document that shows participants as every
persona, with Alice (Trosa, Södra, coach_sodra) protected: her name, personnummer, birth date,
e-mail and phone appear only for coach_sodra and samordnare_sodra. The clients use English so
that the masked placeholder is known whatever the Swedish translation says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from sikta.access.policy import identity_scope, may_see_identity, may_see_referral_identity
from sikta.audit.chain import verify_chain
from sikta.audit.models import AuditAction, AuditEvent
from sikta.audit.review import review_draw
from sikta.audit.services import audit_record
from sikta.casework.documents import render_final_document
from sikta.casework.models import FinalDocument
from sikta.finsam import selectors as finsam
from sikta.groups.models import Group
from sikta.organisation.models import Kommun
from sikta.participants.models import Consent, Participant
from sikta.referrals import notifications
from sikta.referrals.models import Referral
from sikta.reports.evaluation import pseudonym
from sikta.worktraining.models import Employer, Placement
from tests.conftest import ALL_PERSONAS, ROLE_PERSONAS, Personas
from tests.factories import ParticipantFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# Who may see who Alice is: the coach responsible for her, and the samordnare of Södra.
ALLOWED = {"coach_sodra", "samordnare_sodra"}
EMAIL = "alice.zackrisson@example.se"
PHONE = "0701-234567"
TEXTS = {
    "summary": "Deltog i coachning.",
    "achieved": "Arbetstränar.",
    "recommendations": "Fortsätt.",
}


def secrets_of(person: Participant) -> list[str]:
    """Everything that tells who the person is."""
    pnr = person.personnummer
    return [
        person.first_name,
        person.last_name,
        str(pnr),
        pnr.digits,
        pnr.short(),
        pnr.birth_date.isoformat(),
        EMAIL,
        PHONE,
    ]


def masked(person: Participant, language: str = "en") -> str:
    with translation.override(language):
        return str(person.masked_name)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response: Any) -> str:
    """What a person could read in the response: a PDF's or spreadsheet's text, or the page."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8-sig", errors="replace")


def protect(participant: Participant, by: Any = None) -> None:
    participant.protected_identity = True
    participant.protected_identity_since = timezone.now()
    participant.protected_identity_by = by
    participant.save()


@dataclass
class World:
    p: Personas
    alice: Participant
    accepted: Referral  # the referral Alice came in through
    again: Referral  # a new, assessed referral of Alice
    group: Group  # led by coach_sodra_other, with Alice in it
    placement: Placement
    old_document: FinalDocument  # signed before she was marked: names her
    new_document: FinalDocument  # signed since: masked


@pytest.fixture
def world(personas: Personas) -> World:
    alice = personas.alice_sodra
    alice.email, alice.phone = EMAIL, PHONE
    alice.save()
    trosa = Kommun.objects.get(name="Trosa")
    identity = {
        "personnummer": alice.personnummer,
        "first_name": alice.first_name,
        "last_name": alice.last_name,
        "email": EMAIL,
        "phone": PHONE,
        "kommun": trosa,
    }
    accepted = ReferralFactory(**identity, participant=alice, status=Referral.Status.ACCEPTED)
    again = ReferralFactory(**identity, status=Referral.Status.ASSESSED)
    Consent.objects.create(
        participant=alice, text="Samtycke", given_on=alice.start_date, finsam=True
    )
    group = Group.objects.create(name="Må bra", lansdel=trosa.lansdel, insats=trosa.insats)
    group.leaders.add(personas.coach_sodra_other)
    group.members.add(alice)
    group.sessions.create(date="2026-11-20")
    employer = Employer.objects.create(
        name="Kafé Solrosen", organisation_number="556036-0793", sector="privat"
    )
    placement = Placement.objects.create(
        participant=alice, employer=employer, start_date="2026-01-01", insured_by="kommun"
    )
    old = FinalDocument.objects.create(
        participant=alice,
        **TEXTS,
        pdf=render_final_document(alice, TEXTS, "Coach"),
        signed_at=timezone.now() - dt.timedelta(days=1),
    )
    protect(alice)
    new = FinalDocument.objects.create(
        participant=alice, **TEXTS, pdf=render_final_document(alice, TEXTS, "Coach")
    )
    return World(personas, alice, accepted, again, group, placement, old, new)


def _review(w: World) -> dict[str, Any]:
    AuditEvent.objects.create(
        action=AuditAction.PARTICIPANT_VIEW,
        participant=w.alice,
        user=w.p.coach_sodra.user,
        username="coach_sodra",
        role="coach",
        detail={"protected_identity": True},
    )
    today = timezone.localdate()
    review = review_draw(
        user=w.p.insatsledare.user, period_from=today, period_to=today, sample_size=5
    )
    return {"pk": review.pk}


def _read_by_coach(w: World) -> bool:
    audit_record(
        user=w.p.coach_sodra.user, action=AuditAction.PARTICIPANT_VIEW, participant=w.alice
    )
    return True


def _status_report(w: World) -> dict[str, Any]:
    report = w.p.samordnare_sodra.lansdel.status_reports.create(
        period_start="2026-01-01", period_end="2026-12-31"
    )
    return {"pk": report.pk}


CASE = {"coach_sodra", "samordnare_sodra"}
LEADS = {"insatsagare", "insatsledare"}

# page: (URL given the world, who sees Alice's identity, who sees her case but masked)
PAGES: dict[str, tuple[Callable[[World], str], set[str], set[str]]] = {
    "participant_list": (lambda w: "/deltagare/?status=", CASE, LEADS),
    "start": (lambda w: "/", CASE, set()),
    **{
        name: (
            lambda w, name=name, extra=extra: reverse(name, kwargs={"pk": w.alice.pk, **extra(w)}),
            CASE,
            LEADS,
        )
        for name, extra in {
            "participant_detail": lambda w: {},
            "case_mapping": lambda w: {},
            "case_plan": lambda w: {},
            "case_plan_print": lambda w: {},
            "case_journal": lambda w: {},
            "case_exit": lambda w: {},
            "case_placements": lambda w: {},
            "case_placement": lambda w: {"placement": w.placement.pk},
            "case_final": lambda w: {},
            "case_surveys": lambda w: {},
            "case_consent": lambda w: {},
        }.items()
    },
    # The signed documents: the new one never names her, the old one only to the two.
    "case_final_pdf (new)": (
        lambda w: reverse("case_final_pdf", args=[w.alice.pk, w.new_document.pk]),
        set(),
        CASE | LEADS,
    ),
    "case_final_pdf (old)": (
        lambda w: reverse("case_final_pdf", args=[w.alice.pk, w.old_document.pk]),
        CASE,
        set(),
    ),
    "participant_assign": (
        lambda w: reverse("participant_assign", args=[w.alice.pk]),
        {"samordnare_sodra"},
        LEADS,
    ),
    # Removing the mark: the samordnare only (the coach is sent back to the case).
    "participant_protection": (
        lambda w: reverse("participant_protection", args=[w.alice.pk]),
        {"samordnare_sodra"},
        set(),
    ),
    "group_detail": (
        lambda w: reverse("group_detail", args=[w.group.pk]),
        {"samordnare_sodra"},
        LEADS | {"coach_sodra_other"},
    ),
    "group_session": (
        lambda w: reverse("group_session", args=[w.group.pk, w.group.sessions.get().pk]),
        {"samordnare_sodra"},
        LEADS | {"coach_sodra_other"},
    ),
    "employer_detail": (
        lambda w: reverse("employer_detail", args=[w.placement.employer_id]),
        CASE,
        LEADS,
    ),
    "referral_queue": (lambda w: "/aktualiseringar/?status=alla", {"samordnare_sodra"}, set()),
    "referral_detail": (
        lambda w: reverse("referral_detail", args=[w.again.pk]),
        {"samordnare_sodra"},
        set(),
    ),
    "referral_detail (accepted)": (
        lambda w: reverse("referral_detail", args=[w.accepted.pk]),
        {"samordnare_sodra"},
        set(),
    ),
    "referral_accept": (
        lambda w: reverse("referral_accept", args=[w.again.pk]),
        {"samordnare_sodra"},
        set(),
    ),
    "audit_search": (
        lambda w: _read_by_coach(w) and "/logg/?user=coach_sodra",
        set(),
        LEADS,
    ),
    "audit_review_detail": (
        lambda w: reverse("audit_review_detail", kwargs=_review(w)),
        set(),
        LEADS,
    ),
    # Exports and reports: nobody, whatever their role.
    "finsam_list": (lambda w: "/rapporter/finsam/?visa=alla", set(), set()),
    "finsam_export (csv)": (
        lambda w: "/rapporter/finsam/export/?visa=alla&format=csv",
        set(),
        set(),
    ),
    "finsam_export (xlsx)": (
        lambda w: "/rapporter/finsam/export/?visa=alla&format=xlsx",
        set(),
        set(),
    ),
    "evaluation_export": (lambda w: "/rapporter/utvardering/?format=csv", set(), set()),
    "report_dashboard": (lambda w: "/rapporter/", set(), set()),
    "status_report_pdf": (
        lambda w: reverse("status_report_pdf", kwargs=_status_report(w)),
        set(),
        set(),
    ),
}


def _xlsx_text(response: Any) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return "\n".join(
        " ".join(str(c) for c in row if c is not None)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_only_the_two_see_who_she_is(world: World, page: str, persona: str) -> None:
    url_of, sees, sees_masked = PAGES[page]
    url = url_of(world)
    response = english(world.p.client(persona)).get(url)
    if "xlsx" in page and response.status_code == 200:
        body = _xlsx_text(response)
    else:
        body = text_of(response)
    shown = [s for s in secrets_of(world.alice) if s in body]
    if persona in sees:
        assert response.status_code == 200, (page, persona, response.status_code)
        assert world.alice.last_name in body, (page, persona)
    else:
        assert not shown, (page, persona, shown)
    if persona in sees_masked:
        assert response.status_code == 200, (page, persona, response.status_code)
        # Documents are in Swedish whatever the reader's language.
        pdf = response["Content-Type"].startswith("application/pdf")
        marker = masked(world.alice, settings.LANGUAGE_CODE if pdf else "en")
        assert " ".join(marker.split()) in " ".join(body.split()), (page, persona)


def test_the_evaluator_data_set_leaves_her_out(world: World) -> None:
    response = world.p.client("utvarderare").get("/rapporter/utvardering/", {"format": "csv"})
    text = text_of(response)
    assert pseudonym(world.alice) not in text
    assert pseudonym(world.p.bo_norra) in text


def test_finsam_counts_her_anonymously_and_never_by_name(world: World) -> None:
    visible = Participant.objects.all()
    assert world.alice not in finsam.checklist(visible, finsam.SHOW_ALL)
    assert finsam.protected_count(visible) == 1
    # Alice (protected, though she consented) and Bo (no consent).
    assert sum(n for _year, _gender, n in finsam.anonymous_counts(visible)) == 2
    response = world.p.client("samordnare_sodra").get(
        "/rapporter/finsam/export/", {"visa": "alla", "format": "csv"}
    )
    lines = list(csv.reader(io.StringIO(text_of(response)), delimiter=";"))
    assert all(str(world.alice.personnummer) not in line for line in lines)


# --- the policy -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_may_see_identity(personas: Personas, persona: str) -> None:
    alice, bo = personas.alice_sodra, personas.bo_norra
    user = getattr(personas, persona).user
    assert may_see_identity(user, alice)  # not protected: the case rules decide alone
    protect(alice)
    assert may_see_identity(user, alice) == (persona in ALLOWED)
    assert (alice in Participant.objects.filter(identity_scope(user))) == (persona in ALLOWED)
    assert may_see_identity(user, bo)
    assert not may_see_identity(None, alice)  # documents and e-mails: nobody


def test_reassignment_moves_who_sees_her(personas: Personas) -> None:
    alice = personas.alice_sodra
    protect(alice)
    alice.assigned_to = personas.coach_sodra_other
    alice.save()
    assert not may_see_identity(personas.coach_sodra.user, alice)
    assert may_see_identity(personas.coach_sodra_other.user, alice)


def test_her_referrals_are_masked_too(world: World) -> None:
    p = world.p
    for referral in (world.accepted, world.again):
        assert may_see_referral_identity(p.samordnare_sodra.user, referral)
        assert not may_see_referral_identity(p.insatsledare.user, referral)
    assert may_see_referral_identity(p.insatsledare.user, p.referral_sodra)


def test_str_and_full_name_are_masked_by_default(personas: Personas) -> None:
    alice = personas.alice_sodra
    assert str(alice) == "Alice Zackrisson"
    protect(alice)
    with translation.override("en"):
        assert str(alice) == alice.full_name == f"Protected identity #{alice.pk}"
    assert alice.legal_name == "Alice Zackrisson"


def test_searching_by_her_name_or_personnummer_finds_nothing_for_others(world: World) -> None:
    alice = world.alice
    for query in ("Zackrisson", str(alice.personnummer)):
        lead = world.p.client("insatsledare").get("/deltagare/", {"q": query, "status": ""})
        assert list(lead.context["page"]) == []
        own = world.p.client("samordnare_sodra").get("/deltagare/", {"q": query, "status": ""})
        assert list(own.context["page"]) == [alice]


def test_masked_rows_come_last_for_those_who_see_them_masked(world: World) -> None:
    ParticipantFactory(last_name="Östlund", kommun=Kommun.objects.get(name="Trosa"))
    lead = world.p.client("insatsledare").get("/deltagare/", {"status": ""})
    assert list(lead.context["page"])[-1] == world.alice


def test_her_referrals_come_last_in_the_leads_queue_sorted_by_name(world: World) -> None:
    ReferralFactory(last_name="Åberg", status=Referral.Status.ASSESSED)
    lead = world.p.client("insatsledare").get(
        "/aktualiseringar/", {"status": "alla", "sortera": "namn"}
    )
    rows = [r for r, _evaluation, _flags in lead.context["rows"]]
    assert set(rows[-2:]) == {world.accepted, world.again}
    own = world.p.client("samordnare_sodra").get(
        "/aktualiseringar/", {"status": "alla", "sortera": "namn"}
    )
    by_name = Referral.objects.filter(kommun__lansdel=world.alice.kommun.lansdel).order_by(
        "last_name", "first_name", "pk"
    )
    # Nothing is masked for her: the plain order by name, as the database sorts.
    assert [r for r, _evaluation, _flags in own.context["rows"]] == list(by_name)


def test_others_cannot_refer_her_on(world: World) -> None:
    response = english(world.p.client("insatsledare")).get(
        reverse("case_refer_on", args=[world.alice.pk]), follow=True
    )
    body = text_of(response)
    assert "only the responsible coach" in body
    assert not [s for s in secrets_of(world.alice) if s in body]


# --- the log flag -----------------------------------------------------------------------------


def _last(action: str, **filters: Any) -> AuditEvent:
    return AuditEvent.objects.filter(action=action, **filters).order_by("-sequence").first()


@pytest.mark.parametrize("persona", ["insatsledare", "samordnare_sodra", "coach_sodra"])
def test_every_read_of_her_is_flagged(world: World, persona: str) -> None:
    client = world.p.client(persona)
    client.get(reverse("participant_detail", args=[world.alice.pk]))
    assert _last("participant.view", participant=world.alice).detail["protected_identity"]
    client.get("/deltagare/", {"status": ""})
    listed = AuditEvent.objects.filter(action="participant.list")
    assert listed.get(participant=world.alice).detail == {"protected_identity": True}
    if persona == "insatsledare":  # Bo is listed too, unflagged
        assert listed.get(participant=world.p.bo_norra).detail == {}


def test_reads_of_others_are_not_flagged(world: World) -> None:
    world.p.client("insatsledare").get(reverse("participant_detail", args=[world.p.bo_norra.pk]))
    assert _last("participant.view", participant=world.p.bo_norra).detail == {}


def test_referral_reads_and_exports_of_her_are_flagged(world: World) -> None:
    client = world.p.client("insatsledare")
    client.get(reverse("referral_detail", args=[world.again.pk]))
    assert _last("referral.view", referral=world.again).detail["protected_identity"]
    client.get("/aktualiseringar/", {"status": "alla"})
    flagged = AuditEvent.objects.filter(action="referral.list", detail__protected_identity=True)
    assert set(flagged.values_list("referral", flat=True)) == {world.again.pk, world.accepted.pk}
    client.get(reverse("case_final_pdf", args=[world.alice.pk, world.new_document.pk]))
    assert _last("participant.export", participant=world.alice).detail["protected_identity"]
    client.get(reverse("group_detail", args=[world.group.pk]))
    assert _last("participant.list", participant=world.alice).detail["protected_identity"]
    assert verify_chain().ok


def test_an_old_document_naming_her_is_refused_and_not_logged_as_exported(world: World) -> None:
    response = world.p.client("insatsledare").get(
        reverse("case_final_pdf", args=[world.alice.pk, world.old_document.pk])
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="participant.export").exists()
    coach = world.p.client("coach_sodra").get(
        reverse("case_final_pdf", args=[world.alice.pk, world.old_document.pk])
    )
    assert "Zackrisson" in text_of(coach)


def test_the_new_document_carries_the_referral_reference_instead(world: World) -> None:
    text = text_of(
        world.p.client("coach_sodra").get(
            reverse("case_final_pdf", args=[world.alice.pk, world.new_document.pk])
        )
    )
    assert world.accepted.reference in text
    assert f"#{world.alice.pk}" in text


def test_the_audit_log_shows_and_filters_the_flag(world: World) -> None:
    world.p.client("coach_sodra").get(reverse("participant_detail", args=[world.alice.pk]))
    world.p.client("coach_sodra").get(reverse("participant_detail", args=[world.p.bo_norra.pk]))
    client = english(world.p.client("insatsledare"))
    response = client.get("/logg/", {"protected": "on"})
    events = list(response.context["page"])
    assert events and all(e.detail.get("protected_identity") for e in events)
    assert world.alice in {e.participant for e in events}
    assert 'class="flag protected"' in response.content.decode()
    client.get("/logg/", {"personnummer": str(world.alice.personnummer)})
    assert _last("audit.search").detail["protected_identity"]


def test_the_log_does_not_keep_the_search_that_found_her(world: World) -> None:
    """The page of a flagged record is kept without its query: `?q=<surname>` next to
    "Protected identity #id" would tell the log's readers who she is."""
    coach = world.p.client("coach_sodra")
    coach.get("/deltagare/", {"q": world.alice.last_name})
    coach.get("/deltagare/", {"q": str(world.alice.personnummer)})
    world.p.client("insatsledare").get("/logg/", {"personnummer": str(world.alice.personnummer)})

    flagged = AuditEvent.objects.filter(detail__protected_identity=True)
    assert flagged.filter(action="participant.list").exists()
    assert all("?" not in e.path for e in flagged)
    page = world.p.client("insatsledare").get("/logg/", {"protected": "on"}).content.decode()
    for secret in secrets_of(world.alice):
        assert secret not in page


def test_a_log_review_always_takes_in_the_reads_of_her(world: World) -> None:
    lead = world.p.client("insatsledare")
    for _ in range(5):
        lead.get(reverse("participant_detail", args=[world.p.bo_norra.pk]))  # not flagged
    coach = world.p.client("coach_sodra")
    for _ in range(3):
        coach.get("/")  # lists her: flagged
    today = timezone.localdate()
    review = review_draw(
        user=world.p.insatsledare.user, period_from=today, period_to=today, sample_size=1
    )
    items = list(review.items.all())
    events = AuditEvent.objects.in_bulk([i.event_id for i in items])
    flagged = [i for i in items if events[i.event_id].detail.get("protected_identity")]
    assert len(flagged) == AuditEvent.objects.filter(detail__protected_identity=True).count()
    # Outside the caseload first, then hers, then the rest.
    order = [
        (not i.outside_caseload, not events[i.event_id].detail.get("protected_identity"))
        for i in items
    ]
    assert order == sorted(order)
    page = english(world.p.client("insatsledare")).get(
        reverse("audit_review_detail", args=[review.pk])
    )
    assert 'class="flag protected"' in page.content.decode()


# --- e-mails ----------------------------------------------------------------------------------


def test_no_email_names_her(world: World, time_machine) -> None:
    time_machine.move_to("2026-11-24 08:00 +01:00")
    for staff in (world.p.coach_sodra, world.p.samordnare_sodra):
        staff.email = f"{staff.user.username}@example.se"
        staff.save()
    call_command("send_reminders", stdout=io.StringIO())
    notifications.new_referral(world.again)
    notifications.decision(world.accepted)
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert not [s for s in secrets_of(world.alice) if s in text], message.subject


def test_accepting_her_again_sends_no_name_in_the_decision(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = world.p.client("samordnare_sodra")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referral_accept", args=[world.again.pk]),
            {
                "caseworker": world.p.coach_sodra.pk,
                "start_date": timezone.localdate().isoformat(),
                "consent_confirmed": "on",
            },
        )
    world.again.refresh_from_db()
    assert world.again.status == Referral.Status.ACCEPTED
    assert mail.outbox
    for message in mail.outbox:
        assert not [s for s in secrets_of(world.alice) if s in message.body]


# --- marking and unmarking --------------------------------------------------------------------


def _protection(personas: Personas, persona: str, data: dict | None = None) -> Any:
    url = reverse("participant_protection", args=[personas.alice_sodra.pk])
    client = personas.client(persona)
    return client.post(url, data) if data is not None else client.get(url)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coach_sodra", 302),
        ("samordnare_sodra", 302),
        ("insatsagare", 403),
        ("insatsledare", 403),
        ("samordnare_norra", 404),
        ("coach_sodra_other", 404),
        ("koordinator_norra", 404),
        ("styrgrupp", 403),
        ("utvarderare", 403),
        ("no_role", 403),
        ("admin", 403),
    ],
)
def test_who_may_mark(personas: Personas, persona: str, status: int) -> None:
    response = _protection(
        personas, persona, {"protect": "1", "confirm": "on", "note": "Skyddad folkbokföring"}
    )
    assert response.status_code == status
    alice = Participant.objects.get(pk=personas.alice_sodra.pk)
    assert alice.protected_identity == (status == 302)
    marks = AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_PROTECTION)
    if status == 302:
        event = marks.get()
        assert event.username == persona
        assert event.detail == {
            "op": "mark",
            "note": "Skyddad folkbokföring",
            "protected_identity": True,
        }
        assert alice.protected_identity_by == getattr(personas, persona).user
        assert alice.protected_identity_since is not None
    else:
        assert not marks.exists()


def test_marking_needs_a_confirmation(personas: Personas) -> None:
    page = _protection(personas, "coach_sodra")
    assert page.status_code == 200
    assert 'name="confirm"' in page.content.decode()
    response = _protection(personas, "coach_sodra", {"protect": "1", "note": ""})
    assert response.status_code == 400
    assert not Participant.objects.get(pk=personas.alice_sodra.pk).protected_identity


def test_only_the_samordnare_may_remove_the_mark(personas: Personas) -> None:
    protect(personas.alice_sodra)
    response = _protection(personas, "coach_sodra", {"protect": "0", "confirm": "on"})
    assert response.status_code == 302
    assert Participant.objects.get(pk=personas.alice_sodra.pk).protected_identity
    assert not AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_PROTECTION).exists()

    response = _protection(personas, "samordnare_sodra", {"protect": "0", "confirm": "on"})
    assert response.status_code == 302
    alice = Participant.objects.get(pk=personas.alice_sodra.pk)
    assert not alice.protected_identity and alice.protected_identity_since is None
    event = AuditEvent.objects.get(action=AuditAction.PARTICIPANT_PROTECTION)
    assert event.detail == {"op": "unmark", "protected_identity": True}
    # From now on her reads are ordinary again.
    personas.client("insatsledare").get(reverse("participant_detail", args=[alice.pk]))
    assert _last("participant.view", participant=alice).detail == {}


def test_a_second_submit_of_the_same_form_does_not_undo_the_mark(personas: Personas) -> None:
    """A double click or a stale tab sends "mark" again: the person stays protected."""
    sent = {"protect": "1", "confirm": "on"}
    assert _protection(personas, "samordnare_sodra", sent).status_code == 302
    assert _protection(personas, "samordnare_sodra", sent).status_code == 302

    assert Participant.objects.get(pk=personas.alice_sodra.pk).protected_identity
    assert AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_PROTECTION).count() == 1


def test_the_detail_page_offers_the_right_link(personas: Personas) -> None:
    url = reverse("participant_detail", args=[personas.alice_sodra.pk])
    mark_url = reverse("participant_protection", args=[personas.alice_sodra.pk])
    assert mark_url in personas.client("coach_sodra").get(url).content.decode()
    assert mark_url not in personas.client("insatsledare").get(url).content.decode()
    protect(personas.alice_sodra)
    assert mark_url not in personas.client("coach_sodra").get(url).content.decode()
    assert mark_url in personas.client("samordnare_sodra").get(url).content.decode()


def test_accepting_a_referral_can_mark_the_person(personas: Personas) -> None:
    referral = personas.referral_sodra
    response = personas.client("samordnare_sodra").post(
        reverse("referral_accept", args=[referral.pk]),
        {
            "caseworker": personas.coach_sodra.pk,
            "start_date": timezone.localdate().isoformat(),
            "consent_confirmed": "on",
            "protected_identity": "on",
        },
    )
    assert response.status_code == 302
    participant = Participant.objects.get(personnummer=referral.personnummer)
    assert participant.protected_identity
    assert participant.protected_identity_by == personas.samordnare_sodra.user
    mark = AuditEvent.objects.get(action=AuditAction.PARTICIPANT_PROTECTION)
    assert mark.detail == {"op": "mark", "protected_identity": True}
    assert mark.referral == referral
    # The referral is now masked for the leads.
    page = english(personas.client("insatsledare")).get(
        reverse("referral_detail", args=[referral.pk])
    )
    assert "Cilla" not in page.content.decode()
    assert str(referral.personnummer) not in page.content.decode()


def test_accepting_without_the_box_changes_nothing(personas: Personas) -> None:
    referral = personas.referral_sodra
    personas.client("samordnare_sodra").post(
        reverse("referral_accept", args=[referral.pk]),
        {
            "caseworker": personas.coach_sodra.pk,
            "start_date": timezone.localdate().isoformat(),
            "consent_confirmed": "on",
        },
    )
    assert not Participant.objects.get(personnummer=referral.personnummer).protected_identity
    assert not AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_PROTECTION).exists()
