"""The client's address, as the audit log and the rate limit must see it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR; behind our own TLS proxy, the address that proxy saw instead.

    The proxy appends the address it saw to X-Forwarded-For, so the last entry is the one to
    trust; earlier entries are whatever the client claimed.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR") or None
