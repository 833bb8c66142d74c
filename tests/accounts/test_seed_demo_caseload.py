"""seed_demo's staff grows with its participants: about the caseload capacity per caseworker."""

from __future__ import annotations

import math
import re

import pytest
from django.core.management.base import CommandError

from sikta.access.roles import CASEWORKER_ROLES
from sikta.accounts.demo import FEMALE_NAMES, MALE_NAMES, SURNAMES, extra_staff
from sikta.organisation.models import Insats, StaffMember
from sikta.participants.models import Participant
from tests.accounts.conftest import MAIN, seed

pytestmark = pytest.mark.django_db
SECOND = "steg-for-steg"
WORST = "coach.sodra.2"


def enrolled(staff: StaffMember) -> int:
    return Participant.objects.filter(assigned_to=staff, status__in=Participant.ENROLLED).count()


def pools(insats: Insats) -> dict[tuple[str, str], list[StaffMember]]:
    """The caseworkers of each (länsdel, role) pool of `insats`."""
    found: dict[tuple[str, str], list[StaffMember]] = {}
    staff = StaffMember.objects.filter(insats=insats, role__code__in=CASEWORKER_ROLES)
    for member in staff.select_related("role", "lansdel"):
        found.setdefault((member.lansdel.slug, member.role.code), []).append(member)
    return found


def assert_about_capacity(insats: Insats) -> None:
    """Each pool has as many caseworkers as its enrolled participants need, none above its
    capacity, the demo accounts included."""
    capacity = insats.default_caseload_capacity
    for key, members in pools(insats).items():
        loads = {m.email: enrolled(m) for m in members}
        demo = [m for m in members if not m.email.startswith("handlaggare.")]
        assert len(demo) in (2, 3), key  # the fixed demo staff
        assert max(loads.values()) <= capacity, key
        needed = math.ceil(sum(loads.values()) / capacity)
        assert len(members) == max(len(demo), needed), key


def test_caseworkers_grow_with_the_participants(debug_on) -> None:
    output = seed("--participants", "600", "--referrals", "0")
    insats = Insats.objects.get(slug=MAIN)
    capacity = insats.default_caseload_capacity
    assert capacity == 15  # from the organisation's data file
    assert_about_capacity(insats)
    demo = StaffMember.objects.filter(insats=insats, role__code__in=CASEWORKER_ROLES)
    demo = demo.filter(user__isnull=False)
    assert demo.count() == 15  # 3 coaches and 2 koordinatorer in each of 3 länsdelar
    for member in demo:
        assert 10 <= enrolled(member) <= 20, member.user.username
    added = extra_staff(insats)
    assert added.count() > 0
    assert f"caseworkers without login added: {added.count()}" in output
    for member in added.select_related("lansdel"):
        assert member.user_id is None
        assert re.fullmatch(rf"handlaggare\.{member.lansdel.slug}\.\d+@example\.com", member.email)
        assert member.first_name in FEMALE_NAMES + MALE_NAMES and member.last_name in SURNAMES
    assert len(set(added.values_list("email", flat=True))) == added.count()
    # The demo's second insats keeps its small, fixed staff.
    second = Insats.objects.get(slug=SECOND)
    assert not extra_staff(second).exists()
    assert StaffMember.objects.filter(insats=second).count() == 4


def test_the_default_demo_adds_no_staff(debug_on) -> None:
    output = seed()
    assert Participant.objects.filter(insats__slug=MAIN).count() == 90
    assert not StaffMember.objects.filter(user__isnull=True).exists()
    assert "without login" not in output


def test_seeding_again_grows_the_staff_with_the_participants(debug_on) -> None:
    seed("--participants", "250", "--referrals", "0", "--seed", "5")
    insats = Insats.objects.get(slug=MAIN)
    first = extra_staff(insats).count()
    seed("--participants", "250", "--referrals", "0", "--seed", "6")
    assert Participant.objects.filter(insats=insats).count() == 500
    assert extra_staff(insats).count() > first
    assert_about_capacity(insats)


def test_a_worst_case_caseload_for_one_demo_coach(debug_on) -> None:
    seed("--participants", "400", "--referrals", "0")
    insats = Insats.objects.get(slug=MAIN)
    total = Participant.objects.count()
    output = seed("--participants", "0", "--worst-case-caseload", "60")
    coach = StaffMember.objects.get(user__username=WORST)
    mine = Participant.objects.filter(assigned_to=coach, status__in=Participant.ENROLLED)
    assert mine.count() == 60
    assert f"worst case: {WORST}" in output and "carries 60 enrolled" in output
    found = re.search(
        r"had (\d+); (\d+) taken over from caseworkers without login, (\d+) added", output
    )
    assert found is not None
    had, moved, added = map(int, found.groups())
    assert 10 <= had <= 15 and moved > 0 and had + moved + added == 60
    # Taken over from the caseworkers without login, as far as they go; the rest added.
    assert Participant.objects.count() == total + added
    for p in mine.select_related("kommun", "track"):
        assert p.kommun.lansdel_id == coach.lansdel_id
        assert p.track.caseworker_role == coach.role.code
    assert not mine.filter(journal__isnull=True).exists()  # each with case work
    others = StaffMember.objects.filter(user__username__startswith="coach.").exclude(pk=coach.pk)
    assert all(enrolled(m) <= insats.default_caseload_capacity for m in others)
    assert all(enrolled(m) <= insats.default_caseload_capacity for m in extra_staff(insats))
    # Again: it has its 60 already.
    count = Participant.objects.count()
    assert "carries 60 enrolled participants (had 60" in seed(
        "--participants", "0", "--worst-case-caseload", "60"
    )
    assert Participant.objects.count() == count


def test_a_worst_case_without_caseworkers_to_take_from_adds_participants(debug_on) -> None:
    seed()
    before = Participant.objects.count()
    coach = StaffMember.objects.get(user__username=WORST)
    had = enrolled(coach)
    output = seed("--worst-case-caseload", "30")
    assert enrolled(coach) == 30
    assert Participant.objects.count() == before + 30 - had
    assert f"{30 - had} added" in output


def test_a_worst_case_needs_a_demo_caseworker(debug_on) -> None:
    seed("--participants", "0")
    with pytest.raises(CommandError, match="samordnare.sodra"):
        seed("--worst-case-caseload", "5", "--worst-case-account", "samordnare.sodra")
