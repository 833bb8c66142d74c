"""Privacy duties: the register extract (registerutdrag), and the public privacy notice that
says, per insats, who is the controller of which records (GDPR art. 13–14)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, insats_of
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record_many
from sikta.core.http import require_form_methods
from sikta.organisation.models import Insats
from sikta.privacy.extract import Extract, collect, render_json, render_pdf
from sikta.privacy.forms import ExtractForm
from sikta.privacy.retention import DEFAULT_RETENTION_YEARS

FORMATS = {
    "pdf": ("application/pdf", _("Download as PDF")),
    "json": ("application/json", _("Download as JSON")),
}


def _audit(request: HttpRequest, extract: Extract, action: str, detail: dict) -> None:
    """One record per participant row; a person only referred is logged by their referral."""
    audit_record_many(
        request=request,
        action=action,
        participants=extract.participants,
        referrals=[r for r in extract.referrals if r.participant_id is None],
        detail=detail,
    )


def _code(party: Any) -> str | None:
    return party.code if party is not None else None


@never_cache
@requires(Action.REGISTER_EXTRACT)
@require_form_methods
def register_extract(request: HttpRequest) -> HttpResponse:
    """Ask for a personnummer, show what is held, and hand out the extract as PDF or JSON.

    The personnummer travels in the POST body, never in the URL (which ends up in logs).
    """
    insats = insats_of(request.user)
    form = ExtractForm(request.POST or None, insats=insats)
    extract = None
    if request.method == "POST" and form.is_valid():
        controller = form.cleaned_data["controller"]
        extract = collect(form.cleaned_data["personnummer"], insats=insats, controller=controller)
        kind = request.GET.get("format", "")
        if kind in FORMATS and extract.found:
            _audit(
                request,
                extract,
                AuditAction.PARTICIPANT_EXPORT,
                {"what": "registerutdrag", "format": kind, "controller": _code(controller)},
            )
            body = render_pdf(extract) if kind == "pdf" else render_json(extract)
            response = HttpResponse(body, content_type=FORMATS[kind][0])
            name = f"registerutdrag-{extract.personnummer.digits}.{kind}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        _audit(
            request,
            extract,
            AuditAction.PARTICIPANT_VIEW,
            {"what": "registerutdrag", "controller": _code(controller)},
        )
    return render(
        request,
        "privacy/register_extract.html",
        {
            "form": form,
            "extract": extract,
            "formats": [(k, label) for k, (_type, label) in FORMATS.items()],
            "controller": form.cleaned_data.get("controller") if extract else None,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_safe
def privacy_notice(request: HttpRequest, insats: str | None = None) -> HttpResponse:
    """For participants and referrers, no login: how an insats's personal data is handled and
    who answers for it — per controller (the member party whose staff work the case, not the
    förbund), with its contact and how long it keeps the records. Several insatser: a list."""
    insatser = Insats.objects.order_by("name")
    if insats is None and insatser.count() != 1:
        return render(request, "privacy/notice_list.html", {"insatser": insatser})
    chosen = get_object_or_404(insatser, slug=insats) if insats else insatser.get()
    rules = chosen.controller_rules.select_related("party", "track", "lansdel").order_by(
        "party__name", "track__ordering", "lansdel__ordering"
    )
    controllers: dict[int, dict] = {}
    for rule in rules:
        entry = controllers.setdefault(rule.party_id, {"party": rule.party, "covers": []})
        entry["covers"].append(rule)
    return render(
        request,
        "privacy/notice.html",
        {
            "insats": chosen,
            "controllers": list(controllers.values()),
            "several": insatser.count() > 1,
            "retention": chosen.retention_years or DEFAULT_RETENTION_YEARS,
        },
    )
