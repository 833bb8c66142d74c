from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sikta.audit.models import AppendOnlyError, AuditAction, AuditEvent
from sikta.audit.services import audit_record
from tests.conftest import Personas


@pytest.fixture
def event(personas: Personas) -> AuditEvent:
    return audit_record(
        user=personas.coach_sodra.user,
        action=AuditAction.PARTICIPANT_VIEW,
        participant=personas.alice_sodra,
    )


def test_reading_a_participant_writes_who_what_when_whom_where(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    response = client.get(f"/deltagare/{personas.alice_sodra.pk}/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PARTICIPANT_VIEW)
    assert event.user == personas.coach_sodra.user
    assert event.username == "coach_sodra"
    assert event.role == "coach"
    assert event.participant == personas.alice_sodra
    assert event.ip_address == "10.1.2.3"
    assert event.path == f"/deltagare/{personas.alice_sodra.pk}/"
    assert timezone.now() - event.at < dt.timedelta(minutes=1)


def test_a_list_writes_one_record_per_person_shown(personas: Personas) -> None:
    personas.client("insatsledare").get("/deltagare/")
    listed = AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_LIST)
    assert {e.participant_id for e in listed} == {personas.alice_sodra.pk, personas.bo_norra.pk}


def test_the_caseworker_start_page_is_a_read_too(personas: Personas) -> None:
    personas.client("coach_sodra").get("/")
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.PARTICIPANT_LIST, participant=personas.alice_sodra
        ).count()
        == 1
    )


def test_a_refused_read_writes_nothing_about_the_person(personas: Personas) -> None:
    personas.client("coach_sodra_other").get(f"/deltagare/{personas.alice_sodra.pk}/")
    assert not AuditEvent.objects.filter(participant=personas.alice_sodra).exists()


def test_login_and_logout_are_logged(personas: Personas) -> None:
    client = personas.client("anonymous")
    user = personas.samordnare_sodra.user
    user.set_password("en-lång-lösenfras-1")
    user.save()
    client.post("/konto/logga-in/", {"username": user.username, "password": "en-lång-lösenfras-1"})
    client.post("/konto/logga-ut/")
    actions = list(AuditEvent.objects.filter(user=user).values_list("action", flat=True))
    assert sorted(actions) == ["login", "logout"]


def test_the_model_refuses_change_and_delete(event: AuditEvent) -> None:
    event.action = AuditAction.LOGIN
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="login")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'login'",
        "DELETE FROM audit_auditevent",
    ],
)
def test_the_database_refuses_change_and_delete(event: AuditEvent, sql: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    event.refresh_from_db()
    assert event.action == AuditAction.PARTICIPANT_VIEW


def test_the_admin_shows_the_log_read_only(personas: Personas, event: AuditEvent) -> None:
    client = personas.client("admin")
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "login"})
    assert response.status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    event.refresh_from_db()
    assert event.action == AuditAction.PARTICIPANT_VIEW


def test_the_log_outlives_the_participant(personas: Personas, event: AuditEvent) -> None:
    participant_id = personas.alice_sodra.pk
    personas.alice_sodra.delete()
    event = AuditEvent.objects.select_related("participant").get(pk=event.pk)
    assert event.participant_id == participant_id
    assert event.participant is None
    page = personas.client("insatsledare").get("/logg/").content.decode()
    assert f"#{participant_id}" in page


def test_behind_the_proxy_the_clients_address_is_logged(settings) -> None:
    from django.test import RequestFactory

    from sikta.core.net import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7"
    )
    assert client_ip(request) == "10.0.0.1"
    settings.BEHIND_TLS_PROXY = True
    assert client_ip(request) == "198.51.100.7"  # the address our proxy saw, not the claim
