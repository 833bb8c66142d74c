"""A signed-in session ends SESSION_COOKIE_AGE after its last request, to the minute, without a
write to the database on every page (sikta.core.middleware.IdleTimeoutMiddleware)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Personas

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def session_writes(client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(
        1
        for query in queries.captured_queries
        if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
    )


def expiry(client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_expiry_moves_forward_once_a_minute_not_on_every_page(
    personas: Personas, time_machine
) -> None:
    time_machine.move_to(START, tick=False)
    client = personas.client("coach_sodra")  # signed in at START
    assert session_writes(client) == 0
    assert expiry(client) == START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    time_machine.move_to(START + dt.timedelta(seconds=59), tick=False)
    assert session_writes(client) == 0
    assert session_writes(client, "/deltagare/") == 0
    assert expiry(client) == START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

    later = START + dt.timedelta(seconds=settings.SESSION_TOUCH_SECONDS)
    time_machine.move_to(later, tick=False)
    assert session_writes(client) == 1
    assert expiry(client) == later + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_session_used_all_along_lives_on_and_an_idle_one_ends(
    personas: Personas, time_machine
) -> None:
    time_machine.move_to(START, tick=False)
    busy, idle = personas.client("coach_sodra"), personas.client("insatsledare")
    busy.get("/"), idle.get("/")
    minutes = settings.SESSION_COOKIE_AGE // 60
    for minute in range(1, 2 * minutes):  # a page a minute, for twice the idle timeout
        time_machine.move_to(START + dt.timedelta(minutes=minute), tick=False)
        assert busy.get("/").status_code == 200

    # The idle one: its last request at START, so it has ended by now.
    response = idle.get("/deltagare/")
    assert response.status_code == 302 and "logga-in" in response["Location"]


def test_an_idle_session_ends_at_most_a_minute_before_its_timeout(
    personas: Personas, time_machine
) -> None:
    time_machine.move_to(START, tick=False)
    client = personas.client("coach_sodra")
    client.get("/")
    # The last request, 50 s later, does not move the expiry...
    time_machine.move_to(START + dt.timedelta(seconds=50), tick=False)
    assert client.get("/").status_code == 200
    # ...so the session ends SESSION_COOKIE_AGE after the one before it: 50 s early.
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    time_machine.move_to(START + age + dt.timedelta(seconds=1), tick=False)
    response = client.get("/deltagare/")
    assert response.status_code == 302 and "logga-in" in response["Location"]


def test_a_visitor_gets_no_session_and_signing_out_leaves_none(personas: Personas, client) -> None:
    client.get("/aktualisering/")
    assert Session.objects.count() == 0

    signed_in = personas.client("coach_sodra")
    signed_in.get("/")
    assert Session.objects.count() == 1
    signed_in.post("/konto/logga-ut/")
    assert Session.objects.count() == 0
    signed_in.get("/aktualisering/")
    assert Session.objects.count() == 0
