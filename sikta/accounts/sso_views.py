"""Sign-in with the member organisation's e-identity: choosing the organisation, the way out
to its identity provider and back, the refusal page, and the logout that ends both."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from djangosaml2 import views as saml_views
from djangosaml2.exceptions import IdPConfigurationMissing

from sikta.accounts import oidc, saml
from sikta.accounts.forms import LoginForm
from sikta.accounts.models import IdentityProvider
from sikta.accounts.services import (
    SESSION_NEXT,
    SESSION_PROVIDER,
    Reason,
    SignInRefused,
    providers_for_login,
    record_refusal,
    sign_in,
)
from sikta.accounts.views import safe_next

REFUSAL_STATUS = {Reason.INVALID: 400, Reason.UNAVAILABLE: 503}


def refused(request: HttpRequest, refusal: SignInRefused) -> HttpResponse:
    """The refusal, in the audit trail and on a page of its own: no one is signed in."""
    record_refusal(request, refusal)
    title, message = Reason.MESSAGES[refusal.reason]
    return render(
        request,
        "accounts/sso_refused.html",
        {
            "title": title,
            "message": message,
            "provider": refusal.provider,
        },
        status=REFUSAL_STATUS.get(refusal.reason, 403),
    )


@require_safe
def sso_choose(request: HttpRequest) -> HttpResponse:
    """Which organisation the staff member signs in with; straight on when there is one."""
    providers = providers_for_login()
    target = safe_next(request)
    if len(providers) == 1:
        url = reverse("sso_start", args=[providers[0].slug])
        return HttpResponseRedirect(f"{url}?{urlencode({'next': target})}")
    return render(request, "accounts/sso_choose.html", {"providers": providers, "next": target})


@require_safe
def sso_start(request: HttpRequest, slug: str) -> HttpResponse:
    provider = get_object_or_404(IdentityProvider, slug=slug, is_active=True)
    target = safe_next(request)
    request.session[SESSION_NEXT] = target
    if provider.protocol == IdentityProvider.Protocol.SAML:
        return HttpResponseRedirect(saml.login_url(provider, target))
    try:
        return oidc.start(request, provider)
    except SignInRefused as refusal:
        return refused(request, refusal)


@require_safe
def sso_callback(request: HttpRequest, slug: str) -> HttpResponse:
    """Where an OpenID Connect provider sends the browser back with its code."""
    provider = get_object_or_404(
        IdentityProvider, slug=slug, is_active=True, protocol=IdentityProvider.Protocol.OIDC
    )
    try:
        sign_in(request, oidc.finish(request, provider))
    except SignInRefused as refusal:
        return refused(request, refusal)
    return HttpResponseRedirect(request.session.pop(SESSION_NEXT, None) or resolve_url("start"))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the Sikta session, and the identity provider's where it can be asked to (OpenID
    Connect's RP-initiated logout, SAML's single logout)."""
    after = resolve_url(settings.LOGOUT_REDIRECT_URL)
    provider_pk = request.session.get(SESSION_PROVIDER)
    provider = IdentityProvider.objects.filter(pk=provider_pk).first() if provider_pk else None
    onward = None
    if provider is not None:
        request.sign_in_detail = {  # type: ignore[attr-defined]  # for the logout's audit record
            "idp": provider.slug,
            "protocol": provider.protocol,
        }
        if provider.protocol == IdentityProvider.Protocol.SAML:
            onward = saml.single_logout_url(request)
        else:
            onward = oidc.logout_url(request, provider, after)
    auth.logout(request)
    if onward is None:
        return HttpResponseRedirect(after)
    # The IdP is another site: a form's answer may not redirect there (CSP form-action 'self'),
    # so a page says where the logout goes on and takes the browser there itself.
    return render(request, "accounts/signed_out.html", {"onward": onward, "provider": provider})


class SamlLogin(saml_views.LoginView):
    """djangosaml2's, for an active SAML provider only (sso_start sends the browser here),
    asking the IdP for the assurance level the provider requires."""

    http_method_names = ["get", "head"]

    def load_sso_kwargs(self, sso_kwargs: dict[str, Any]) -> None:
        provider = saml.provider_of(self.request.GET.get("idp"))
        context = saml.requested_context(provider) if provider is not None else None
        if context is not None:
            sso_kwargs["requested_authn_context"] = context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if saml.provider_of(request.GET.get("idp")) is None:
            raise Http404
        try:
            response: HttpResponse = super().get(request, *args, **kwargs)
        except IdPConfigurationMissing:  # its metadata could not be read: the IdP is down
            refusal = SignInRefused(
                Reason.UNAVAILABLE,
                provider=saml.provider_of(request.GET.get("idp")),
                problem="IdP metadata not available",
            )
            return refused(request, refusal)
        return response

    def unknown_idp(self, request: HttpRequest, idp: str) -> HttpResponse:
        refusal = SignInRefused(
            Reason.UNAVAILABLE, provider=saml.provider_of(idp), problem="IdP not in metadata"
        )
        return refused(request, refusal)


class SamlAssertionConsumer(saml_views.AssertionConsumerServiceView):
    """djangosaml2's, with Sikta's own matching of the identity to an existing login (never a
    new one) and its own refusal page and audit record."""

    http_method_names = ["post"]

    def authenticate_user(
        self,
        request: HttpRequest,
        session_info: dict[str, Any],
        attribute_mapping: Any,
        create_unknown_user: Any,
        assertion_info: Any,
    ) -> Any:
        provider = saml.provider_of(session_info.get("issuer"))
        if provider is None:
            raise SignInRefused(Reason.INVALID, problem="issuer is no active IdP")
        user = sign_in(request, saml.identity_of(provider, session_info))
        saml.remember_subject(request, session_info)
        return user

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().post(request, *args, **kwargs)
        except SignInRefused as refusal:
            return refused(request, refusal)
        return response

    def handle_acs_failure(
        self, request: HttpRequest, exception: Any = None, status: int = 403, **kwargs: Any
    ) -> HttpResponse:
        """pysaml2 refused the response (signature, audience, lifetime, not ours, replayed)."""
        problem = f"{type(exception).__name__}: {exception}" if exception else "no response"
        return refused(request, SignInRefused(Reason.INVALID, problem=problem))


class LoginView(auth_views.LoginView):
    """Django's login with password, offering the organisations' sign-in first when any is
    set up."""

    authentication_form = LoginForm
    redirect_authenticated_user = True
    # GET shows the form, POST logs in; Django's view would also take PUT and OPTIONS.
    http_method_names = ["get", "head", "post"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["sso_providers"] = providers_for_login()
        return context


class SamlLogout(saml_views.LogoutView):
    """djangosaml2's single logout endpoint: the IdP's answer to our LogoutRequest (or its own
    request), by HTTP-Redirect here and by HTTP-POST at the post address."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "SAMLResponse" not in request.GET and "SAMLRequest" not in request.GET:
            return HttpResponseRedirect(resolve_url("start"))  # nothing to answer: go on
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response


class SamlLogoutPost(saml_views.LogoutView):
    http_method_names = ["post"]


class SamlMetadata(saml_views.MetadataView):
    """Our service provider's metadata, for the IdPs' administrators."""

    http_method_names = ["get", "head"]
