from __future__ import annotations

import pytest

from sikta.access.policy import Action, may, participant_scope
from sikta.organisation.models import Lansdel
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory


def visible(personas: Personas, name: str) -> set[str]:
    user = getattr(personas, name).user
    return set(
        Participant.objects.filter(participant_scope(user)).values_list("first_name", flat=True)
    )


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("insatsagare", {"Alice", "Bo"}),
        ("insatsledare", {"Alice", "Bo"}),
        ("samordnare_sodra", {"Alice"}),
        ("samordnare_norra", {"Bo"}),
        ("coach_sodra", {"Alice"}),
        ("coach_sodra_other", set()),
        ("koordinator_norra", {"Bo"}),
        ("styrgrupp", set()),
        ("utvarderare", set()),
    ],
)
def test_visible_to_follows_the_role(personas: Personas, name: str, sees: set[str]) -> None:
    assert visible(personas, name) == sees


@pytest.mark.parametrize("name", ["insatsagare", "samordnare_sodra", "coach_sodra", "styrgrupp"])
def test_single_decisions_agree_with_the_list(personas: Personas, name: str) -> None:
    user = getattr(personas, name).user
    listed = set(Participant.objects.filter(participant_scope(user)))
    for participant in Participant.objects.all():
        assert may(user, Action.VIEW_PARTICIPANT, participant) == (participant in listed)


def test_samordnare_sees_a_participant_who_moves_into_their_lansdel(personas: Personas) -> None:
    user = personas.samordnare_norra.user
    alice = personas.alice_sodra
    assert not may(user, Action.VIEW_PARTICIPANT, alice)
    alice.kommun = alice.kommun.__class__.objects.get(name="Eskilstuna")
    alice.save()
    assert may(user, Action.VIEW_PARTICIPANT, alice)


def test_it_checks_lansdel_targets(personas: Personas) -> None:
    sodra = Lansdel.objects.get(slug="sodra")
    assert may(personas.samordnare_sodra.user, Action.VIEW_LANSDEL_CASELOAD, sodra)
    assert not may(personas.samordnare_norra.user, Action.VIEW_LANSDEL_CASELOAD, sodra)
    assert may(personas.insatsledare.user, Action.VIEW_LANSDEL_CASELOAD, sodra)
    assert not may(personas.coach_sodra.user, Action.VIEW_LANSDEL_CASELOAD, sodra)
    assert not may(personas.styrgrupp.user, Action.VIEW_LANSDEL_CASELOAD, sodra)


def test_aggregate_roles_never_get_person_actions(personas: Personas) -> None:
    for name in ("styrgrupp", "utvarderare"):
        user = getattr(personas, name).user
        for action in (
            Action.VIEW_PARTICIPANT,
            Action.LIST_PARTICIPANTS,
            Action.CHANGE_PARTICIPANT,
            Action.EXPORT_PARTICIPANTS,
        ):
            assert not may(user, action)
        assert may(user, Action.VIEW_AGGREGATES)


def test_an_inactive_staff_record_gives_nothing(personas: Personas) -> None:
    coach = personas.coach_sodra
    coach.is_active = False
    coach.save()
    coach.user.refresh_from_db()  # a fresh user object, as on the next request
    assert not may(coach.user, Action.VIEW_PARTICIPANT, personas.alice_sodra)
    assert not Participant.objects.filter(participant_scope(coach.user)).exists()


def test_a_samordnare_without_lansdel_sees_nobody(personas: Personas) -> None:
    samordnare = personas.samordnare_sodra
    samordnare.lansdel = None
    samordnare.save()
    samordnare.user.refresh_from_db()
    assert not Participant.objects.filter(participant_scope(samordnare.user)).exists()
    assert not may(samordnare.user, Action.VIEW_PARTICIPANT, personas.alice_sodra)


def test_coaches_only_see_their_own_even_in_their_lansdel(personas: Personas) -> None:
    ParticipantFactory(first_name="Cilla", assigned_to=personas.coach_sodra_other)
    assert visible(personas, "coach_sodra") == {"Alice"}
    assert visible(personas, "coach_sodra_other") == {"Cilla"}
