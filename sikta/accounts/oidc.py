"""OpenID Connect sign-in with Authlib's Django client: the authorization code flow with PKCE.

Authlib checks what the protocol asks: the state against the session, the ID token's signature
against the provider's published keys, its issuer, audience (our client id), expiry and issue
time (with two minutes' leeway for clocks), and the nonce. Each provider is a row of
IdentityProvider, so the client is made from the row, not from settings.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from joserfc.errors import JoseError

from sikta.accounts.models import IdentityProvider
from sikta.accounts.services import (
    SESSION_ID_JWT,
    Identity,
    Reason,
    SignInRefused,
    timeout,
)

SCOPE = "openid email profile"
LEEWAY_SECONDS = 120


def client(provider: IdentityProvider) -> DjangoOAuth2App:
    registry = OAuth()
    return registry.register(
        name=provider.slug,
        client_id=provider.client_id,
        client_secret=provider.secret(),
        server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": timeout(),
        },
    )


def callback_url(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("sso_callback", args=[provider.slug]))


def start(request: HttpRequest, provider: IdentityProvider) -> HttpResponse:
    """Send the browser to the provider. Raises SignInRefused when it does not answer."""
    extra: dict[str, Any] = {}
    if provider.accepted_acr:
        extra["acr_values"] = " ".join(provider.accepted_acr)
    try:
        response: HttpResponse = client(provider).authorize_redirect(
            request, callback_url(request, provider), **extra
        )
    except requests.RequestException as error:
        raise SignInRefused(
            Reason.UNAVAILABLE, provider=provider, problem=type(error).__name__
        ) from error
    except (OAuthError, ValueError, KeyError) as error:
        raise SignInRefused(Reason.INVALID, provider=provider, problem=str(error)) from error
    return response


def finish(request: HttpRequest, provider: IdentityProvider) -> Identity:
    """The verified identity from the provider's answer, or SignInRefused."""
    if request.GET.get("error") == "access_denied":
        raise SignInRefused(Reason.CANCELLED, provider=provider, problem="access_denied")
    try:
        token = client(provider).authorize_access_token(request, leeway=LEEWAY_SECONDS)
    except requests.RequestException as error:
        raise SignInRefused(
            Reason.UNAVAILABLE, provider=provider, problem=type(error).__name__
        ) from error
    except (OAuthError, JoseError, ValueError, KeyError, TypeError) as error:
        raise SignInRefused(
            Reason.INVALID, provider=provider, problem=f"{type(error).__name__}: {error}"
        ) from error
    claims = token.get("userinfo")
    if not claims:  # no ID token, or no nonce in our state: nothing verified
        raise SignInRefused(Reason.INVALID, provider=provider, problem="no verified ID token")
    value = claims.get(provider.claim)
    if not isinstance(value, str):
        raise SignInRefused(Reason.UNKNOWN, provider=provider, problem=f"no {provider.claim} claim")
    return Identity(
        provider=provider,
        value=value,
        acr=str(claims.get("acr") or ""),
        id_token=str(token.get("id_token", "")),
    )


def logout_url(request: HttpRequest, provider: IdentityProvider, after: str) -> str | None:
    """The provider's end-session address with our ID token, when it has one (RP-initiated
    logout); None when it has none or cannot be asked."""
    id_token = request.session.get(SESSION_ID_JWT)
    try:
        app = client(provider)
        metadata = app.load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    if not metadata.get("end_session_endpoint") or not id_token:
        return None
    result = app.create_logout_url(
        post_logout_redirect_uri=request.build_absolute_uri(after),
        id_token_hint=id_token,
        client_id=provider.client_id,
    )
    url: str = result["url"]
    return url
