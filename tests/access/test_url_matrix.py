"""Every URL in the URLconf, requested as every role: allowed or denied as the policy says.

A URL that is not in MATRIX fails `test_every_url_is_in_the_matrix`, so a new page cannot be
added without deciding who may see it. Django's admin is checked as a whole: only staff users
(the admin persona) get past its login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sikta.audit.models import AuditEvent
from tests.conftest import ALL_PERSONAS, ROLE_PERSONAS, Personas

OK, LOGIN, FORBIDDEN, MISSING, NOT_ALLOWED, REDIRECT = (
    "ok",
    "login",
    "forbidden",
    "missing",
    "method not allowed",
    "redirect",
)
# Everyone whose role works with identified people: all but the aggregate roles.
PERSON_ROLES = set(ROLE_PERSONAS) - {"styrgrupp", "utvarderare"}
# Those who handle referrals and assign cases: the leads, and the samordnare of the länsdel.
LEADS = {"insatsagare", "insatsledare", "samordnare_sodra", "samordnare_norra"}
LEADS_SODRA = LEADS - {"samordnare_norra"}


def expect(default: str, anonymous: str = LOGIN, **overrides: str) -> dict[str, str]:
    table = dict.fromkeys(ALL_PERSONAS, default)
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def _denied_unless(allowed: set[str], deny: str = FORBIDDEN) -> dict[str, str]:
    return expect(deny, **dict.fromkeys(allowed, OK))


# Alice lives in Trosa (Södra) and has coach_sodra. Outsiders with person access get 404:
# from outside, "missing" and "forbidden" look the same.
ALICE = {
    **_denied_unless({"insatsagare", "insatsledare", "samordnare_sodra", "coach_sodra"}),
    "samordnare_norra": MISSING,
    "coach_sodra_other": MISSING,
    "koordinator_norra": MISSING,
}
# A POST-only action of one of Alice's pages (a follow-up, a pause, …): a GET is 405 for
# everyone with the role, before any object is looked up (outsiders' POSTs are 404:
# tests/security/test_foreign_ids.py); those without the role are refused as on the page.
ALICE_POST = {
    persona: NOT_ALLOWED if seen in (OK, MISSING) else seen for persona, seen in ALICE.items()
}


def _goal(p: Personas) -> Any:
    from sikta.casework.models import Goal
    from sikta.organisation.models import GoalArea

    return Goal.objects.create(
        participant=p.alice_sodra, text="Arbetsträna", area=GoalArea.objects.first()
    )


def _booking(p: Personas) -> Any:
    import datetime as dt

    from sikta.bookings.models import Booking

    return Booking.objects.create(
        participant=p.alice_sodra,
        staff=p.coach_sodra,
        kind=Booking.Kind.MEETING,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Storgatan 1",
    )


def _message(p: Personas) -> Any:
    from sikta.bookings.models import Message

    return Message.objects.create(
        participant=p.alice_sodra,
        channel=Message.Channel.SMS,
        purpose=Message.Purpose.MISSED,
        key=f"matrix:{p.alice_sodra.pk}:{Message.objects.count()}",
        recipient="+46701234567",
        body="Hej!",
        status=Message.Status.FAILED,
    )


def _placement(p: Personas) -> Any:
    from sikta.worktraining.models import Employer, Placement

    # get_or_create: called again in one test (the fuzzing asks for the URL more than once).
    employer, _created = Employer.objects.get_or_create(
        organisation_number="556036-0793", defaults={"name": "Kafé", "sector": "privat"}
    )
    return Placement.objects.create(
        participant=p.alice_sodra, employer=employer, start_date="2026-01-01", insured_by="kommun"
    )


def _instrument() -> Any:
    from sikta.surveys.models import Instrument

    return Instrument.objects.get(code="who5")


def _group(p: Personas) -> Any:
    from sikta.groups.models import Group

    group = Group.objects.create(
        name="Psykisk hälsa", lansdel=p.coach_sodra.lansdel, insats=p.coach_sodra.insats
    )
    group.leaders.add(p.coach_sodra)
    group.members.add(p.alice_sodra)
    return group


def _document(p: Personas) -> Any:
    from sikta.casework.models import FinalDocument

    return FinalDocument.objects.create(
        participant=p.alice_sodra, summary="s", achieved="a", recommendations="r", pdf=b"%PDF-"
    )


def _entry(p: Personas) -> Any:
    from sikta.casework.models import JournalEntry

    return JournalEntry.objects.create(participant=p.alice_sodra, kind="mote", note="Möte")


def _activity(p: Personas) -> Any:
    """A meeting of samordnare_sodra's area: the local steering group of their länsdel, or (in
    an insats without länsdelar) its central one."""
    from sikta.activities.models import Activity

    staff = p.samordnare_sodra
    return Activity.objects.create(
        insats=staff.insats,
        lansdel=staff.lansdel,
        kind="styrgrupp_lokal" if staff.lansdel else "styrgrupp_central",
        planned_date="2026-03-10",
    )


def _status_report(p: Personas, **fields: Any) -> Any:
    """A lägesrapport of samordnare_sodra's länsdel (their whole insats, without länsdelar)."""
    from sikta.reports.models import StatusReport

    staff = p.samordnare_sodra
    return StatusReport.objects.create(
        insats=staff.insats,
        lansdel=staff.lansdel,
        period_start="2026-01-01",
        period_end="2026-06-30",
        **fields,
    )


IMPORTERS = {"insatsledare", "samordnare_sodra", "samordnare_norra"}
# samordnare_sodra's uploaded list: theirs alone; the other importers get 404.
IMPORT_BATCH = {
    **_denied_unless({"samordnare_sodra"}),
    "samordnare_norra": MISSING,
    "insatsledare": MISSING,
}

IMPORT_BATCH_POST = {
    persona: NOT_ALLOWED if seen in (OK, MISSING) else seen
    for persona, seen in IMPORT_BATCH.items()
}


def _import_batch(p: Personas, *, imported: bool = False) -> Any:
    """A list samordnare_sodra uploaded (one fictional row), its columns chosen."""
    from sikta.imports.models import ImportBatch

    staff = p.samordnare_sodra
    return ImportBatch.objects.create(
        staff=staff,
        insats=staff.insats,
        uploaded_by=staff.user,
        kind="deltagare",
        filename="lista.xlsx",
        headers=["Personnummer", "Förnamn", "Efternamn", "Kommun", "Startdatum", "Coach"],
        rows=[] if imported else [{"n": 2, "cells": ["", "Ny", "Person", "Trosa", "", ""]}],
        mapping={"personnummer": 0, "first_name": 1, "last_name": 2, "kommun": 3},
        mapped=True,
        status="importerad" if imported else "uppladdad",
        result={"rows": 1, "created": 0, "refused": 1, "refused_rows": [2], "ids": []}
        if imported
        else {},
    )


# url name -> (kwargs for reverse, given the personas; expected outcome per persona)
MATRIX: dict[str, tuple[Callable[[Personas], dict[str, Any]], dict[str, str]]] = {
    "start": (lambda p: {}, expect(OK)),
    "organisation": (
        lambda p: {},
        expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN),
    ),
    "participant_list": (lambda p: {}, _denied_unless(PERSON_ROLES)),
    "participant_detail": (lambda p: {"pk": p.alice_sodra.pk}, ALICE),
    "participant_assign": (
        lambda p: {"pk": p.alice_sodra.pk},
        {
            **_denied_unless(LEADS_SODRA),
            "samordnare_norra": MISSING,
        },
    ),
    # The public referral form: anyone, logged in or not.
    "referral_start": (lambda p: {}, expect(OK, anonymous=OK)),
    # The privacy notice is public: it names the controllers, no person.
    "privacy_notice_list": (lambda p: {}, expect(OK, anonymous=OK)),
    "privacy_notice": (lambda p: {"insats": "sikta-mot-arbetslivet"}, expect(OK, anonymous=OK)),
    "referral_short": (lambda p: {"slug": "koordinering"}, expect(OK, anonymous=OK)),
    "referral_form": (
        lambda p: {"insats": "sikta-mot-arbetslivet", "track": "koordinering"},
        expect(OK, anonymous=OK),
    ),
    # The live check of the form answers POSTs only, from anyone.
    "referral_check": (
        lambda p: {"insats": "sikta-mot-arbetslivet", "track": "koordinering"},
        expect(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    ),
    "referral_check_short": (
        lambda p: {"track": "koordinering"},
        expect(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    ),
    # Switching to another insats one holds a role in: POSTs only.
    "choose_insats": (
        lambda p: {},
        expect(NOT_ALLOWED, anonymous=LOGIN),
    ),
    # Without a referral just sent there is nothing to thank for: back to the start.
    "referral_thanks": (lambda p: {}, expect(REDIRECT, anonymous=REDIRECT)),
    "referral_queue": (lambda p: {}, _denied_unless(LEADS)),
    "referral_register": (lambda p: {}, _denied_unless(LEADS)),
    "referral_detail": (
        lambda p: {"pk": p.referral_sodra.pk},
        {**_denied_unless(LEADS_SODRA), "samordnare_norra": MISSING},
    ),
    "referral_accept": (
        lambda p: {"pk": p.referral_sodra.pk},
        {**_denied_unless(LEADS_SODRA), "samordnare_norra": MISSING},
    ),
    # Changes are POSTs; a GET is refused even to those who may make them.
    "referral_change": (
        lambda p: {"pk": p.referral_sodra.pk, "action": "kalla"},
        expect(FORBIDDEN, **dict.fromkeys(LEADS, NOT_ALLOWED)),
    ),
    # The case pages of Alice: like her detail page.
    **{
        name: (lambda p, extra=extra: {"pk": p.alice_sodra.pk, **extra(p)}, ALICE)
        for name, extra in {
            "case_mapping": lambda p: {},
            "case_plan": lambda p: {},
            "case_plan_print": lambda p: {},
            "case_goal": lambda p: {"goal": _goal(p).pk},
            "case_journal": lambda p: {},
            "case_journal_correct": lambda p: {"entry": _entry(p).pk},
            "case_exit": lambda p: {},
            "case_placements": lambda p: {},
            "case_final": lambda p: {},
            "case_refer_on": lambda p: {},
            "case_surveys": lambda p: {},
            "case_survey_paper": lambda p: {"instrument": _instrument().pk, "timepoint": "start"},
            "case_final_pdf": lambda p: {"document": _document(p).pk},
            "case_placement": lambda p: {"placement": _placement(p).pk},
            "case_bookings": lambda p: {},
            "case_contact": lambda p: {},
            "booking_edit": lambda p: {"booking": _booking(p).pk},
        }.items()
    },
    # The other forms of those pages, each sent to its own address: POST only.
    **{
        name: (lambda p, extra=extra: {"pk": p.alice_sodra.pk, **extra(p)}, ALICE_POST)
        for name, extra in {
            "case_goal_follow_up": lambda p: {"goal": _goal(p).pk},
            "case_pause": lambda p: {},
            "case_resume": lambda p: {},
            "case_final_preview": lambda p: {},
            "case_final_handed": lambda p: {},
            "case_consent_withdraw": lambda p: {},
            "case_placement_follow_up": lambda p: {"placement": _placement(p).pk},
            "booking_cancel": lambda p: {"booking": _booking(p).pk},
            "booking_outcome": lambda p: {"booking": _booking(p).pk},
            "message_retry": lambda p: {"message": _message(p).pk},
        }.items()
    },
    # The week's bookings: everyone who works with identified people (each sees their own scope).
    "calendar": (lambda p: {}, _denied_unless(PERSON_ROLES)),
    # The worklist "Att göra": everyone who works with identified people (each their own scope);
    # its bulk survey reminder is a POST.
    "worklist": (lambda p: {}, _denied_unless(PERSON_ROLES)),
    "worklist_survey_reminders": (
        lambda p: {},
        expect(FORBIDDEN, **dict.fromkeys(PERSON_ROLES, NOT_ALLOWED)),
    ),
    # Handing over a caseload: the leads; a samordnare only their own länsdel's caseworkers.
    "caseload_index": (lambda p: {}, _denied_unless(LEADS)),
    "caseload_hand_over": (
        lambda p: {"staff": p.coach_sodra.pk},
        {**_denied_unless(LEADS_SODRA), "samordnare_norra": MISSING},
    ),
    # Making or closing one's calendar address is a POST.
    "calendar_feed_renew": (lambda p: {}, expect(NOT_ALLOWED)),
    "calendar_feed_revoke": (lambda p: {}, expect(NOT_ALLOWED)),
    # The calendar feed needs no login, only its secret: a made-up one opens nothing.
    "calendar_feed": (lambda p: {"token": "not-a-real-token"}, expect(MISSING, anonymous=MISSING)),
    # The participant's personal survey link: no login; a made-up token opens nothing.
    "survey_answer": (lambda p: {"token": "not-a-real-token"}, expect(MISSING, anonymous=MISSING)),
    "survey_save": (
        lambda p: {"token": "not-a-real-token"},
        expect(NOT_ALLOWED, anonymous=NOT_ALLOWED),
    ),
    # Aggregates only, small groups suppressed: every role.
    "survey_report": (lambda p: {}, expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN)),
    "report_dashboard": (lambda p: {}, expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN)),
    "financing_report": (lambda p: {}, expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN)),
    "evaluation_export": (
        lambda p: {},
        _denied_unless({"insatsagare", "insatsledare", "utvarderare"}),
    ),
    # Groups: those who lead them, the länsdel's samordnare, the leads.
    "group_list": (lambda p: {}, _denied_unless(PERSON_ROLES)),
    "group_detail": (lambda p: {"pk": _group(p).pk}, ALICE),
    # Adding members is a POST of its own; a GET is 405 for everyone who handles groups.
    "group_members_add": (lambda p: {"pk": _group(p).pk}, ALICE_POST),
    "group_session": (
        lambda p: {"pk": (g := _group(p)).pk, "session": g.sessions.create(date="2026-11-20").pk},
        ALICE,
    ),
    # The employer register names no participant by itself: everyone who works with them.
    "employer_list": (lambda p: {}, _denied_unless(PERSON_ROLES)),
    "employer_create": (lambda p: {}, _denied_unless(PERSON_ROLES)),
    "employer_detail": (lambda p: {"pk": _placement(p).employer.pk}, _denied_unless(PERSON_ROLES)),
    # Adding a contact person is a POST of its own.
    "employer_contact_add": (
        lambda p: {"pk": _placement(p).employer.pk},
        expect(FORBIDDEN, **dict.fromkeys(PERSON_ROLES, NOT_ALLOWED)),
    ),
    # --- activity plan and meetings (sikta.activities) ---
    # Made with a local steering group meeting of Södra and a file of its minutes.
    **(
        lambda activity, minutes: {
            # Reading the plan, a meeting and its minutes: every role (no participant in them).
            "activity_plan": (lambda p: {}, expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN)),
            "activity_detail": (
                lambda p: {"pk": activity(p).pk},
                expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN),
            ),
            "activity_minutes": (
                lambda p: {"pk": (a := activity(p)).pk, "minutes": minutes(a).pk},
                expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN),
            ),
            # Planning and recording: the leads; a samordnare only for their own länsdel.
            "activity_create": (lambda p: {}, _denied_unless(LEADS)),
            "activity_edit": (
                lambda p: {"pk": activity(p).pk},
                {**_denied_unless(LEADS_SODRA), "samordnare_norra": MISSING},
            ),
            # Changes are POSTs; a GET is refused even to those who may make them.
            "activity_held": (
                lambda p: {"pk": activity(p).pk},
                expect(FORBIDDEN, **dict.fromkeys(LEADS, NOT_ALLOWED)),
            ),
            "activity_minutes_upload": (
                lambda p: {"pk": activity(p).pk},
                expect(FORBIDDEN, **dict.fromkeys(LEADS, NOT_ALLOWED)),
            ),
            "activity_minutes_delete": (
                lambda p: {"pk": (a := activity(p)).pk, "minutes": minutes(a).pk},
                expect(FORBIDDEN, **dict.fromkeys(LEADS, NOT_ALLOWED)),
            ),
        }
    )(
        lambda p: _activity(p),
        lambda a: a.minutes.create(
            content=b"%PDF-1.4", filename="a.pdf", content_type="application/pdf", size=8
        ),
    ),
    # --- end activity plan ---
    # --- lägesrapport (sikta.reports.lagesrapport_*) ---
    # Aggregates with small cells always hidden: every role reads the list and the PDFs, of
    # any area. Writing: the leads any report, a samordnare their own länsdel's (another's: 404).
    "status_report_list": (lambda p: {}, expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN)),
    "status_report_create": (lambda p: {}, _denied_unless(LEADS)),
    "status_report_detail": (
        lambda p: {"pk": _status_report(p).pk},
        {**_denied_unless(LEADS_SODRA), "samordnare_norra": MISSING},
    ),
    # A published report is for everyone with a role; a draft only for those who write it.
    "status_report_pdf": (
        lambda p: {"pk": _status_report(p, published_at=timezone.now()).pk},
        expect(OK, no_role=FORBIDDEN, admin=FORBIDDEN),
    ),
    # --- end lägesrapport ---
    # --- Uppföljning Finsam ---
    # The checklist and its export: the leads, the samordnare for their länsdel.
    "finsam_list": (lambda p: {}, _denied_unless(LEADS)),
    "finsam_export": (lambda p: {}, _denied_unless(LEADS)),
    # The counts by kön per insats: the insats's leads (exact counts, no person).
    "finsam_counts": (lambda p: {}, _denied_unless({"insatsagare", "insatsledare"})),
    # Marking is a POST; a GET is refused even to those who may mark.
    **{
        name: (
            lambda p: {"pk": p.alice_sodra.pk},
            expect(FORBIDDEN, **dict.fromkeys(LEADS, NOT_ALLOWED)),
        )
        for name in ("finsam_mark", "finsam_unmark", "finsam_education")
    },
    # --- end Finsam ---
    # --- audit chain and log review ---
    # The chain check and the log reviews: the insatsledare and insatsägare only.
    "audit_chain": (lambda p: {}, _denied_unless({"insatsagare", "insatsledare"})),
    "audit_review_list": (lambda p: {}, _denied_unless({"insatsagare", "insatsledare"})),
    "audit_review_detail": (
        lambda p: {
            "pk": AuditEvent._meta.apps.get_model("audit", "LogReview")
            .objects.create(
                insats=p.samordnare_sodra.insats,
                period_from="2026-01-01",
                period_to="2026-06-30",
                sample_size=25,
                drawn_by_name="insatsledare",
            )
            .pk
        },
        _denied_unless({"insatsagare", "insatsledare"}),
    ),
    # --- end audit chain ---
    # --- privacy: consent and register extract ---
    "case_consent": (lambda p: {"pk": p.alice_sodra.pk}, ALICE),
    "register_extract": (lambda p: {}, _denied_unless({"insatsagare", "insatsledare"})),
    # --- end privacy ---
    # --- protected identity ---
    # Marking Alice as protected: her coach and the samordnare of Södra (removing the mark is
    # the samordnare's alone, tests/participants/test_protected_identity.py). Outsiders with
    # person access get 404, like her case pages; the leads may not mark (403).
    "participant_protection": (
        lambda p: {"pk": p.alice_sodra.pk},
        {
            **_denied_unless({"samordnare_sodra", "coach_sodra"}),
            "samordnare_norra": MISSING,
            "coach_sodra_other": MISSING,
            "koordinator_norra": MISSING,
        },
    ),
    # --- end protected identity ---
    # --- two-factor login: a verified user is sent on; the personas are verified (conftest) ---
    "two_factor_verify": (lambda p: {}, expect(REDIRECT)),
    "two_factor_enrol": (lambda p: {}, expect(REDIRECT)),
    # --- end two-factor ---
    "audit_search": (lambda p: {}, _denied_unless({"insatsagare", "insatsledare"})),
    "login": (lambda p: {}, expect(REDIRECT, anonymous=OK)),
    "logout": (lambda p: {}, expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    # --- sign-in with e-identity: public pages (no provider is set up here: tests/accounts) ---
    "sso_choose": (lambda p: {}, expect(OK, anonymous=OK)),
    "sso_start": (lambda p: {"slug": "ingen"}, expect(MISSING, anonymous=MISSING)),
    "sso_callback": (lambda p: {"slug": "ingen"}, expect(MISSING, anonymous=MISSING)),
    # Only for an active SAML provider (the `idp` parameter); the IdP posts to the consumer.
    "saml2_login": (lambda p: {}, expect(MISSING, anonymous=MISSING)),
    "saml2_acs": (lambda p: {}, expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    # The IdP's logout answer; without one, on to the start page.
    "saml2_ls": (lambda p: {}, expect(REDIRECT, anonymous=REDIRECT)),
    "saml2_ls_post": (lambda p: {}, expect(NOT_ALLOWED, anonymous=NOT_ALLOWED)),
    "saml2_metadata": (lambda p: {}, expect(OK, anonymous=OK)),
    # --- end sign-in with e-identity ---
    "set_language": (lambda p: {}, expect(REDIRECT, anonymous=REDIRECT)),
    # --- import from Excel (sikta.imports) ---
    # The samordnare (own länsdel) and the insatsledare (the insats); nobody else, not even the
    # insatsägare. An uploaded list is its uploader's alone: anyone else's is missing (404).
    "import_start": (lambda p: {}, _denied_unless(IMPORTERS)),
    "import_template": (lambda p: {"kind": "deltagare"}, _denied_unless(IMPORTERS)),
    **{
        name: (lambda p: {"pk": _import_batch(p).pk}, IMPORT_BATCH)
        for name in ("import_mapping", "import_preview")
    },
    "import_done": (lambda p: {"pk": _import_batch(p, imported=True).pk}, IMPORT_BATCH),
    # Importing and throwing the list away are POSTs: a GET is 405 for every importer (before
    # the list is looked up; others' POSTs are 404: tests/security/test_foreign_ids.py).
    **{
        name: (lambda p: {"pk": _import_batch(p).pk}, IMPORT_BATCH_POST)
        for name in ("import_commit", "import_cancel")
    },
    # --- end import ---
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"<unnamed {prefix}{entry.pattern}>", prefix + str(entry.pattern)


ALL_URLS = list(_walk(get_resolver().url_patterns))
APP_URLS = [name for name, route in ALL_URLS if not route.startswith("admin/")]
ADMIN_URLS = [(name, route) for name, route in ALL_URLS if route.startswith("admin/")]


def outcome(response: Any) -> str:
    code = response.status_code
    if code == 200:
        return OK
    if code in (301, 302):
        return LOGIN if "/konto/logga-in/" in response["Location"] else REDIRECT
    return {403: FORBIDDEN, 404: MISSING, 405: NOT_ALLOWED}.get(code, f"status {code}")


def test_every_url_is_in_the_matrix() -> None:
    missing = sorted(set(APP_URLS) - set(MATRIX))
    assert not missing, f"URLs without an access decision in MATRIX: {missing}"
    stale = sorted(set(MATRIX) - set(APP_URLS))
    assert not stale, f"MATRIX names URLs that no longer exist: {stale}"
    assert ADMIN_URLS, "the admin should be mounted"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access(personas: Personas, url_name: str, persona: str) -> None:
    from django.urls import reverse

    kwargs_for, expected = MATRIX[url_name]
    client = personas.client(persona)
    kwargs = kwargs_for(personas)
    before = AuditEvent.objects.filter(action="participant.view").count()

    response = client.get(reverse(url_name, kwargs=kwargs))

    assert outcome(response) == expected[persona], (url_name, persona, response.status_code)
    if url_name == "participant_detail" or url_name.startswith("case_"):
        action = "participant.export" if url_name == "case_final_pdf" else "participant.view"
        reads = AuditEvent.objects.filter(action=action).count() - (
            before if action == "participant.view" else 0
        )
        assert reads == (1 if expected[persona] == OK else 0)
    if url_name == "referral_detail":
        reads = AuditEvent.objects.filter(
            action="referral.view", referral=personas.referral_sodra
        ).count()
        assert reads == (1 if expected[persona] == OK else 0)
    if persona in ("styrgrupp", "utvarderare") and response.status_code == 200:
        body = _text(response)
        for person in (personas.alice_sodra, personas.bo_norra, personas.referral_sodra):
            assert str(person.personnummer) not in body
            assert person.last_name not in body


def _text(response: Any) -> str:
    """What a person could read in the response: a PDF's text, or the page."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("application/pdf"):
        import io

        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            pages = PdfReader(io.BytesIO(content)).pages
            return "\n".join(page.extract_text() for page in pages)
        except PyPdfError:  # a stand-in file, not a real PDF: its bytes are all there is
            pass
    return content.decode("utf-8-sig", errors="replace")


def _admin_url(route: str) -> str:
    """A concrete URL for an admin route, with a placeholder for every parameter."""
    import re

    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", route)
    return "/" + route.replace("\\", "")


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "admin"])
def test_admin_only_for_administrators(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    for name, route in ADMIN_URLS:
        if name in ("admin:login", "admin:logout", "admin:jsi18n"):
            continue
        response = client.get(_admin_url(route))
        assert response.status_code == 302, (name, route, response.status_code)
        assert response["Location"].startswith("/admin/login/"), (name, response["Location"])


def test_administrator_reaches_the_admin(personas: Personas) -> None:
    client = personas.client("admin")
    for name, route in ADMIN_URLS:
        response = client.get(_admin_url(route))
        assert response.status_code < 500, (name, route)
    assert client.get("/admin/organisation/staffmember/").status_code == 200


def test_role_personas_cover_every_role() -> None:
    from sikta.access.roles import RoleCode

    covered = {name.split("_")[0] for name in ROLE_PERSONAS}
    assert covered == {code.value for code in RoleCode}
