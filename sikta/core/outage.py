"""When the database cannot be reached: a friendly 503 page, not a 500, and recovery by itself.

Django turns an exception into a response right where it is raised, in the view or in any
middleware (the session, the login, the second factor all read the database), and renders the
500 page there. This middleware stands outside all of them: `got_request_exception` marks the
request when the exception was the database's (OperationalError or InterfaceError: the server
is down, restarting, or dropped the connection), and the middleware then answers 503 with
Retry-After and the "temporarily unavailable" page instead. The page is rendered without the
request's context processors, which would read the database again. The exception is still
logged as usual (server side only; DEBUG is off in production, so no traceback is shown).

Nothing has to be restarted when the database comes back: Django closes a connection that
failed at the end of the request, and CONN_HEALTH_CHECKS (settings) checks a persistent one
before reusing it, so the next request connects again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client is asked to wait: a restarting PostgreSQL is usually back well within it.
RETRY_AFTER_SECONDS = 30
TEMPLATE = "503.html"
_MARK = "_sikta_database_error"


def database_error_in(error: BaseException | None) -> BaseException | None:
    """The database error `error` is, or arose from (its cause or context), if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_ERRORS):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _remember_database_error(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Sent by Django while it handles an uncaught exception (sys.exc_info() is that one)."""
    error = database_error_in(sys.exc_info()[1])
    if request is not None and error is not None:
        setattr(request, _MARK, error)


got_request_exception.connect(_remember_database_error, dispatch_uid="sikta.core.outage")


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 page. Rendered from a plain context: the usual context processors (who is logged
    in, what their role may do) would ask the database that is not there."""
    context: dict[str, Any] = {"request": request, "retry_url": None}
    if request.method in ("GET", "HEAD"):
        context["retry_url"] = request.get_full_path()
    if "CSRF_COOKIE" in request.META:  # the language switcher's form keeps working
        context["csrf_token"] = get_token(request)
    # The language the user chose (the language middleware, further in, has let go of it).
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        response = HttpResponse(render_to_string(TEMPLATE, context), status=503)
    response["Content-Language"] = language
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    patch_vary_headers(response, ("Cookie",))
    # The middleware that would add these (clickjacking, CSP) stands inside this one.
    response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    if policy:
        from csp.constants import HEADER
        from csp.utils import build_policy

        response.headers.setdefault(HEADER, build_policy(config=policy["DIRECTIVES"]))
    return response


class DatabaseOutageMiddleware:
    """Answer 503 when the database failed anywhere inside (see the module's docstring).

    Place it before SessionMiddleware and everything else that reads the database. With DEBUG
    on, Django's technical 500 page is kept: a developer wants the traceback (SQLite reports a
    missing table as an OperationalError too).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS:  # only when exceptions propagate (DEBUG_PROPAGATE_EXCEPTIONS)
            if settings.DEBUG:
                raise
            return outage_response(request)
        if getattr(request, _MARK, None) is not None and not settings.DEBUG:
            return outage_response(request)
        return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except for a session that cannot be saved because the database is out of reach.

    Django reports any failure to save a session as SessionInterrupted, a 400 Bad Request
    meant for a session deleted meanwhile (a logout in another tab). When the cause was the
    database going away, the database error is raised instead, and the page says so (503).
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            cause = database_error_in(interrupted)
            if cause is None:
                raise
            raise cause from interrupted
