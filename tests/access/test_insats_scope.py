"""Several insatser in one installation: each is a scope of its own for every staff role.

A second insats (the demo's fictional "Steg för steg", loaded from its data file: two kommuner
that Sikta mot arbetslivet also covers, no länsdelar, one track) gets its own staff and a
participant. Then: every id of insats B, asked by every persona of insats A, is refused exactly
as a made-up id is (and the other way round); lists, search and reports of one insats hold
nothing of the other; the same person may take part in both, and a referral in one says that
there is a participation in the other without showing it; a login with a role in each works
in one at a time and switches; a role of the förbund sees every insats's counts, no person.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import reverse

from sikta.access.policy import Action, insats_of, may
from sikta.audit.models import AuditEvent
from sikta.organisation.loader import load_organisation
from sikta.organisation.models import Insats, Kommun, StaffMember, Track
from sikta.participants.models import Participant
from tests.conftest import ROLE_PERSONAS, Personas
from tests.factories import (
    ParticipantFactory,
    ReferralFactory,
    StaffMemberFactory,
    UserFactory,
)
from tests.security.support import ID_URLS, objects_of
from tests.security.test_foreign_ids import _compare

pytestmark = pytest.mark.django_db
# The employer register is the förbund's, shared by its insatser: it names no participant.
SHARED = {"employer_detail", "employer_contact_add"}
SCOPED_URLS = [name for name in ID_URLS if name not in SHARED]
SECOND = settings.BASE_DIR / "sikta" / "organisation" / "data" / "steg_for_steg.toml"


@dataclass
class World:
    insats: Insats
    insatsledare: StaffMember
    samordnare: StaffMember
    coach: StaffMember
    alice: Participant  # of insats B, in Flen, coach's
    personas: Personas  # the personas, with B's people in the places of A's


@pytest.fixture
def b(personas: Personas) -> World:
    load_organisation(SECOND)
    insats = Insats.objects.get(slug="steg-for-steg")
    track = Track.objects.get(insats=insats)
    flen = Kommun.objects.get(insats=insats, name="Flen")

    def staff(name: str, role: str) -> StaffMember:
        return StaffMemberFactory(
            user=UserFactory(username=name), role_code=role, insats=insats, first_name=name
        )

    ledare, samordnare, coach = (
        staff("ledare_b", "insatsledare"),
        staff("samordnare_b", "samordnare"),
        staff("coach_b", "coach"),
    )
    alice = ParticipantFactory(
        first_name="Alva", last_name="Bstedt", kommun=flen, track=track, assigned_to=coach
    )
    referral = ReferralFactory(track=track, kommun=flen, status="bedomd")
    world = dataclasses.replace(
        personas,
        alice_sodra=alice,
        coach_sodra=coach,
        samordnare_sodra=samordnare,
        referral_sodra=referral,
    )
    return World(insats, ledare, samordnare, coach, alice, world)


def test_the_second_insats_loads_beside_the_first_and_again_changes_nothing(b: World) -> None:
    assert not b.insats.lansdelar.exists()
    assert Kommun.objects.filter(kommunkod="0482").count() == 2  # Flen is in both
    load_organisation(SECOND)
    assert not load_organisation(SECOND).changed


@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_an_id_of_another_insats_is_refused_like_a_made_up_one(
    personas: Personas, b: World, persona: str
) -> None:
    client = personas.client(persona)  # a persona of insats A …
    client.raise_request_exception = False
    problems: list[str] = []
    for url_name in SCOPED_URLS:
        with objects_of(b.personas, url_name, client) as kwargs:  # … asking for B's objects
            for method in ("GET", "POST"):
                problems += _compare(client, method, url_name, kwargs, must_refuse=True)
    assert not problems, f"{persona}:\n" + "\n".join(problems)


@pytest.mark.parametrize("who", ["ledare_b", "samordnare_b", "coach_b"])
def test_the_staff_of_the_second_insats_get_nothing_of_the_first(
    personas: Personas, b: World, who: str
) -> None:
    from django.test import Client

    client = Client()
    client.force_login(StaffMember.objects.get(user__username=who).user)
    client.raise_request_exception = False
    problems: list[str] = []
    for url_name in SCOPED_URLS:
        with objects_of(personas, url_name, client) as kwargs:  # A's objects
            for method in ("GET", "POST"):
                problems += _compare(client, method, url_name, kwargs, must_refuse=True)
    assert not problems, f"{who}:\n" + "\n".join(problems)


def _login(username: str):
    from django.test import Client

    client = Client()
    client.force_login(StaffMember.objects.filter(user__username=username).first().user)
    return client


def test_lists_search_and_reports_hold_only_the_own_insats(personas: Personas, b: World) -> None:
    ledare_a = personas.client("insatsledare")
    page = ledare_a.get("/deltagare/").content.decode()
    assert "Zackrisson" in page and "Bstedt" not in page
    page = _login("ledare_b").get("/deltagare/").content.decode()
    assert "Bstedt" in page and "Zackrisson" not in page
    # The samordnare of an insats without länsdelar works with the whole insats.
    page = _login("samordnare_b").get("/deltagare/", {"q": "Bstedt"}).content.decode()
    assert "Bstedt" in page
    assert may(b.samordnare.user, Action.VIEW_PARTICIPANT, b.alice)
    # The queue of each holds its own referrals only.
    queue_b = _login("samordnare_b").get("/aktualiseringar/?status=alla").context["page"]
    assert {r.track.insats_id for r in queue_b} == {b.insats.pk}
    queue_a = ledare_a.get("/aktualiseringar/?status=alla").context["page"]
    assert b.insats.pk not in {r.track.insats_id for r in queue_a}
    # Reports count the insats's own participants.
    dashboard = _login("ledare_b").get(
        "/rapporter/", {"by": "kommun", "date_from": "2025-01-01", "date_to": "2026-12-01"}
    )
    (flow,) = [s for s in dashboard.context["figures"] if s.figure.key == "participants"]
    assert {group for group, _cells, _t in flow.rows} == {"Flen"}


def test_the_same_person_takes_part_in_both_and_is_recognised_without_content(
    personas: Personas, b: World
) -> None:
    # Alice of insats A is referred to insats B: a record of her own there, once accepted.
    alice_a = personas.alice_sodra
    referral = ReferralFactory(
        track=Track.objects.get(insats=b.insats),
        kommun=Kommun.objects.get(insats=b.insats, name="Katrineholm"),
        personnummer=alice_a.personnummer.digits,
        first_name=alice_a.first_name,
        last_name=alice_a.last_name,
        status="bedomd",
    )
    page = _login("samordnare_b").get(reverse("referral_detail", args=[referral.pk]))
    body = page.content.decode()
    assert "Sikta mot arbetslivet" in body  # there is a participation, and where …
    assert "Trosa" not in body and alice_a.track.name not in body  # … but nothing of it
    enrolled = ParticipantFactory(
        personnummer=alice_a.personnummer.digits,
        kommun=referral.kommun,
        track=referral.track,
        assigned_to=b.coach,
    )
    assert Participant.objects.filter(personnummer=alice_a.personnummer.digits).count() == 2
    assert enrolled.insats == b.insats and alice_a.insats != b.insats


def test_a_login_with_a_role_in_each_insats_works_in_one_at_a_time(
    personas: Personas, b: World
) -> None:
    # samordnare_sodra of insats A is also a coach in insats B.
    user = personas.samordnare_sodra.user
    coach_b = StaffMemberFactory(user=user, role_code="coach", insats=b.insats)
    b.alice.assigned_to = coach_b
    b.alice.save()
    client = personas.client("samordnare_sodra")
    start = client.get("/").content.decode()
    assert 'name="record"' in start and "Steg för steg" in start  # the switch
    assert client.get(f"/deltagare/{b.alice.pk}/").status_code == 404  # still in A
    response = client.post(reverse("choose_insats"), {"record": coach_b.pk})
    assert response.status_code == 302
    assert client.get(f"/deltagare/{b.alice.pk}/").status_code == 200
    assert client.get(f"/deltagare/{personas.alice_sodra.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="insats.chosen", user=user).exists()
    # Somebody else's record cannot be chosen.
    assert client.post(reverse("choose_insats"), {"record": b.samordnare.pk}).status_code == 400


def test_staff_of_one_insats_see_no_switch(personas: Personas, b: World) -> None:
    assert 'name="record"' not in personas.client("coach_sodra").get("/").content.decode()


def test_a_role_of_the_forbund_sees_every_insats_and_no_person(
    personas: Personas, b: World
) -> None:
    forbund = StaffMemberFactory(
        user=UserFactory(username="forbundsledare"), role_code="insatsledare", insats=None
    )
    client = _login("forbundsledare")
    assert insats_of(forbund.user) is None
    start = client.get("/").content.decode()
    assert "Sikta mot arbetslivet" in start and "Steg för steg" in start
    assert client.get("/deltagare/").status_code == 403
    assert client.get(f"/deltagare/{b.alice.pk}/").status_code in (403, 404)
    dashboard = client.get("/rapporter/", {"by": "all"})
    assert dashboard.status_code == 200 and dashboard.context["suppressed"]
    body = dashboard.content.decode()
    assert "Bstedt" not in body and "Zackrisson" not in body


def test_the_public_page_lists_every_insats_open_for_referral(b: World) -> None:
    from django.test import Client

    page = Client().get("/aktualisering/").content.decode()
    assert "Sikta mot arbetslivet" in page and "Steg för steg" in page
    assert Client().get("/aktualisering/steg-for-steg/").status_code == 200
    form = Client().get("/aktualisering/steg-for-steg/steg/")
    assert form.status_code == 200
    kommuner = {name for _pk, name in form.context["form"].fields["kommun"].choices}
    assert {"Flen", "Katrineholm"} <= kommuner and "Nyköping" not in kommuner
    # The address from before there were several insatser still opens its form.
    assert Client().get("/aktualisering/koordinering/").status_code == 200
    b.insats.open_for_referral = False
    b.insats.save()
    assert Client().get("/aktualisering/steg-for-steg/").status_code == 404


def test_a_staff_record_is_checked_against_its_insats(b: World) -> None:
    from django.core.exceptions import ValidationError

    from sikta.organisation.models import Lansdel, Role

    coach = Role.objects.get(code="coach")
    sodra = Lansdel.objects.get(slug="sodra")
    with pytest.raises(ValidationError, match="länsdel|Länsdelen"):
        StaffMember(
            first_name="X", last_name="Y", role=coach, insats=b.insats, lansdel=sodra
        ).clean()
    with pytest.raises(ValidationError, match="arbetar i en insats"):
        StaffMember(first_name="X", last_name="Y", role=coach, insats=None).clean()
    # A coach in an insats without länsdelar needs none; a förbund role needs no insats.
    StaffMember(first_name="X", last_name="Y", role=coach, insats=b.insats).clean()
    StaffMember(
        first_name="X", last_name="Y", role=Role.objects.get(code="styrgrupp"), insats=None
    ).clean()


def test_the_register_extract_of_an_insats_holds_its_own_records(
    personas: Personas, b: World
) -> None:
    """Each insats answers for its own records: A's extract of a person in both shows A's."""
    import json

    alice_a = personas.alice_sodra
    ParticipantFactory(
        personnummer=alice_a.personnummer.digits,
        first_name="Alice",
        last_name="Zackrisson",
        kommun=Kommun.objects.get(insats=b.insats, name="Flen"),
        track=Track.objects.get(insats=b.insats),
        assigned_to=b.coach,
    )
    response = personas.client("insatsledare").post(
        "/integritet/registerutdrag/?format=json", {"personnummer": str(alice_a.personnummer)}
    )
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = json.dumps(json.loads(content), ensure_ascii=False)
    assert "Trosa" in text and "Steg för steg" not in text and "Flen" not in text
