"""The activity plan: planned vs held per half-year, the meetings, and their minutes.

Who may do what (the policy's VIEW_ACTIVITY_PLAN and MANAGE_ACTIVITY_PLAN):
- every role reads the plan, the meetings and their minutes (none of it names a participant);
  coaches and koordinatorer read too, since trainings and staff meetings concern them, but
  they do not plan or record;
- insatsägare and insatsledare plan, record and upload for everything;
- a samordnare for their own länsdel only: its local steering group, and trainings and staff
  meetings tagged with it. Anything else is "missing" to them (404), as elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    activity_choices,
    insats_of,
    lansdel_of,
    may_create_activity,
    may_manage_activity,
    scope_filter,
)
from sikta.activities import services
from sikta.activities.forms import ActivityForm, HeldForm, MinutesForm
from sikta.activities.models import Activity, Minutes
from sikta.activities.plan import HalfYear, half_years, summary
from sikta.activities.uploads import download_response
from sikta.audit.services import Actor
from sikta.core.http import require_form_methods
from sikta.organisation.models import Insats


def get_activity_for_manager(request: HttpRequest, pk: int) -> Activity:
    """The activity if the user may change it; else 404, whether missing or not theirs."""
    activity = Activity.objects.select_related("lansdel", "insats").filter(pk=pk).first()
    if activity is None or not may_manage_activity(request.user, activity):
        raise Http404
    return activity


def _activities(insats: Insats | None, half: HalfYear) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(insats=insats)
        .between(half.start, half.end)
        .select_related("lansdel")
        .annotate(minutes_count=Count("minutes"))
        .order_by("on_day", "kind", "lansdel__ordering", "pk")
    )


@requires(Action.VIEW_ACTIVITY_PLAN)
@require_safe
def activity_plan(request: HttpRequest) -> HttpResponse:
    insats = insats_of(request.user) or Insats.objects.order_by("name").first()
    today = timezone.localdate()
    half = HalfYear.parse(request.GET.get("halvar")) or HalfYear.containing(today)
    activities = _activities(insats, half)
    lansdelar = list(insats.lansdelar.all()) if insats else []
    chosen = next((x for x in lansdelar if x.slug == request.GET.get("lansdel")), None)
    if chosen is not None:
        activities = activities.filter(lansdel=chosen)
    return render(
        request,
        "activities/plan.html",
        {
            "insats": insats,
            "half": half,
            "half_years": half_years(insats, today),
            "rows": summary(insats, half, today, lansdelar) if insats else [],
            "activities": activities,
            "lansdelar": lansdelar,
            "chosen_lansdel": chosen,
            "may_create": may_create_activity(request.user),
            "is_current": half == HalfYear.containing(today),
        },
    )


@requires(Action.MANAGE_ACTIVITY_PLAN)
@require_form_methods
def activity_create(request: HttpRequest) -> HttpResponse:
    insats = insats_of(request.user)
    if insats is None or not may_create_activity(request.user):
        raise Http404
    scope = activity_choices(request.user, insats)
    initial: dict[str, Any] = {"status": Activity.Status.PLANNED}
    if request.GET.get("typ") in scope["kinds"]:
        initial["kind"] = request.GET["typ"]
    if scope.get("lansdel_required"):
        initial["lansdel"] = lansdel_of(request.user)
    form = ActivityForm(request.POST or None, request.FILES or None, initial=initial, **scope)
    if request.method == "POST" and form.is_valid():
        activity = services.activity_save(form=form, actor=Actor.of(request), insats=insats)
        messages.success(request, _("The activity is saved."))
        return redirect("activity_detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {"form": form, "activity": None},
        status=400 if form.is_bound else 200,
    )


def _render_detail(
    request: HttpRequest,
    activity: Activity,
    *,
    held_form: HeldForm | None = None,
    minutes_form: MinutesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    held_initial = activity.planned_date if activity.planned_date <= today else today
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "minutes": activity.minutes.defer("content").order_by("uploaded_at", "pk"),
            "may_manage": may_manage_activity(request.user, activity),
            "held_form": held_form or HeldForm(initial={"held_date": held_initial}, prefix="held"),
            "minutes_form": minutes_form or MinutesForm(prefix="upload"),
            "half": HalfYear.containing(activity.on),
        },
        status=status,
    )


@requires(Action.VIEW_ACTIVITY_PLAN)
@require_safe
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        Activity.objects.filter(scope_filter(request.user)).select_related("lansdel"), pk=pk
    )
    return _render_detail(request, activity)


@requires(Action.MANAGE_ACTIVITY_PLAN)
@require_form_methods
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_manager(request, pk)
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        **activity_choices(request.user, activity.insats),
    )
    if request.method == "POST" and form.is_valid():
        services.activity_save(form=form, actor=Actor.of(request))
        messages.success(request, _("The activity is saved."))
        return redirect("activity_detail", pk=activity.pk)
    return render(
        request,
        "activities/form.html",
        {"form": form, "activity": activity},
        status=400 if form.is_bound else 200,
    )


def _saved_minutes(request: HttpRequest, count: int) -> None:
    if count:
        messages.success(
            request,
            ngettext("%(n)s file of minutes is saved.", "%(n)s files of minutes are saved.", count)
            % {"n": count},
        )


@requires(Action.MANAGE_ACTIVITY_PLAN)
@require_POST
def activity_held(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_manager(request, pk)
    form = HeldForm(request.POST, request.FILES, prefix="held")
    if not form.is_valid():
        return _render_detail(request, activity, held_form=form, status=400)
    services.activity_mark_held(
        activity=activity,
        held_date=form.cleaned_data["held_date"],
        files=form.cleaned_data["minutes"],
        actor=Actor.of(request),
    )
    messages.success(request, _("The meeting is marked as held."))
    _saved_minutes(request, len(form.cleaned_data["minutes"]))
    return redirect("activity_detail", pk=activity.pk)


@requires(Action.MANAGE_ACTIVITY_PLAN)
@require_POST
def activity_minutes_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for_manager(request, pk)
    form = MinutesForm(request.POST, request.FILES, prefix="upload")
    if not form.is_valid():
        return _render_detail(request, activity, minutes_form=form, status=400)
    added = services.minutes_add(
        activity=activity, files=form.cleaned_data["minutes"], actor=Actor.of(request)
    )
    _saved_minutes(request, len(added))
    return redirect("activity_detail", pk=activity.pk)


@requires(Action.VIEW_ACTIVITY_PLAN)
@require_safe
def activity_minutes(request: HttpRequest, pk: int, minutes: int) -> HttpResponse:
    """The file as uploaded, always as a download."""
    # activity__pk, not activity_id: a number beyond 64 bits is then "not found" (404), where
    # the foreign key's own lookup would hand SQLite an integer it cannot hold (a 500).
    file = get_object_or_404(
        Minutes.objects.filter(scope_filter(request.user, "activity__insats")),
        pk=minutes,
        activity__pk=pk,
    )
    return download_response(
        content=bytes(file.content), filename=file.filename, content_type=file.content_type
    )


@requires(Action.MANAGE_ACTIVITY_PLAN)
@require_POST
def activity_minutes_delete(request: HttpRequest, pk: int, minutes: int) -> HttpResponse:
    activity = get_activity_for_manager(request, pk)
    file = get_object_or_404(activity.minutes.defer("content"), pk=minutes)
    services.minutes_delete(minutes=file, actor=Actor.of(request))
    messages.success(request, _("“%(name)s” is deleted.") % {"name": file.filename})
    return redirect("activity_detail", pk=activity.pk)
