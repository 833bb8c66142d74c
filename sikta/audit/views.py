from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sikta.access.decorators import requires
from sikta.access.policy import Action
from sikta.audit.forms import AuditSearchForm
from sikta.audit.models import AuditAction, AuditEvent
from sikta.audit.services import audit_record

PAGE_SIZE = 100


@requires(Action.VIEW_AUDIT_LOG)
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the log by user, participant, action and period (for sampling reviews)."""
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.select_related("participant")
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            events = events.filter(username__iexact=data["user"].strip())
        if data["personnummer"]:
            events = events.filter(participant__personnummer=data["personnummer"].digits)
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
        criteria = {k: str(v) for k, v in data.items() if v}
    elif form.is_bound:
        events = events.none()
        criteria = {"invalid": True}
    else:
        criteria = {}
    # Recorded before the page is counted, so the search itself shows on the page.
    audit_record(request=request, action=AuditAction.AUDIT_SEARCH, detail=criteria)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request, "audit/audit_search.html", {"form": form, "page": page, "query": query.urlencode()}
    )
