from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sikta.accounts.models import User
from sikta.core.personnummer import Personnummer
from sikta.organisation.models import StaffMember
from sikta.participants.models import Participant
from tests.accounts.conftest import MAIN, TODAY, seed

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return list(
        Participant.objects.order_by("personnummer").values_list(
            "personnummer",
            "first_name",
            "last_name",
            "kommun__name",
            "track__slug",
            "assigned_to__email",
            "status",
            "start_date",
        )
    )


def test_it_creates_staff_for_every_role_and_lansdel(debug_on) -> None:
    output = seed()
    roles = set(StaffMember.objects.values_list("role__code", "lansdel__slug"))
    for lansdel in ("sodra", "norra", "vastra"):
        for role in ("samordnare", "coach", "koordinator"):
            assert (role, lansdel) in roles
    for role in ("insatsagare", "insatsledare", "styrgrupp", "utvarderare"):
        assert (role, None) in roles
    assert "samordnare.sodra" in output and "sikta-demo" in output
    assert User.objects.get(username="coach.norra.1").check_password("sikta-demo")


def test_participants_are_valid_spread_and_assigned_within_the_rules(debug_on) -> None:
    seed("--participants", "400")
    today = dt.date.fromisoformat(TODAY)
    participants = Participant.objects.filter(insats__slug=MAIN).select_related(
        "kommun", "track", "assigned_to__role"
    )
    assert participants.count() == 400
    # The demo's second insats has participants of its own, in its own two kommuner.
    second = Participant.objects.filter(insats__slug="steg-for-steg").select_related("kommun")
    assert second.exists()
    assert {p.kommun.name for p in second} <= {"Flen", "Katrineholm"}
    assert all(p.assigned_to is None or p.assigned_to.insats_id == p.insats_id for p in second)
    assert len({(p.kommun.lansdel_id, p.track.slug) for p in participants}) == 6
    for p in participants:
        assert Personnummer.parse(str(p.personnummer), today=today) == p.personnummer
        assert p.track.min_age <= p.personnummer.age_on(today) <= p.track.max_age
        assert p.assigned_to.role.code == p.track.caseworker_role
        assert p.assigned_to.lansdel_id == p.kommun.lansdel_id
        assert p.start_date <= today
        assert p.end_date is None or p.start_date <= p.end_date <= today


def test_it_is_deterministic_from_the_seed(debug_on) -> None:
    seed("--participants", "50", "--seed", "11")
    first = snapshot()
    Participant.objects.all().delete()
    seed("--participants", "50", "--seed", "11")
    assert snapshot() == first
    Participant.objects.all().delete()
    seed("--participants", "50", "--seed", "12")
    assert snapshot() != first


def test_running_it_again_adds_nothing(debug_on) -> None:
    seed()
    counts = (Participant.objects.count(), StaffMember.objects.count(), User.objects.count())
    output = seed()
    assert (
        Participant.objects.count(),
        StaffMember.objects.count(),
        User.objects.count(),
    ) == counts
    assert "samordnare.sodra" in output


def test_no_demo_logins_without_debug(settings) -> None:
    settings.DEBUG = False
    output = seed("--participants", "5")
    assert not User.objects.exists()
    assert StaffMember.objects.exists()
    assert "DEBUG is off" in output


def test_demo_accounts_cannot_log_in_when_debug_is_off(settings, client) -> None:
    settings.DEBUG = True
    seed("--participants", "0")
    settings.DEBUG = False
    response = client.post(
        "/konto/logga-in/", {"username": "insatsledare", "password": "sikta-demo"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    settings.DEBUG = True
    response = client.post(
        "/konto/logga-in/", {"username": "insatsledare", "password": "sikta-demo"}
    )
    assert response.status_code == 302


def test_no_real_person_from_the_source_documents(debug_on) -> None:
    seed("--participants", "300")
    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    real = {"Hallberg", "Skålen", "Hesselgren", "Bejmar", "Ahlin", "Personne", "Lund"}
    if seeds.is_dir():  # the documents sit beside the repository in development and CI
        assert all(name in "".join(p.read_text() for p in seeds.glob("*.txt")) for name in real)
    names = set(StaffMember.objects.values_list("last_name", flat=True)) | set(
        Participant.objects.values_list("last_name", flat=True)
    )
    assert not names & real


def test_the_queues_get_fictional_referrals_with_history(debug_on) -> None:
    from sikta.referrals.eligibility import evaluate_referral
    from sikta.referrals.models import Referral

    seed("--participants", "5", "--referrals", "40")
    today = dt.date.fromisoformat(TODAY)
    referrals = Referral.objects.filter(track__insats__slug=MAIN).select_related(
        "kommun__lansdel", "track"
    )
    assert referrals.count() == 40
    assert len({r.kommun.lansdel_id for r in referrals}) == 3
    assert {r.track.slug for r in referrals} == {"koordinering", "coachning"}
    assert referrals.filter(status__in=Referral.OPEN_STATUSES).count() > 20
    for referral in referrals:
        assert Personnummer.parse(str(referral.personnummer), today=today) == referral.personnummer
        assert referral.events.first().to_status == "mottagen"
        assert referral.events.last().to_status == referral.status
        assert referral.income_sources.exists()
        evaluate_referral(referral)  # every demo referral can be evaluated
    before = Referral.objects.count()
    seed()  # again: the queues already have referrals, none are added
    assert Referral.objects.count() == before


def test_demo_participants_have_case_work(debug_on) -> None:
    from sikta.casework.models import Exit, JournalEntry

    seed("--participants", "60", "--referrals", "0")
    today = dt.date.fromisoformat(TODAY)
    closed = Participant.objects.filter(status=Participant.Status.CLOSED)
    assert Exit.objects.count() == closed.count() > 0
    for exit_ in Exit.objects.select_related("participant"):
        assert exit_.end_date == exit_.participant.end_date
    for entry in JournalEntry.objects.select_related("participant"):
        assert entry.participant.start_date <= entry.date <= (entry.participant.end_date or today)
    assert Participant.objects.filter(journal__isnull=True).count() == 0


def test_demo_participants_give_uppfoljning_finsam_something_to_do(debug_on) -> None:
    from sikta.finsam.models import Registration
    from sikta.finsam.selectors import summary

    seed("--participants", "120", "--referrals", "0")
    counts = summary(Participant.objects.all())
    assert counts["to_start"] > 0 and counts["without_consent"] > 0
    assert Registration.objects.filter(kind="end").exists()
    for mark in Registration.objects.select_related("participant"):
        assert mark.period_start == mark.participant.start_date
        assert mark.registered_on <= dt.date.fromisoformat(TODAY)
