from __future__ import annotations

import os
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, settings as hypothesis_settings

from sikta.core.middleware import TOUCHED
from sikta.organisation.loader import load_organisation
from sikta.organisation.models import Kommun, Lansdel, StaffMember, Track
from sikta.participants.models import Participant
from sikta.referrals.models import Referral
from sikta.surveys.loader import load_instruments
from tests.factories import ParticipantFactory, ReferralFactory, StaffMemberFactory, UserFactory

# Property tests are bounded by a profile: "ci" (the default, used by `make test` and .ci/run)
# keeps the suite within its time on two cores with no per-example deadline, since a shared
# CI machine makes timings noisy; "thorough" is for a long run by hand
# (HYPOTHESIS_PROFILE=thorough make test). A test's own @settings narrows further.
hypothesis_settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the real default organisation loaded from its file."""
    with django_db_blocker.unblock():
        load_organisation(settings.SIKTA_ORGANISATION_FILE)
        load_instruments()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create many users and test no hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """The referral form's rate limit counts in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def verify_second_factor(client: Client, user) -> None:
    """Mark a logged-in test client as past the second step, as a code from the app would."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from sikta.accounts.models import RecoveryCodeDevice

    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _force_login_is_verified(monkeypatch):
    """force_login skips the password, so it skips the second factor too (tests/accounts covers
    the real two-factor login)."""
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@dataclass
class Personas:
    """One person per role, and participants placed so that each rule has a test case.

    alice_sodra: Södra participant assigned to coach_sodra
    bo_norra:    Norra participant assigned to koordinator_norra
    referral_sodra: an assessed referral to coachning from Nyköping (Södra)
    """

    insatsagare: StaffMember
    insatsledare: StaffMember
    samordnare_sodra: StaffMember
    samordnare_norra: StaffMember
    coach_sodra: StaffMember
    coach_sodra_other: StaffMember
    koordinator_norra: StaffMember
    styrgrupp: StaffMember
    utvarderare: StaffMember
    alice_sodra: Participant
    bo_norra: Participant
    referral_sodra: Referral

    def client(self, name: str) -> Client:
        client = Client()
        if name == "anonymous":
            return client
        if name == "no_role":
            client.force_login(UserFactory(username="no_role"))
        elif name == "admin":
            client.force_login(UserFactory(username="admin_user", is_staff=True, is_superuser=True))
        else:
            client.force_login(getattr(self, name).user)
        # As a sign-in leaves it: the idle timeout just set (sikta.core.middleware).
        session = client.session
        session[TOUCHED] = int(time.time())
        session.save()
        return client


ROLE_PERSONAS = [
    "insatsagare",
    "insatsledare",
    "samordnare_sodra",
    "samordnare_norra",
    "coach_sodra",
    "coach_sodra_other",
    "koordinator_norra",
    "styrgrupp",
    "utvarderare",
]
ALL_PERSONAS = [*ROLE_PERSONAS, "no_role", "admin", "anonymous"]


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


def make_personas() -> Personas:
    """The personas: a staff member per role (two coaches in Södra), Alice and Bo, and a
    referral (the `personas` fixture; also for data made once per module)."""
    sodra = Lansdel.objects.get(slug="sodra")
    norra = Lansdel.objects.get(slug="norra")

    def staff(name: str, role: str, lansdel: Lansdel | None = None) -> StaffMember:
        return StaffMemberFactory(
            user=UserFactory(username=name), role_code=role, lansdel=lansdel, first_name=name
        )

    people = {
        "insatsagare": staff("insatsagare", "insatsagare"),
        "insatsledare": staff("insatsledare", "insatsledare"),
        "samordnare_sodra": staff("samordnare_sodra", "samordnare", sodra),
        "samordnare_norra": staff("samordnare_norra", "samordnare", norra),
        "coach_sodra": staff("coach_sodra", "coach", sodra),
        "coach_sodra_other": staff("coach_sodra_other", "coach", sodra),
        "koordinator_norra": staff("koordinator_norra", "koordinator", norra),
        "styrgrupp": staff("styrgrupp", "styrgrupp"),
        "utvarderare": staff("utvarderare", "utvarderare"),
    }
    alice = ParticipantFactory(
        first_name="Alice",
        last_name="Zackrisson",
        kommun=Kommun.objects.get(name="Trosa"),
        assigned_to=people["coach_sodra"],
    )
    bo = ParticipantFactory(
        first_name="Bo",
        last_name="Qvarnström",
        kommun=Kommun.objects.get(name="Strängnäs"),
        track=Track.objects.get(slug="koordinering"),
        assigned_to=people["koordinator_norra"],
    )
    referral = ReferralFactory(first_name="Cilla", last_name="Yxkull", status="bedomd")
    return Personas(**people, alice_sodra=alice, bo_norra=bo, referral_sodra=referral)
