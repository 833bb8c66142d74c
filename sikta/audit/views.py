from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, audit_scope, insats_of, scope_filter
from sikta.audit.chain import save_check, verify_chain
from sikta.audit.forms import AuditSearchForm, LogReviewDrawForm, LogReviewItemForm
from sikta.audit.models import AuditAction, AuditEvent, ChainCheck, LogReview, LogReviewItem
from sikta.audit.review import protected_reads, review_draw, review_item_mark
from sikta.audit.services import Actor, audit_record
from sikta.core.dates import on_days
from sikta.core.http import require_form_methods

PAGE_SIZE = 100
# The log counts its records up to this many (100 pages); narrower searches reach the rest.
COUNT_CAP = 10_000


def _protected_person(personnummer: Any) -> Any:
    from sikta.participants.models import Participant

    return Participant.objects.filter(
        personnummer=personnummer.digits, protected_identity=True
    ).first()


@requires(Action.VIEW_AUDIT_LOG)
@require_safe
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the log by user, participant, action and period (for sampling reviews)."""
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.filter(audit_scope(request.user)).select_related("participant")
    searched = None
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            events = events.filter(username__iexact=data["user"].strip())
        if data["personnummer"]:
            events = events.filter(participant__personnummer=data["personnummer"].digits)
        if data["action"]:
            events = events.filter(action=data["action"])
        events = events.filter(on_days("at", data["date_from"], data["date_to"]))
        if data["protected"]:
            events = protected_reads(events)
        criteria = {k: str(v) for k, v in data.items() if v}
        if data["personnummer"]:
            searched = _protected_person(data["personnummer"])
        if searched is not None:
            # Looking a protected person up by personnummer is a read of them, recorded as
            # such (flagged, linked to "Protected identity #id"); the personnummer stays out
            # of the log, where it would tell its readers who that is.
            del criteria["personnummer"]
    elif form.is_bound:
        events = events.none()
        criteria = {"invalid": True}
    else:
        criteria = {}
    # Recorded before the page is counted, so the search itself shows on the page.
    audit_record(
        request=request, action=AuditAction.AUDIT_SEARCH, participant=searched, detail=criteria
    )
    page = CappedPaginator(events, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    return render(
        request, "audit/audit_search.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class CappedPaginator(Paginator):
    """Pages of the log counted only up to COUNT_CAP records: an exact count of millions reads
    the whole table on every page, and a page far back reads all before it. Beyond the cap
    the search is narrowed (a person, a user, a period) to reach older records."""

    @cached_property
    def found(self) -> int:
        """The records found, counted to one past the cap."""
        return int(self.object_list[: COUNT_CAP + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self.found, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.found > COUNT_CAP


# The most records the page verifies itself: those written since the last check (a day's are
# thousands) take well under a second. Recomputing the whole log (23 000 records a second: 7
# minutes at 10 million) is the nightly `manage.py verify_audit_chain`.
PAGE_LIMIT = 50_000


@requires(Action.VIEW_AUDIT_LOG)
@require_safe
def audit_chain(request: HttpRequest) -> HttpResponse:
    """The last check of the whole hash chain (nightly), and a check now of the records written
    since the last check that found it intact; the first broken link, if any."""
    checks = ChainCheck.objects.order_by("-pk")
    complete = checks.filter(complete=True).first()
    since = checks.filter(broken_pk__isnull=True).first()
    report = verify_chain(since=since, limit=PAGE_LIMIT)
    if report.verified or not report.ok:
        save_check(report, complete=since is None and not report.more)
    audit_record(
        request=request,
        action=AuditAction.AUDIT_VERIFY,
        detail={
            "count": report.count,
            "verified": report.verified,
            "ok": report.ok,
            "broken_pk": report.broken_pk,
        },
    )
    return render(
        request,
        "audit/audit_chain.html",
        {"report": report, "since": since, "complete": complete, "limit": PAGE_LIMIT},
    )


@requires(Action.REVIEW_AUDIT_LOG)
@require_form_methods
def audit_review_list(request: HttpRequest) -> HttpResponse:
    """The log reviews so far, and the form that draws a new one."""
    form = LogReviewDrawForm(request.POST or None, insats=insats_of(request.user))
    if request.method == "POST" and form.is_valid():
        review = review_draw(actor=Actor.of(request), user=request.user, **form.cleaned_data)
        return redirect("audit_review_detail", pk=review.pk)
    reviews = (
        LogReview.objects.filter(scope_filter(request.user))
        .select_related("controller")
        .annotate(
            items_count=Count("items"),
            outside_count=Count("items", filter=Q(items__outside_caseload=True)),
            unjustified_count=Count("items", filter=Q(items__justified=False)),
        )
    )
    status = 400 if form.is_bound else 200
    return render(
        request, "audit/review_list.html", {"form": form, "reviews": reviews}, status=status
    )


@requires(Action.REVIEW_AUDIT_LOG)
@require_form_methods
def audit_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The sampled reads, outside-caseload reads first; one small form per read to mark it."""
    review = get_object_or_404(LogReview.objects.filter(scope_filter(request.user)), pk=pk)
    items = list(review.items.all())
    events = AuditEvent.objects.select_related("participant", "referral").in_bulk(
        [item.event_id for item in items]
    )
    bound: LogReviewItemForm | None = None
    if request.method == "POST":
        item_id = request.POST.get("item", "")
        if not (item_id.isascii() and item_id.isdigit()):  # "²".isdigit() is true
            raise Http404
        item = get_object_or_404(LogReviewItem, review=review, pk=int(item_id))
        bound = LogReviewItemForm(request.POST, prefix=f"item-{item.pk}")
        if bound.is_valid():
            review_item_mark(
                actor=Actor.of(request), user=request.user, item=item, **bound.cleaned_data
            )
            return redirect(f"{reverse('audit_review_detail', args=[review.pk])}#item-{item.pk}")
    else:
        audit_record(
            request=request, action=AuditAction.AUDIT_REVIEW, detail={"op": "view", "review": pk}
        )
    rows = []
    for item in items:
        if bound is not None and bound.prefix == f"item-{item.pk}":
            form = bound
        else:
            initial = {"comment": item.comment}
            if item.justified is not None:
                initial["justified"] = "yes" if item.justified else "no"
            form = LogReviewItemForm(initial=initial, prefix=f"item-{item.pk}")
        rows.append({"item": item, "event": events.get(item.event_id), "form": form})
    status = 400 if bound is not None else 200
    return render(
        request, "audit/review_detail.html", {"review": review, "rows": rows}, status=status
    )
