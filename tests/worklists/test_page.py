"""The page: who sees what, filters, pagination, query count, protected identity, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sikta.audit.models import AuditAction, AuditEvent
from sikta.organisation.loader import load_organisation
from sikta.organisation.models import Insats, Kommun, StaffMember, Track
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory, StaffMemberFactory, UserFactory
from tests.worklists.conftest import task_rows

pytestmark = pytest.mark.django_db
SECOND = settings.BASE_DIR / "sikta" / "organisation" / "data" / "steg_for_steg.toml"


def _names(rows: set[tuple[str, str]]) -> set[str]:
    return {name for _kind, name in rows}


def test_a_coach_sees_only_their_own_participants(personas: Personas) -> None:
    ParticipantFactory(first_name="Annans", assigned_to=personas.coach_sodra_other)
    assert _names(task_rows(personas.client("coach_sodra"))) == {"Alice"}
    assert _names(task_rows(personas.client("coach_sodra_other"))) == {"Annans"}
    assert _names(task_rows(personas.client("koordinator_norra"))) == {"Bo"}


def test_a_samordnare_sees_the_lansdel_and_its_referrals(personas: Personas) -> None:
    ParticipantFactory(first_name="Annans", assigned_to=personas.coach_sodra_other)
    personas.referral_sodra.received_at -= dt.timedelta(days=30)
    personas.referral_sodra.save()
    assert _names(task_rows(personas.client("samordnare_sodra"))) == {"Alice", "Annans", "Cilla"}
    assert _names(task_rows(personas.client("samordnare_norra"))) == {"Bo"}
    assert _names(task_rows(personas.client("insatsledare"))) == {"Alice", "Annans", "Bo", "Cilla"}


@pytest.mark.parametrize("persona", ["styrgrupp", "utvarderare", "no_role"])
def test_the_aggregate_roles_have_no_worklist(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    assert client.get("/att-gora/").status_code == 403
    assert "/att-gora/" not in client.get("/organisation/").content.decode()


def test_a_role_of_the_forbund_has_no_worklist(personas: Personas) -> None:
    StaffMember.objects.filter(pk=personas.insatsledare.pk).update(insats=None)
    client = personas.client("insatsledare")
    assert client.get("/att-gora/").status_code == 403


def test_the_staff_of_another_insats_never_see_the_first_insats_rows(
    personas: Personas,
) -> None:
    load_organisation(SECOND)
    insats = Insats.objects.get(slug="steg-for-steg")
    users = {}
    for name, role in (
        ("ledare_b", "insatsledare"),
        ("samordnare_b", "samordnare"),
        ("coach_b", "coach"),
    ):
        users[name] = StaffMemberFactory(
            user=UserFactory(username=name), role_code=role, insats=insats, first_name=name
        )
    ParticipantFactory(
        first_name="Alva",
        kommun=Kommun.objects.get(insats=insats, name="Flen"),
        track=Track.objects.get(insats=insats),
        assigned_to=users["coach_b"],
    )
    from django.test import Client

    for name, staff in users.items():
        client = Client()
        client.force_login(staff.user)
        assert _names(task_rows(client)) == {"Alva"}, name
    # … and the first insats's staff never see B's.
    assert "Alva" not in _names(task_rows(personas.client("insatsledare")))


def test_filters_by_staff_member_track_and_kommun(personas: Personas) -> None:
    other = ParticipantFactory(
        first_name="Annans",
        assigned_to=personas.coach_sodra_other,
        kommun=Kommun.objects.get(name="Nyköping"),
        track=Track.objects.get(slug="koordinering"),
    )
    personas.referral_sodra.received_at -= dt.timedelta(days=30)
    personas.referral_sodra.save()
    client = personas.client("samordnare_sodra")
    staff = personas.coach_sodra_other.pk
    # A staff member's tasks: their participants' (a referral has no staff member yet).
    assert _names(task_rows(client, f"personal={staff}")) == {"Annans"}
    assert _names(task_rows(client, f"spar={other.track_id}")) == {"Annans"}
    assert _names(task_rows(client, f"kommun={personas.alice_sodra.kommun_id}")) == {"Alice"}
    assert _names(task_rows(client, "typ=aktualisering")) == {"Cilla"}
    # A staff member of another länsdel is no choice: the form says so, and nothing is narrowed
    # to someone the samordnare may not see.
    response = client.get(f"/att-gora/?personal={personas.koordinator_norra.pk}")
    assert response.context["form"].errors


def test_a_coach_has_no_staff_filter(personas: Personas) -> None:
    response = personas.client("coach_sodra").get("/att-gora/")
    assert "personal" not in response.context["form"].fields


def test_the_summary_counts_each_kind_and_links_to_it(personas: Personas) -> None:
    response = personas.client("coach_sodra").get("/att-gora/?typ=kontakt")
    counts = {kind.value: n for kind, _label, n in response.context["counts"]}
    assert counts["kontakt"] == 1 and counts["ettarsgrans"] == 1 and counts["startenkat"] == 1
    assert "aktualisering" not in counts
    assert response.context["total"] == sum(counts.values())
    assert 'href="?typ=mal"' in response.content.decode()


def test_the_list_is_paginated(personas: Personas) -> None:
    for n in range(55):
        ParticipantFactory(first_name=f"P{n}", assigned_to=personas.coach_sodra)
    client = personas.client("coach_sodra")
    first = client.get("/att-gora/?typ=startenkat")
    assert len(first.context["tasks"]) == 50
    assert first.context["page"].paginator.count == 56
    second = client.get("/att-gora/?typ=startenkat&sida=2")
    assert len(second.context["tasks"]) == 6
    assert "sida=2" in first.content.decode()
    # Every kind together: the pages hold what the summary counts, and the union of the kinds
    # is not counted again for them.
    with CaptureQueriesContext(connection) as queries:
        everything = client.get("/att-gora/")
    pages = everything.context["page"].paginator
    assert pages.count == everything.context["total"] > 56
    union_counts = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT COUNT") and "UNION" in q["sql"]
    ]
    assert not union_counts
    last = client.get(f"/att-gora/?sida={pages.num_pages}")
    assert 50 * (pages.num_pages - 1) + len(last.context["tasks"]) == pages.count


def _many(personas: Personas, n: int) -> None:
    from django.utils import timezone

    from sikta.bookings.models import Booking
    from sikta.casework.models import Goal
    from sikta.organisation.models import GoalArea

    area = GoalArea.objects.first()
    for i in range(n):
        p = ParticipantFactory(
            first_name=f"M{i}",
            assigned_to=personas.coach_sodra,
            protected_identity=i % 3 == 0,
        )
        Goal.objects.create(participant=p, text="Mål", area=area, target_date=dt.date(2026, 1, 1))
        Booking.objects.create(
            participant=p,
            staff=personas.coach_sodra,
            kind=Booking.Kind.MEETING,
            starts_at=timezone.now() - dt.timedelta(days=i + 1),
        )


@pytest.mark.parametrize("persona", ["coach_sodra", "samordnare_sodra", "insatsledare"])
def test_the_page_costs_the_same_queries_for_more_data(
    personas: Personas, persona: str, django_assert_max_num_queries
) -> None:
    client = personas.client(persona)
    client.get("/att-gora/")  # the session and staff look-ups warmed
    _many(personas, 3)
    with django_assert_max_num_queries(30) as small:
        client.get("/att-gora/")
    _many(personas, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/att-gora/")
    assert response.context["page"].paginator.count > 100


def test_a_protected_identity_is_masked_for_those_who_may_not_see_it(personas: Personas) -> None:
    Participant.objects.filter(pk=personas.alice_sodra.pk).update(protected_identity=True)
    masked = f"Skyddad identitet #{personas.alice_sodra.pk}"
    lead = personas.client("insatsledare").get("/att-gora/").content.decode()
    assert masked in lead and "Zackrisson" not in lead
    coach = personas.client("coach_sodra").get("/att-gora/").content.decode()
    assert "Zackrisson" in coach


def test_the_people_on_the_page_are_audited_as_listed(personas: Personas) -> None:
    personas.referral_sodra.received_at -= dt.timedelta(days=30)
    personas.referral_sodra.save()
    before = AuditEvent.objects.count()
    personas.client("samordnare_sodra").get("/att-gora/")
    written = AuditEvent.objects.order_by("pk")[before:]
    listed = {e.participant_id for e in written if e.action == AuditAction.PARTICIPANT_LIST}
    assert listed == {personas.alice_sodra.pk}  # once, though she has several tasks
    assert {e.referral_id for e in written if e.action == AuditAction.REFERRAL_LIST} == {
        personas.referral_sodra.pk
    }


def test_the_menu_leads_to_the_worklist(personas: Personas) -> None:
    """The menu links without a count: counting every kind on every page would cost each page
    what the worklist costs (the start page's summary has the counts)."""
    page = personas.client("coach_sodra").get("/organisation/").content.decode()
    assert 'href="/att-gora/"' in page and "Att göra" in page
    assert "Att göra" not in personas.client("styrgrupp").get("/organisation/").content.decode()


def test_the_e_mail_digest_counts_what_the_worklist_shows(personas: Personas) -> None:
    """One definition: the weekly digest counts the worklist's kinds."""
    from sikta.worklists.digest import digest_for

    coach = personas.coach_sodra
    ParticipantFactory(first_name="Nara", assigned_to=coach, start_date=dt.date(2025, 12, 20))
    digest = digest_for(coach, coach.insats)
    response = personas.client("coach_sodra").get("/att-gora/")
    counts = {kind.value: n for kind, _label, n in response.context["counts"]}
    assert digest.alerts["past_limit"] + digest.alerts["near_limit"] == counts["ettarsgrans"] == 2
    assert digest.alerts["no_contact"] == counts["kontakt"]
