"""Sign-in through a member organisation's identity provider, whatever the protocol.

The protocol libraries (Authlib for OpenID Connect, djangosaml2 and pysaml2 for SAML) check the
response: signature, issuer, audience, nonce or state, lifetime and replay. What is left here is
Sikta's own part: which login the verified identity is, whether it may sign in, whether the
assurance is enough for what the login may see, and the audit record either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sikta.accounts.backends import SiktaModelBackend
from sikta.accounts.models import IdentityProvider, SignInDevice, User
from sikta.accounts.otp import sees_persons
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record

# What the session remembers of the sign-in, for the logout and the audit trail.
SESSION_PROVIDER = "sikta_sso_provider"
SESSION_ID_JWT = "sikta_sso_id_jwt"  # the provider's ID token, for its logout
SESSION_NEXT = "sikta_sso_next"

BACKEND = "sikta.accounts.backends.SiktaModelBackend"


class Reason:
    """Why a sign-in was refused: a code for the audit trail, a message for the person."""

    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    ASSURANCE = "assurance"
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"
    CANCELLED = "cancelled"

    MESSAGES = {
        UNKNOWN: (
            _("You have no account in Sikta — contact the programme lead"),
            _(
                "You signed in at your organisation, but no one in Sikta has that identity. "
                "Contact the programme lead, who can give you an account."
            ),
        ),
        INACTIVE: (
            _("Your account in Sikta is not active"),
            _("Your account has been closed. Contact the programme lead if you still need it."),
        ),
        ASSURANCE: (
            _("The sign-in is not strong enough"),
            _(
                "Your role sees identified participants, so it needs an e-identity of a higher "
                "assurance level (for example SITHS eID, BankID or Freja eID+). Sign in again "
                "with one of them."
            ),
        ),
        INVALID: (
            _("The sign-in could not be verified"),
            _(
                "The answer from the sign-in service could not be verified, so no one was "
                "signed in. Start again from the login page."
            ),
        ),
        UNAVAILABLE: (
            _("The sign-in service does not answer"),
            _(
                "Your organisation's sign-in service did not answer in time. Try again in a "
                "while, or log in with password and code."
            ),
        ),
        CANCELLED: (
            _("The sign-in was cancelled"),
            _("The sign-in was cancelled at your organisation. Start again from the login page."),
        ),
    }


class SignInRefused(Exception):
    """A sign-in that signs no one in: why, through which provider, at what level, and (for
    the audit trail only) what the protocol library said."""

    def __init__(
        self,
        reason: str,
        *,
        provider: IdentityProvider | None = None,
        user: User | None = None,
        acr: str = "",
        problem: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.provider = provider
        self.user = user
        self.acr = acr
        self.problem = problem


@dataclass(frozen=True)
class Identity:
    """What a verified sign-in says about the person."""

    provider: IdentityProvider
    value: str
    acr: str = ""
    id_token: str = ""


def _lookup(provider: IdentityProvider, value: str) -> User | None:
    value = value.strip()
    if not value:
        return None
    field = provider.identifier
    if field == IdentityProvider.Identifier.EMAIL:
        matches = list(User.objects.filter(email__iexact=value)[:2])
        return matches[0] if len(matches) == 1 else None  # two logins with one address: no one
    if field == IdentityProvider.Identifier.PERSONAL_NUMBER:
        value = "".join(ch for ch in value if ch.isdigit())
    return User.objects.filter(**{field: value}).first()


def _may_sign_in(user: User) -> bool:
    """An active login whose staff record (one at least) is active, or an administrator."""
    if not SiktaModelBackend().user_can_authenticate(user):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.staff_records.filter(is_active=True).exists()


def _assured(provider: IdentityProvider, acr: str) -> bool:
    return bool(provider.accepted_acr) and acr in provider.accepted_acr


def sign_in(request: HttpRequest, identity: Identity) -> User:
    """Log in the existing login that `identity` is, or raise SignInRefused.

    A sign-in at an accepted assurance level counts as the second factor (the e-identity is
    one); below it, a login that sees persons is refused; without any level configured, Sikta's
    own second factor is asked for as after a password.
    """
    provider, acr = identity.provider, identity.acr
    user = _lookup(provider, identity.value)
    if user is None:
        raise SignInRefused(Reason.UNKNOWN, provider=provider, acr=acr)
    if not _may_sign_in(user):
        raise SignInRefused(Reason.INACTIVE, provider=provider, user=user, acr=acr)
    if sees_persons(user) and provider.accepted_acr and not _assured(provider, acr):
        raise SignInRefused(Reason.ASSURANCE, provider=provider, user=user, acr=acr)
    if _assured(provider, identity.acr):
        device, _created = SignInDevice.objects.get_or_create(
            user=user, provider=provider, defaults={"name": provider.name, "confirmed": True}
        )
        device.set_last_used_timestamp()
        user.otp_device = device  # type: ignore[attr-defined]  # django-otp keeps it in the session at auth.login
    request.sign_in_detail = _detail(provider, identity.acr)  # type: ignore[attr-defined]
    auth.login(request, user, backend=BACKEND)
    request.session[SESSION_PROVIDER] = provider.pk
    if identity.id_token:
        request.session[SESSION_ID_JWT] = identity.id_token
    return user


def _detail(provider: IdentityProvider | None, acr: str, **more: Any) -> dict[str, Any]:
    return {
        "idp": provider.slug if provider else None,
        "protocol": provider.protocol if provider else None,
        "acr": acr or None,
        **more,
    }


def record_refusal(request: HttpRequest, refusal: SignInRefused) -> None:
    detail = _detail(refusal.provider, refusal.acr, reason=refusal.reason)
    if refusal.problem:
        detail["problem"] = refusal.problem[:200]
    audit_record(
        request=request, user=refusal.user, action=AuditAction.LOGIN_REFUSED, detail=detail
    )


def providers_for_login() -> list[IdentityProvider]:
    return list(IdentityProvider.objects.filter(is_active=True).select_related("party"))


def timeout() -> float:
    return float(settings.SIKTA_SSO_TIMEOUT)
