"""Reports and exports read from a PostgreSQL replica, when there is one; writes never do.

The switch is a context variable, turned on for one request (ReplicaReadsMiddleware, for the URL
names in settings.REPLICA_URL_NAMES), one view (`reads_from_replica`) or one block of code
(`replica_reads()`). ReplicaRouter sends reads to the "replica" database while it is on and such a
database is configured; otherwise Django's default routing applies. Writes — the audit record
of an export among them — always go to "default".

Only read-only aggregates and exports belong here: a replica lags the primary by a moment, so a
page that shows what the same person has just saved must read from the primary.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

REPLICA = "replica"
DEFAULT = "default"

# Always read from the primary (apps, or single models): what the request itself reads and
# writes (its session, the login lockout), the audit log, and what a user writes and then
# fetches at once — a lägesrapport's comments, shown in its PDF right after they are saved.
PRIMARY_ONLY = frozenset({"sessions", "axes", "audit", "reports.statusreport"})

_replica_reads: ContextVar[bool] = ContextVar("sikta_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside the block go to the replica (if there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view whose reads go to the replica, a streamed body's included."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with replica_reads():
            return _keep_streaming_on_replica(view(request, *args, **kwargs))

    return wrapped


def _stream_on_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    # A streamed export runs its queries while the server sends the body, after the view (and
    # any middleware) has returned: each step of the stream gets the switch back.
    iterator = iter(chunks)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


def _keep_streaming_on_replica(response: HttpResponse) -> HttpResponse:
    # A FileResponse streams a finished file (the Excel exports): no queries left to route.
    if (
        replica_configured()
        and isinstance(response, StreamingHttpResponse)
        and not isinstance(response, FileResponse)
        and not response.is_async
    ):
        response.streaming_content = _stream_on_replica(response.streaming_content)
    return response


class ReplicaRouter:
    """Reads to the replica while the switch is on; everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if (
            _replica_reads.get()
            and model._meta.app_label not in PRIMARY_ONLY
            and model._meta.label_lower not in PRIMARY_ONLY
            and replica_configured()
        ):
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica is a copy of the primary: an object read from one may point at the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT


class ReplicaReadsMiddleware:
    """Turns the switch on for GET and HEAD requests to the views in REPLICA_URL_NAMES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Whatever process_view turns on ends with the request.
        token = _replica_reads.set(False)
        try:
            response = self.get_response(request)
            if _replica_reads.get():
                response = _keep_streaming_on_replica(response)
            return response
        finally:
            _replica_reads.reset(token)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        match = request.resolver_match
        if (
            request.method not in ("GET", "HEAD")
            or match is None
            or match.url_name not in settings.REPLICA_URL_NAMES
        ):
            return
        # Who is asking is read now, from the primary: a session created a moment ago may not
        # have reached the replica yet.
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 (resolves the lazy user)
        _replica_reads.set(True)
