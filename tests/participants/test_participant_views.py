from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sikta.organisation.models import Kommun
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory


def names(response) -> set[str]:
    return {p.first_name for p in response.context["page"].object_list}


def test_the_list_shows_active_participants_by_default(personas: Personas) -> None:
    ParticipantFactory(
        first_name="Avslutad", assigned_to=personas.coach_sodra, status=Participant.Status.CLOSED
    )
    client = personas.client("samordnare_sodra")
    assert names(client.get("/deltagare/")) == {"Alice"}
    assert names(client.get("/deltagare/", {"status": ""})) == {"Alice", "Avslutad"}


def test_it_searches_by_name_and_personnummer(personas: Personas) -> None:
    client = personas.client("insatsledare")
    assert names(client.get("/deltagare/", {"q": "alice zack"})) == {"Alice"}
    pnr = personas.bo_norra.personnummer
    assert names(client.get("/deltagare/", {"q": pnr.short()})) == {"Bo"}
    assert names(client.get("/deltagare/", {"q": "nobody"})) == set()


def test_the_filters_only_offer_kommuner_in_scope(personas: Personas) -> None:
    response = personas.client("samordnare_norra").get("/deltagare/")
    offered = set(response.context["form"].fields["kommun"].queryset.values_list("name", flat=True))
    assert offered == {"Strängnäs"}


def test_a_kommun_outside_the_scope_cannot_be_forced(personas: Personas) -> None:
    trosa = Kommun.objects.get(name="Trosa")
    response = personas.client("samordnare_norra").get("/deltagare/", {"kommun": trosa.pk})
    assert names(response) == set()
    assert "kommun" in response.context["form"].errors


def test_the_list_query_count_does_not_grow(personas: Personas) -> None:
    client = personas.client("insatsledare")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/deltagare/")
        return len(ctx.captured_queries)

    few = queries()
    ParticipantFactory.create_batch(20, assigned_to=personas.coach_sodra)
    assert queries() == few


def test_the_detail_page_shows_what_the_number_tells(personas: Personas) -> None:
    response = personas.client("coach_sodra").get(f"/deltagare/{personas.alice_sodra.pk}/")
    body = response.content.decode()
    pnr = personas.alice_sodra.personnummer
    assert str(pnr) in body
    assert pnr.birth_date.isoformat() in body
    assert "Trosa" in body and "Södra länsdelen" in body
