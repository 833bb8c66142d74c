from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sikta.audit.models import AuditAction, AuditEvent
from sikta.audit.services import audit_record
from tests.conftest import Personas


def rows(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def test_it_searches_by_user_participant_action_and_period(personas: Personas) -> None:
    coach, other = personas.coach_sodra.user, personas.koordinator_norra.user
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        audit_record(
            user=coach, action=AuditAction.PARTICIPANT_VIEW, participant=personas.alice_sodra
        )
    with time_machine.travel(dt.datetime(2026, 5, 2, 10, tzinfo=dt.UTC)):
        audit_record(user=other, action=AuditAction.PARTICIPANT_VIEW, participant=personas.bo_norra)
        audit_record(user=coach, action=AuditAction.LOGIN)
    client = personas.client("insatsledare")

    by_user = rows(client.get("/logg/", {"user": "coach_sodra"}))
    assert {e.action for e in by_user} == {"participant.view", "login"}

    by_person = rows(client.get("/logg/", {"personnummer": str(personas.bo_norra.personnummer)}))
    assert [e.username for e in by_person] == ["koordinator_norra"]

    by_period = rows(client.get("/logg/", {"date_from": "2026-03-01", "date_to": "2026-03-31"}))
    assert [e.participant for e in by_period] == [personas.alice_sodra]

    by_action = rows(client.get("/logg/", {"action": "login", "user": "coach_sodra"}))
    assert len(by_action) == 1


def test_searching_is_itself_logged(personas: Personas) -> None:
    personas.client("insatsledare").get("/logg/", {"user": "coach_sodra"})
    event = AuditEvent.objects.get(action=AuditAction.AUDIT_SEARCH)
    assert event.username == "insatsledare"
    assert event.detail == {"user": "coach_sodra"}


def test_bad_input_is_explained_next_to_the_field_and_kept(personas: Personas) -> None:
    response = personas.client("insatsledare").get(
        "/logg/",
        {"personnummer": "19811218-9875", "date_from": "2026-05-01", "date_to": "2026-04-01"},
    )
    form = response.context["form"]
    assert "personnummer" in form.errors and "date_to" in form.errors
    body = response.content.decode()
    assert 'value="19811218-9875"' in body
    assert 'value="2026-04-01"' in body
    assert 'aria-invalid="true"' in body
    assert rows(response) == []


def test_the_page_does_not_grow_queries_with_the_data(personas: Personas) -> None:
    client = personas.client("insatsledare")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/logg/").status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for _ in range(30):
        audit_record(
            user=personas.coach_sodra.user,
            action=AuditAction.PARTICIPANT_VIEW,
            participant=personas.alice_sodra,
        )
    assert count_queries() == few


def test_the_period_is_local_days_at_their_edges(personas: Personas) -> None:
    """A period runs from local midnight to local midnight (Stockholm), as bounds on the time
    itself (so that its index serves the search)."""
    for at in (
        dt.datetime(2026, 2, 28, 22, 59, tzinfo=dt.UTC),  # 23:59 on 28 Feb, Stockholm
        dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC),  # 00:00 on 1 March
        dt.datetime(2026, 3, 31, 21, 59, tzinfo=dt.UTC),  # 23:59 on 31 March (summer time)
        dt.datetime(2026, 3, 31, 22, 0, tzinfo=dt.UTC),  # 00:00 on 1 April
    ):
        with time_machine.travel(at):
            audit_record(user=personas.coach_sodra.user, action=AuditAction.LOGIN)
    client = personas.client("insatsledare")
    found = rows(
        client.get(
            "/logg/", {"action": "login", "date_from": "2026-03-01", "date_to": "2026-03-31"}
        )
    )
    assert sorted(e.at for e in found) == [
        dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 21, 59, tzinfo=dt.UTC),
    ]


def test_a_long_log_is_counted_only_up_to_the_cap(personas: Personas, monkeypatch) -> None:
    from sikta.audit import views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for _ in range(5):
        audit_record(user=personas.coach_sodra.user, action=AuditAction.LOGIN)
    response = personas.client("insatsledare").get("/logg/", {"action": "login"})
    page = response.context["page"]
    assert page.paginator.capped and page.paginator.count == 3
    assert "Fler än 3 poster: de 3 senaste visas." in response.content.decode()
    assert len(rows(response)) == 3
