"""Kartläggning: a template per track, saved as versions, never overwritten."""

from __future__ import annotations

import pytest

from sikta.audit.models import AuditEvent
from sikta.casework.models import Mapping
from sikta.organisation.models import Track
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def url(personas: Personas) -> str:
    return f"/deltagare/{personas.alice_sodra.pk}/kartlaggning/"


def test_the_form_follows_the_tracks_template(personas: Personas) -> None:
    coachning = personas.client("coach_sodra").get(url(personas)).context["form"]
    assert [f.label for f in coachning.answer_fields()] == [
        "Tidigare arbete och studier",
        "Kompetenser",
        "Intressen",
        "Yrkesinriktning",
        "Hur hälsan påverkar arbete",
        "Stöd som behövs för arbetsträning",
    ]
    bo = personas.bo_norra
    koordinering = personas.client("koordinator_norra").get(f"/deltagare/{bo.pk}/kartlaggning/")
    labels = [f.label for f in koordinering.context["form"].answer_fields()]
    assert labels[:4] == [
        "Aktivitet och sysselsättning",
        "Ekonomi",
        "Vård- och myndighetskontakter",
        "Vardag och boende",
    ]


def test_the_template_is_data(personas: Personas) -> None:
    track = Track.objects.get(slug="coachning")
    track.mapping_template = [{"key": "x", "label": "Körkort", "help": ""}]
    track.save()
    form = personas.client("coach_sodra").get(url(personas)).context["form"]
    assert [f.label for f in form.answer_fields()] == ["Körkort"]


def test_a_revision_is_a_new_version(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    first = client.post(
        url(personas), {"based_on": "", "a_intressen": "Musik", "a_kompetenser": ""}
    )
    assert first.status_code == 302
    form = client.get(url(personas)).context["form"]
    assert form.initial["a_intressen"] == "Musik" and form.initial["based_on"] == 1
    client.post(url(personas), {"based_on": "1", "a_intressen": "Musik och trädgård"})
    versions = list(Mapping.objects.filter(participant=personas.alice_sodra).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    texts = [{a["key"]: a["text"] for a in v.answers}["intressen"] for v in versions]
    assert texts == ["Musik", "Musik och trädgård"]  # the earlier one is still there
    assert versions[1].author == personas.coach_sodra.user
    page = client.get(url(personas), {"version": 1})
    assert page.context["shown"].version == 1 and "Musik" in page.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="participant.change",
            participant=personas.alice_sodra,
            detail__what="kartläggning",
        ).count()
        == 2
    )


def test_two_writers_do_not_overwrite_each_other(personas: Personas) -> None:
    coach = personas.client("coach_sodra")
    samordnare = personas.client("samordnare_sodra")
    coach.post(url(personas), {"based_on": "", "a_intressen": "Musik"})
    # Both open version 1; the samordnare saves first.
    assert (
        samordnare.post(url(personas), {"based_on": "1", "a_intressen": "Sport"}).status_code == 302
    )
    response = coach.post(url(personas), {"based_on": "1", "a_intressen": "Musik, mycket musik"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Musik, mycket musik" in page  # nothing typed is lost
    assert "Sport" in page  # the other version is shown
    assert response.context["form"].non_field_errors()
    assert Mapping.objects.filter(participant=personas.alice_sodra).count() == 2
    # Sending again, now based on the latest, works.
    again = coach.post(url(personas), {"based_on": "2", "a_intressen": "Sport och musik"})
    assert again.status_code == 302


def test_an_empty_kartlaggning_is_refused(personas: Personas) -> None:
    response = personas.client("coach_sodra").post(url(personas), {"based_on": ""})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
    assert not Mapping.objects.exists()


def test_only_those_who_may_change_the_case_may_write(personas: Personas) -> None:
    response = personas.client("coach_sodra_other").post(url(personas), {"a_intressen": "x"})
    assert response.status_code == 404
    assert not Mapping.objects.exists()
