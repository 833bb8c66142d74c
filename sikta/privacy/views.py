"""Privacy duties: the register extract (registerutdrag)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from sikta.access.decorators import requires
from sikta.access.policy import Action, insats_of
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record_many
from sikta.core.http import require_form_methods
from sikta.privacy.extract import Extract, collect, render_json, render_pdf
from sikta.privacy.forms import ExtractForm

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


@never_cache
@requires(Action.REGISTER_EXTRACT)
@require_form_methods
def register_extract(request: HttpRequest) -> HttpResponse:
    """Ask for a personnummer, show what is held, and hand out the extract as PDF or JSON.

    The personnummer travels in the POST body, never in the URL (which ends up in logs).
    """
    form = ExtractForm(request.POST or None)
    extract = None
    if request.method == "POST" and form.is_valid():
        extract = collect(form.cleaned_data["personnummer"], insats=insats_of(request.user))
        kind = request.GET.get("format", "")
        if kind in FORMATS and extract.found:
            _audit(
                request,
                extract,
                AuditAction.PARTICIPANT_EXPORT,
                {"what": "registerutdrag", "format": kind},
            )
            body = render_pdf(extract) if kind == "pdf" else render_json(extract)
            response = HttpResponse(body, content_type=FORMATS[kind][0])
            name = f"registerutdrag-{extract.personnummer.digits}.{kind}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        _audit(request, extract, AuditAction.PARTICIPANT_VIEW, {"what": "registerutdrag"})
    return render(
        request,
        "privacy/register_extract.html",
        {
            "form": form,
            "extract": extract,
            "formats": [(k, label) for k, (_type, label) in FORMATS.items()],
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
