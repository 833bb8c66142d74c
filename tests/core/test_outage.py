"""With the database out of reach Sikta answers 503 "temporarily unavailable", never a 500 with
a traceback, wherever the database failed (view, session, login); and it recovers by itself."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.test import Client

from sikta.core.middleware import TOUCHED
from sikta.core.outage import RETRY_AFTER_SECONDS
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

DOWN = "connection failed: connection to server at 127.0.0.1, port 5432 failed: Connection refused"


def english(client: Client) -> Client:
    """The page in English, so the assertions do not depend on the Swedish catalogue."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def idle(client: Client) -> Client:
    """A client whose next request pushes its session's idle timeout forward (a save)."""
    session = client.session
    session[TOUCHED] = 0
    session.save()
    return client


def quiet(client: Client) -> Client:
    """A test client that returns the response of an exception instead of re-raising it."""
    client.raise_request_exception = False
    return english(client)


def assert_outage_page(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "503.html" in [t.name for t in response.templates]
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert "Sikta is temporarily unavailable" in page
    assert "site.css" in page  # the site's own look
    for leak in ("Traceback", "OperationalError", "InterfaceError", "Connection refused", "5432"):
        assert leak not in page
    return page


@pytest.fixture
def database_down() -> Iterator[None]:
    """Every query fails as it does while PostgreSQL is stopped or restarting."""

    def refuse(*args, **kwargs):
        raise OperationalError(DOWN)

    with connection.execute_wrapper(lambda execute, sql, params, many, context: refuse()):
        yield


def test_a_view_that_loses_the_database_answers_503(personas: Personas, database_down) -> None:
    # An anonymous visitor of the public referral form, which reads the tracks and kommuner.
    response = quiet(Client()).get("/aktualisering/koordinering/")
    page = assert_outage_page(response)
    assert 'href="/aktualisering/koordinering/"' in page  # try the same page again


def test_a_logged_in_user_gets_503_when_the_session_cannot_be_read(personas: Personas) -> None:
    """The session and the user are read by middleware, before any view."""
    client = quiet(personas.client("coach_sodra"))
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError(DOWN)):
        response = client.get(f"/deltagare/{personas.alice_sodra.pk}/journal/")
    page = assert_outage_page(response)
    assert "Log out" not in page and personas.coach_sodra.full_name not in page


@pytest.mark.parametrize("error", [OperationalError(DOWN), InterfaceError("connection closed")])
def test_a_write_whose_session_cannot_be_saved_answers_503(
    personas: Personas, error: Exception
) -> None:
    """The session is written after the view, on the way out (here to push its idle timeout
    forward). Django would call that a session deleted meanwhile (SessionInterrupted, 400)."""
    client = idle(quiet(personas.client("coach_sodra")))
    with mock.patch.object(Session, "save", side_effect=error):
        response = client.post(
            f"/deltagare/{personas.alice_sodra.pk}/journal/",
            {"date": "2025-03-03", "kind": "mote", "note": "Träff."},
        )
    page = assert_outage_page(response)
    assert "Try again" not in page  # a POST is not repeated by a link


def test_a_session_deleted_meanwhile_is_still_a_bad_request(personas: Personas) -> None:
    """Not an outage: the row is gone (a logout in another tab), as Django reports it."""
    client = idle(quiet(personas.client("coach_sodra")))
    with mock.patch.object(
        Session, "save", side_effect=DatabaseError("Forced update did not affect any rows.")
    ):
        response = client.get(f"/deltagare/{personas.alice_sodra.pk}/")
    assert response.status_code == 400


def test_the_login_page_posting_to_a_missing_database_answers_503(database_down) -> None:
    response = quiet(Client()).post(
        "/konto/logga-in/", {"username": "coach", "password": "correct-horse-battery-1"}
    )
    assert_outage_page(response)


def test_other_errors_stay_500(personas: Personas) -> None:
    client = quiet(personas.client("coach_sodra"))
    with mock.patch("sikta.casework.views.case_participant", side_effect=RuntimeError("bug")):
        response = client.get(f"/deltagare/{personas.alice_sodra.pk}/journal/")
    assert response.status_code == 500
    assert "Traceback" not in response.content.decode()


def test_with_debug_on_a_developer_sees_the_traceback(
    personas: Personas, database_down, settings
) -> None:
    settings.DEBUG = True
    response = quiet(Client()).get("/aktualisering/koordinering/")
    assert response.status_code == 500


def test_the_next_request_succeeds_once_the_database_is_back(personas: Personas) -> None:
    client = quiet(personas.client("coach_sodra"))
    url = f"/deltagare/{personas.alice_sodra.pk}/journal/"

    def refuse(execute, sql, params, many, context):
        raise OperationalError(DOWN)

    with connection.execute_wrapper(refuse):
        assert client.get(url).status_code == 503
    response = client.get(url)  # same client, same session: still logged in
    assert response.status_code == 200
    assert personas.alice_sodra.first_name in response.content.decode()


def test_persistent_connections_are_checked_before_reuse() -> None:
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_the_middleware_stands_outside_everything_that_reads_the_database() -> None:
    middleware = settings.MIDDLEWARE
    outage = middleware.index("sikta.core.outage.DatabaseOutageMiddleware")
    for inner in (
        "sikta.core.outage.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "axes.middleware.AxesMiddleware",
    ):
        assert middleware.index(inner) > outage


def test_the_page_is_swedish_unless_the_user_chose_english(database_down) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/aktualisering/koordinering/")
    assert response.status_code == 503
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv">' in response.content.decode()
