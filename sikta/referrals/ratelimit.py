"""A per-address limit on the public referral form, counted in Django's cache."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from sikta.core.net import client_ip


def over_limit(request: HttpRequest, *, scope: str = "referral") -> bool:
    """Count this request; True once the address has sent more than the hourly limit."""
    limit = settings.REFERRAL_RATE_LIMIT_PER_HOUR
    key = f"ratelimit:{scope}:{client_ip(request)}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit
