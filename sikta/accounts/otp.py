"""Two-factor login: who must use it, and the middleware that holds them at the second step.

The building blocks (TOTP devices, recovery codes as static tokens, throttling) are django-otp's;
this module decides who is held and where the way out leads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import devices_for_user

from sikta.access.policy import Action, grants
from sikta.accounts.models import SignInDevice

# Pages an unverified user may still open: the second step itself, leaving, choosing a language,
# and the public pages that need no login at all.
EXEMPT_URL_NAMES = frozenset(
    {
        "two_factor_verify",
        "two_factor_enrol",
        "login",
        "logout",
        "sso_choose",
        "sso_start",
        "sso_callback",
        "saml2_login",
        "saml2_acs",
        "saml2_ls",
        "saml2_ls_post",
        "saml2_metadata",
        "set_language",
        "referral_start",
        "referral_thanks",
        "referral_form",
        "referral_check",
        "survey_answer",
        "survey_save",
    }
)
PERSON_ACTIONS = frozenset({Action.VIEW_PARTICIPANT, Action.HANDLE_REFERRALS})


def must_use_two_factor(user: Any) -> bool:
    """Everyone who can see an identified person, and the administrators; not the demo
    accounts, which exist only while DEBUG is on (they sign in with the demo password)."""
    if not settings.SIKTA_REQUIRE_2FA:
        return False
    if getattr(user, "is_demo", False) and settings.DEBUG:
        return False
    return sees_persons(user)


def sees_persons(user: Any) -> bool:
    """Whether the login's roles (or the admin) can see an identified person: what a sign-in
    needs the higher assurance level for, whatever the two-factor settings."""
    if user.is_superuser or user.is_staff:
        return True
    return bool(PERSON_ACTIONS & grants(user))


def has_device(user: Any) -> bool:
    """An authenticator app or recovery codes; a sign-in with an e-identity is no device the
    user can give a code from."""
    return any(
        not isinstance(device, SignInDevice) for device in devices_for_user(user, confirmed=True)
    )


def needs_second_step(user: Any) -> bool:
    """A logged-in user who has not yet given a code, and must (or chose to enrol)."""
    if not user.is_authenticated or user.is_verified():
        return False
    return must_use_two_factor(user) or has_device(user)


class TwoFactorMiddleware:
    """Send a logged-in, unverified user to the second step, keeping where they were going."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.url_name in EXEMPT_URL_NAMES and not match.namespace:
            return None
        if not needs_second_step(request.user):
            return None
        url = reverse("two_factor_verify")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
