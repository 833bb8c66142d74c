"""A form sent with a mistake writes no audit record of a change: nothing was changed.

Every form that writes one is sent with the mistake its entry in the XSS suite's table makes
(tests/security/test_xss.py, ENTRIES: the same forms, filled as a user fills them). The page
comes back (400) and the only records written are the reads of the person the page shows again.
A form address that is in none of those entries is named below with where its refusal is tested,
so a new form cannot slip past.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from sikta.audit.models import AuditAction, AuditEvent
from sikta.audit.services import Actor
from tests.access.test_url_matrix import (
    _booking,
    _document,
    _goal,
    _group,
    _import_batch,
    _placement,
)
from tests.conftest import Personas
from tests.security.support import FORM_URLS, POST_URLS
from tests.security.test_xss import ENTRIES, _form_values

# Reading the page again is a read: it is written, as every read of a person is.
READS = {
    AuditAction.PARTICIPANT_VIEW,
    AuditAction.PARTICIPANT_LIST,
    AuditAction.REFERRAL_VIEW,
    AuditAction.REFERRAL_LIST,
}
BROKEN = sorted(name for name, entry in ENTRIES.items() if entry.broken)
# Their right sending writes no record either: a group and its sessions name no person.
NO_RECORD = {"group", "group session"}


def _alice(name: str, **objects: Callable[[Personas], Any]) -> Callable[[Personas], str]:
    return lambda p: reverse(
        name, kwargs={"pk": p.alice_sodra.pk, **{k: make(p).pk for k, make in objects.items()}}
    )


def _paused(p: Personas) -> Any:
    from sikta.casework.services import pause_start
    from sikta.participants.models import Participant

    alice = p.alice_sodra
    pause = pause_start(
        participant=alice,
        start_date=alice.start_date,
        reason="Vård",
        actor=Actor(user=p.coach_sodra.user),
    )
    assert Participant.objects.get(pk=alice.pk).status == Participant.Status.PAUSED
    return pause


# The forms ENTRIES does not send with a mistake (no free text of their own to test for XSS, or
# the page's other form): who sends it, where, with what mistake.
MISTAKES: dict[str, tuple[str, Callable[[Personas], str], dict[str, str]]] = {
    "goal changed": (
        "coach_sodra",
        _alice("case_goal", goal=_goal),
        {"text": "", "status": "pagar", "version": "1"},
    ),
    "resumed": (
        "coach_sodra",
        lambda p: _paused(p) and _alice("case_resume")(p),
        {"resume-end_date": "2026-02-30"},
    ),
    "final documentation previewed": ("coach_sodra", _alice("case_final_preview"), {}),
    "final documentation handed": (
        "coach_sodra",
        lambda p: _document(p) and _alice("case_final_handed")(p),
        {"h-handed_to_participant_on": "2026-02-30"},
    ),
    "placement changed": (
        "coach_sodra",
        _alice("case_placement", placement=_placement),
        {"p-start_date": "2026-02-30"},
    ),
    "consent withdrawn": (
        "coach_sodra",
        _alice("case_consent_withdraw"),
        {"withdraw-withdrawn_on": "2026-02-30"},
    ),
    "employer changed": (
        "coach_sodra",
        lambda p: reverse("employer_detail", args=[_placement(p).employer.pk]),
        {"e-name": "", "e-sector": "privat"},
    ),
    "booking": (
        "coach_sodra",
        _alice("case_bookings"),
        {"date": "2026-02-30", "time": "10:00", "kind": "samtal", "mode": "plats", "place": "A"},
    ),
    "booking moved": (
        "coach_sodra",
        _alice("booking_edit", booking=_booking),
        {"date": "2099-01-01", "time": "10:00", "kind": "samtal", "mode": "plats", "place": ""},
    ),
    "booking cancelled": (
        "coach_sodra",
        _alice("booking_cancel", booking=_booking),
        {"reason": "x" * 301},
    ),
    "booking outcome": (
        "coach_sodra",
        _alice("booking_outcome", booking=_booking),
        {"status": "inte-ett-utfall"},
    ),
    "reminder choice": (
        "coach_sodra",
        _alice("case_contact"),
        {"by_sms": "on", "phone": "", "given_on": "2026-01-01", "how": "muntligt"},
    ),
    "caseload handed over": (
        "samordnare_sodra",
        lambda p: reverse("caseload_hand_over", args=[p.coach_sodra.pk]),
        {"to": "", "reason": ""},
    ),
    "survey reminders": (
        "coach_sodra",
        lambda p: reverse("worklist_survey_reminders"),
        {"deltagare": ["not-an-id"]},
    ),
    "list uploaded for import": (
        "samordnare_sodra",
        lambda p: reverse("import_start"),
        {"kind": "deltagare"},
    ),
    "import columns chosen": (
        "samordnare_sodra",
        lambda p: reverse("import_mapping", args=[_import_batch(p).pk]),
        {"personnummer": "", "first_name": "1", "last_name": "1"},
    ),
    "list imported": (
        "samordnare_sodra",
        lambda p: reverse("import_commit", args=[_import_batch(p).pk]),
        {"rows": "not-row-numbers"},
    ),
    "group members added": (
        "coach_sodra",
        lambda p: reverse("group_members_add", args=[_group(p).pk]),
        {"m-participants": "999999999"},
    ),
}

# Form addresses without an entry above, and where what they refuse is tested instead (or why
# there is nothing to refuse).
ELSEWHERE = {
    "login": "tests/accounts: a failed login is audited as a refusal by design (axes)",
    "set_language": "Django's; writes no audit record",
    "logout": "no input",
    "choose_insats": "tests/access/test_insats_switch.py: a record not one's own changes nothing",
    "two_factor_verify": "tests/accounts: a wrong code is audited as a failed second step",
    "two_factor_enrol": "tests/accounts: a wrong code enrols nothing",
    "referral_short": "the public short form: the same service as referral_form",
    "referral_check": "the eligibility check writes nothing",
    "referral_check_short": "the eligibility check writes nothing",
    "referral_change": "tests/referrals/test_workflow.py: a refused move writes no event",
    "participant_protection": "tests/participants: the mark needs no input but a confirmation",
    "case_mapping": "tests/casework/test_mapping.py: a stale version is refused",
    "case_refer_on": "the same referral form as referral_register",
    "case_surveys": "tests/surveys: makes a link, no input",
    "case_survey_paper": "tests/surveys/test_answering.py: an incomplete paper form",
    "case_placements": "the placement entry above posts here",
    "survey_answer": "the participant's own form: no staff audit",
    "survey_save": "the participant's own form: no staff audit",
    "group_session": "tests/groups: attendance is checkboxes, nothing to get wrong",
    "activity_edit": "the same form as activity_create",
    "activity_held": "tests/activities",
    "activity_minutes_upload": "tests/activities: a refused file is not kept",
    "activity_minutes_delete": "no input",
    "status_report_create": "tests/reports: the period is chosen from a list",
    "status_report_detail": "the lägesrapport's texts are free text, all optional",
    "audit_review_detail": "tests/audit/test_log_review.py",
    "register_extract": "a read: it is audited as an export",
    "finsam_mark": "tests/finsam: a refused mark writes no record",
    "finsam_unmark": "tests/finsam",
    "finsam_education": "tests/finsam",
    "saml2_acs": "tests/accounts/test_sso_saml.py: every bad response is refused and audited",
    "saml2_ls_post": "djangosaml2's logout answer: no form of ours",
    "message_retry": "no input: tests/bookings/test_views.py sends a failed message again",
    "calendar_feed_renew": "no input: tests/bookings/test_views.py",
    "calendar_feed_revoke": "no input: tests/bookings/test_views.py",
    "import_cancel": "no input: tests/imports/test_views.py throws a list away",
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_form_with_a_mistake_writes_no_change(personas: Personas, name: str) -> None:
    entry = ENTRIES[name]
    client = personas.client(entry.persona)
    path = entry.path(personas)
    data = {**(entry.data(personas) if entry.data else {}), **_form_values(entry, personas)}
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(path, {**data, **entry.broken})
    assert response.status_code == 400, name
    written = set(
        AuditEvent.objects.filter(pk__gt=before).values_list("action", flat=True).distinct()
    )
    assert written <= READS, f"{name}: {sorted(written - READS)}"
    # The same form sent right is a change, written once: the test above looked at a real write.
    response = client.post(path, data)
    assert response.status_code == 302, name
    changes = AuditEvent.objects.filter(pk__gt=before).exclude(action__in=READS)
    assert changes.exists() != (name in NO_RECORD), name


def _written_since(before: int) -> set[str]:
    return set(AuditEvent.objects.filter(pk__gt=before).values_list("action", flat=True))


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_the_other_forms_with_a_mistake_write_no_change(personas: Personas, name: str) -> None:
    persona, path, data = MISTAKES[name]
    url = path(personas)
    client = personas.client(persona)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(url, data)
    assert response.status_code == 400, (name, response.status_code)
    assert _written_since(before) <= READS, name


def test_every_form_address_is_sent_with_a_mistake_or_named(personas: Personas) -> None:
    paths = [ENTRIES[name].path(personas) for name in BROKEN]
    paths += [path(personas) for _persona, path, _data in MISTAKES.values()]
    covered = {resolve(urlsplit(path).path).url_name for path in paths}
    left = sorted((FORM_URLS | POST_URLS) - covered - set(ELSEWHERE))
    assert not left, f"forms that are never sent with a mistake here: {left}"
