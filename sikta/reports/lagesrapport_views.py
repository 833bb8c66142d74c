"""The lägesrapport pages: the list, starting one, writing its comments, the PDF.

Everyone with a role may read the reports and download their PDFs (aggregates, small cells
always hidden); a samordnare writes those of their own länsdel, the leads any.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, insats_of, status_report_scope
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record
from sikta.core.http import require_form_methods
from sikta.reports import lagesrapport
from sikta.reports.models import StatusReport

# A personnummer or samordningsnummer, with or without century and separator.
_PERSONNUMMER = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")


class StatusReportStartForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    lansdel: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Area covered")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        whole, lansdelar = lagesrapport.writable_areas(user)
        field = self.fields["lansdel"]
        field.queryset = lansdelar  # type: ignore[attr-defined]
        field.required = not whole
        whole_name = lagesrapport.area_name(insats_of(user), None)
        field.empty_label = whole_name if whole else None  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The period ends before it begins."))
        return data


class StatusReportTextsForm(forms.ModelForm):
    class Meta:
        model = StatusReport
        fields = list(StatusReport.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in StatusReport.TEXT_FIELDS}
        help_texts = {
            "summary": gettext_lazy("How the programme is going: the situation in brief."),
            "activities": gettext_lazy(
                "Group activities, trainings, and collaboration with the member organisations."
            ),
            "challenges": gettext_lazy("What makes the work harder, and what could go wrong."),
            "next_period": gettext_lazy("What the coming period will focus on."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in StatusReport.TEXT_FIELDS:
            if _PERSONNUMMER.search(data.get(name) or ""):
                self.add_error(
                    name,
                    _(
                        "Remove the personal identity number: the report goes to the steering "
                        "group and may not identify anyone."
                    ),
                )
        return data


def _start_form(request: HttpRequest, data: Any = None) -> StatusReportStartForm:
    start, end = lagesrapport.default_period(timezone.localdate())
    return StatusReportStartForm(
        data, user=request.user, initial={"date_from": start, "date_to": end}
    )


@requires(Action.VIEW_AGGREGATES)
@require_safe
def status_report_list(request: HttpRequest) -> HttpResponse:
    reports = lagesrapport.visible_status_reports(request.user)
    published = [report for report, _writable in reports if report.published_at is not None]
    whole, lansdelar = lagesrapport.writable_areas(request.user)
    can_start = whole or lansdelar.exists()
    return render(
        request,
        "reports/lagesrapport_list.html",
        {
            "reports": reports,
            "latest": published[0] if published else None,
            "form": _start_form(request) if can_start else None,
            "minimum": lagesrapport.minimum_group(insats_of(request.user)),
        },
    )


@requires(Action.WRITE_STATUS_REPORT)
@require_form_methods
def status_report_create(request: HttpRequest) -> HttpResponse:
    form = _start_form(request, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = lagesrapport.status_report_create(
            insats=insats_of(request.user),
            lansdel=data["lansdel"],
            period=(data["date_from"], data["date_to"]),
            author=request.user,
        )
        messages.success(request, _("The status report is started. Write the comments below."))
        return redirect("status_report_detail", pk=report.pk)
    return render(
        request,
        "reports/lagesrapport_create.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@requires(Action.WRITE_STATUS_REPORT)
@require_form_methods
def status_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the comments, with the figures the PDF will show beside them."""
    report = lagesrapport.get_status_report_for_writer(request, pk)
    form = StatusReportTextsForm(request.POST or None, instance=report)
    if request.method == "POST" and request.POST.get("publish"):
        lagesrapport.status_report_publish(report=report, author=request.user)
        messages.success(request, _("The status report is published: the steering groups see it."))
        return redirect("status_report_detail", pk=report.pk)
    if request.method == "POST" and form.is_valid():
        lagesrapport.status_report_update(
            report=report, texts=form.cleaned_data, author=request.user
        )
        messages.success(request, _("The comments are saved."))
        return redirect("status_report_detail", pk=report.pk)
    data = lagesrapport.status_report_data(
        report.lansdel,
        (report.period_start, report.period_end),
        minimum=lagesrapport.minimum_group(report.insats),
        insats=report.insats,
    )
    return render(
        request,
        "reports/lagesrapport_detail.html",
        {"report": report, "form": form, "data": data},
        status=400 if form.is_bound else 200,
    )


@requires(Action.VIEW_AGGREGATES)
@require_safe
def status_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF: anyone with a role may have it, whatever the area; it identifies nobody."""
    report = get_object_or_404(
        StatusReport.objects.filter(status_report_scope(request.user)).select_related(
            "lansdel", "insats"
        ),
        pk=pk,
    )
    if report.published_at is None and not lagesrapport.may_write(request.user, report):
        raise Http404  # a draft: as if it were not there
    content = lagesrapport.render_status_report(report)
    audit_record(
        request=request,
        action=AuditAction.REPORT_EXPORT,
        detail={
            "what": "lägesrapport",
            "report": report.pk,
            "period": [str(report.period_start), str(report.period_end)],
            "area": report.lansdel.slug if report.lansdel else "all",
            "insats": report.insats.slug if report.insats else None,
        },
    )
    response = HttpResponse(content, content_type="application/pdf")
    area = report.lansdel.slug if report.lansdel else "hela" if report.insats else "forbundet"
    name = f"lagesrapport-{area}-{report.period_start}-{report.period_end}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
