"""Planning, changing and marking meetings held: who may, and what the form insists on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from sikta.activities.models import Activity
from sikta.audit.models import AuditEvent
from sikta.organisation.models import Lansdel
from tests.activities.conftest import MakeActivity
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


# A planned meeting is ahead (one whose date has passed is refused when set).
NEXT_MONTH = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def form(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "styrgrupp_lokal",
        "lansdel": Lansdel.objects.get(slug="sodra").pk,
        "title": "Vårens första möte",
        "planned_date": NEXT_MONTH,
        "status": "planned",
        "held_date": "",
        "place": "Nyköping",
        "note": "",
        **overrides,
    }


def test_a_samordnare_plans_a_local_steering_group_meeting(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")
    page = client.get("/aktivitetsplan/ny/")
    assert page.status_code == 200
    assert page.context["form"].initial["lansdel"] == personas.samordnare_sodra.lansdel
    response = client.post("/aktivitetsplan/ny/", form())
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/aktivitetsplan/{activity.pk}/"
    assert (activity.kind, activity.lansdel.slug, activity.status) == (
        "styrgrupp_lokal",
        "sodra",
        "planned",
    )
    assert activity.author == personas.samordnare_sodra.user
    event = AuditEvent.objects.get(action="activities.manage")
    assert event.detail["what"] == "activity.create" and event.detail["activity"] == activity.pk


@pytest.mark.parametrize(
    "overrides",
    [
        {"lansdel": ""},  # a samordnare's is always their own länsdel
        {"kind": "styrgrupp_central", "lansdel": ""},
        {"kind": "konferens"},
    ],
)
def test_a_samordnare_plans_only_for_their_own_lansdel(
    personas: Personas, overrides: dict[str, Any]
) -> None:
    client = personas.client("samordnare_sodra")
    response = client.post("/aktivitetsplan/ny/", form(**overrides))
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_another_lansdel_cannot_be_chosen(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").post(
        "/aktivitetsplan/ny/", form(lansdel=Lansdel.objects.get(slug="norra").pk)
    )
    assert response.status_code == 400
    assert "lansdel" in response.context["form"].errors
    assert 'id="id_lansdel_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "styrgrupp_lokal", "lansdel": ""}, "lansdel"),
        ({"kind": "styrgrupp_central"}, "lansdel"),
        ({"status": "held", "held_date": ""}, "held_date"),
        ({"status": "planned", "held_date": "2026-03-10"}, "held_date"),
        ({"status": "held", "held_date": "2099-01-01"}, "held_date"),
        ({"planned_date": "10/3"}, "planned_date"),
        ({"kind": ""}, "kind"),
    ],
)
def test_the_form_says_what_is_wrong_by_the_field(
    personas: Personas, overrides: dict[str, Any], field: str
) -> None:
    response = personas.client("insatsledare").post("/aktivitetsplan/ny/", form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert "Vårens första möte" in body  # what was typed is kept
    assert not Activity.objects.exists()


def test_the_leads_plan_central_meetings_and_trainings(personas: Personas) -> None:
    client = personas.client("insatsagare")
    for data in (
        form(kind="styrgrupp_central", lansdel=""),
        form(kind="utbildning", lansdel="", title=""),
        form(kind="personaltraff", status="held", held_date="2026-03-11"),
    ):
        assert client.post("/aktivitetsplan/ny/", data).status_code == 302
    assert sorted(Activity.objects.values_list("kind", flat=True)) == [
        "personaltraff",
        "styrgrupp_central",
        "utbildning",
    ]
    training = Activity.objects.get(kind="utbildning")
    assert training.display_title == "Training"


def test_a_samordnare_changes_only_their_own(
    personas: Personas, make_activity: MakeActivity
) -> None:
    own = make_activity("styrgrupp_lokal", "2026-03-10", "sodra")
    other = make_activity("styrgrupp_lokal", "2026-03-10", "norra")
    central = make_activity("styrgrupp_central", "2026-03-10")
    whole = make_activity("personaltraff", "2026-03-10")
    client = personas.client("samordnare_sodra")
    assert client.get(f"/aktivitetsplan/{own.pk}/andra/").status_code == 200
    for activity in (other, central, whole):
        assert client.get(f"/aktivitetsplan/{activity.pk}/andra/").status_code == 404
        assert client.post(f"/aktivitetsplan/{activity.pk}/andra/", form()).status_code == 404
        assert (
            client.post(
                f"/aktivitetsplan/{activity.pk}/genomford/", {"held-held_date": "2026-03-10"}
            ).status_code
            == 404
        )
        # Reading is for everyone.
        page = client.get(f"/aktivitetsplan/{activity.pk}/")
        assert page.status_code == 200 and not page.context["may_manage"]
    response = client.post(f"/aktivitetsplan/{own.pk}/andra/", form(place="Trosa"))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.place == "Trosa"
    assert AuditEvent.objects.get(action="activities.manage").detail["what"] == "activity.change"
    other.refresh_from_db()
    assert other.status == "planned"


def test_the_leads_change_anything(personas: Personas, make_activity: MakeActivity) -> None:
    central = make_activity("styrgrupp_central", "2026-03-10")
    response = personas.client("insatsledare").post(
        f"/aktivitetsplan/{central.pk}/andra/", form(kind="styrgrupp_central", lansdel="")
    )
    assert response.status_code == 302


def test_a_meeting_is_marked_held(
    personas: Personas, make_activity: MakeActivity, time_machine
) -> None:
    time_machine.move_to("2026-03-12 10:00 +01:00")
    meeting = make_activity("styrgrupp_lokal", "2026-03-10", "sodra")
    client = personas.client("samordnare_sodra")
    page = client.get(f"/aktivitetsplan/{meeting.pk}/")
    assert page.context["held_form"].initial["held_date"].isoformat() == "2026-03-10"
    response = client.post(
        f"/aktivitetsplan/{meeting.pk}/genomford/", {"held-held_date": "2026-03-11"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_date.isoformat()) == ("held", "2026-03-11")
    assert AuditEvent.objects.get(action="activities.manage").detail["what"] == "activity.held"


def test_a_meeting_cannot_be_held_tomorrow(
    personas: Personas, make_activity: MakeActivity, time_machine
) -> None:
    time_machine.move_to("2026-03-12 10:00 +01:00")
    meeting = make_activity("styrgrupp_lokal", "2026-03-20", "sodra")
    response = personas.client("samordnare_sodra").post(
        f"/aktivitetsplan/{meeting.pk}/genomford/", {"held-held_date": "2026-03-13"}
    )
    assert response.status_code == 400
    assert 'id="id_held-held_date_error"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned"


@pytest.mark.parametrize(
    "persona", ["styrgrupp", "utvarderare", "coach_sodra", "koordinator_norra"]
)
def test_readers_read_but_do_not_plan(
    personas: Personas, make_activity: MakeActivity, persona: str
) -> None:
    meeting = make_activity("styrgrupp_lokal", "2026-03-10", "sodra", title="Mars")
    client = personas.client(persona)
    plan = client.get("/aktivitetsplan/?halvar=2026-1")
    assert plan.status_code == 200 and "Mars" in plan.content.decode()
    assert not plan.context["may_create"]
    detail = client.get(f"/aktivitetsplan/{meeting.pk}/")
    assert detail.status_code == 200 and not detail.context["may_manage"]
    assert f"/aktivitetsplan/{meeting.pk}/andra/" not in detail.content.decode()
    assert client.get("/aktivitetsplan/ny/").status_code == 403
    assert client.post("/aktivitetsplan/ny/", form()).status_code == 403
    assert client.post(f"/aktivitetsplan/{meeting.pk}/andra/", form()).status_code == 403
    assert (
        client.post(
            f"/aktivitetsplan/{meeting.pk}/genomford/", {"held-held_date": "2026-03-10"}
        ).status_code
        == 403
    )
    assert Activity.objects.count() == 1
    assert not AuditEvent.objects.filter(action="activities.manage").exists()


def test_a_database_constraint_backs_the_form(make_activity: MakeActivity) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_activity("styrgrupp_lokal", "2026-03-10")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_activity("styrgrupp_central", "2026-03-10", "sodra")
