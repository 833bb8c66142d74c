"""The second step of the login: enrolment of an authenticator app, and the code at each login."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sikta.accounts.forms import TokenForm
from sikta.accounts.models import RecoveryCodeDevice
from sikta.accounts.otp import has_device
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record
from sikta.core.http import require_form_methods


def safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


def _audit(request: HttpRequest, outcome: str) -> None:
    audit_record(request=request, action=AuditAction.LOGIN, detail={"2fa": outcome})


def _check(request: HttpRequest, token: str) -> tuple[object | None, bool]:
    """The device that accepts the token, and whether any device refused to try (throttled)."""
    throttled = False
    is_app_code = token.isdigit() and len(token) == 6
    for device in devices_for_user(request.user, confirmed=True):
        if isinstance(device, TOTPDevice) != is_app_code:
            continue
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            throttled = True
        elif device.verify_token(token):
            return device, False
    return None, throttled


@login_required
@require_form_methods
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_verified():
        return HttpResponseRedirect(next_url)
    if not has_device(request.user):
        return _with_next("two_factor_enrol", next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = _check(request, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            _audit(request, "verified")
            return HttpResponseRedirect(next_url)
        _audit(request, "failed")
        if throttled:
            form.add_error("token", _("Too many wrong codes. Wait a minute and try again."))
        else:
            form.add_error("token", _("That code is not right. Try the next code from the app."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


def _qr_svg(device: TOTPDevice) -> SafeString:
    """Inline SVG without style attributes, so the CSP needs no exception.

    Safe to mark: segno writes the markup itself, and the URL is only encoded in the path data.
    """
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


@login_required
@require_form_methods
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    user = request.user
    if has_device(user):
        return _with_next("two_factor_verify", next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Sikta", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _data = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = RecoveryCodeDevice.issue(user, name=_("Recovery codes"))
            otp_login(request, device)
            request.session.cycle_key()
            _audit(request, "enrolled")
            # Shown once, in this answer only; the page never offers them again.
            return render(
                request, "accounts/two_factor_codes.html", {"codes": codes, "next": next_url}
            )
        _audit(request, "failed")
        if not allowed:
            form.add_error("token", _("Too many wrong codes. Wait a minute and try again."))
        else:
            form.add_error("token", _("That code is not right. Try the next code from the app."))
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device),
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@login_required
@require_POST
def choose_insats(request: HttpRequest) -> HttpResponse:
    """Work in another of the insatser the user holds a role in (or as the förbund's role)."""
    from sikta.access.middleware import SESSION_KEY
    from sikta.access.policy import choose_record, staff_records

    chosen = request.POST.get("record", "")
    record = next((r for r in staff_records(request.user) if str(r.pk) == chosen), None)
    if record is None:
        return HttpResponseBadRequest(_("Choose one of your programmes."))
    request.session[SESSION_KEY] = record.pk
    choose_record(request.user, record.pk)
    audit_record(
        request=request,
        action=AuditAction.INSATS_CHOSEN,
        detail={"insats": record.insats.slug if record.insats else None},
    )
    return redirect("start")
