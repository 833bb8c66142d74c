"""The worklist "Att göra": what is due for the user's participants, most overdue first."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, insats_of
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.worklists import selectors, services
from sikta.worklists.due import LABELS
from sikta.worklists.forms import SurveyReminderForm, WorklistFilterForm

FILTERS = ("typ", "personal", "spar", "kommun")


class CountedPaginator(Paginator):
    """Pages of a list whose length is known (`count`) without asking the database again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known = count

    @property
    def count(self) -> int:
        return self.known


def _filter_form(request: HttpRequest) -> WorklistFilterForm:
    user = request.user
    insats = insats_of(user)
    return WorklistFilterForm(
        request.GET,
        staff=selectors.staff_choices(user),
        tracks=selectors.track_choices(insats) if insats is not None else None,
        kommuner=selectors.kommun_choices(user),
    )


def _query(request: HttpRequest) -> str:
    """The filters of the address, to keep them across pages and after a bulk action."""
    return urlencode([(name, request.GET[name]) for name in FILTERS if request.GET.get(name)])


def _page(
    request: HttpRequest, reminder_form: SurveyReminderForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    insats = insats_of(user)
    if insats is None or not selectors.sees_worklist(user):
        # The förbund's roles hold no insats of their own: no person, no worklist.
        raise PermissionDenied
    form = _filter_form(request)
    filters = selectors.Filters()
    if form.is_valid():
        filters = selectors.Filters(
            kind=form.kind(),
            staff=form.cleaned_data.get("personal"),
            track=form.cleaned_data.get("spar"),
            kommun=form.cleaned_data.get("kommun"),
        )
    today = timezone.localdate()
    counts = selectors.counts(user, filters, today=today)
    # The list's length is already counted, kind by kind: counting the whole union again for
    # the pages took as long as all the kinds' counts together.
    everything = sum(counts.values())
    total = counts.get(filters.kind, 0) if filters.kind else everything
    page = CountedPaginator(
        selectors.tasks(user, filters, today=today), selectors.PAGE_SIZE, count=total
    ).get_page(request.GET.get("sida"))
    tasks = selectors.rows(page.object_list, insats, today=today)
    shown = {t.participant.pk: t.participant for t in tasks if t.participant is not None}
    referrals = {t.referral.pk: t.referral for t in tasks if t.referral is not None}
    audit_record_many(
        request=request, action=AuditAction.PARTICIPANT_LIST, participants=shown.values()
    )
    if referrals:
        audit_record_many(
            request=request, action=AuditAction.REFERRAL_LIST, referrals=referrals.values()
        )
    query = _query(request)
    kinds_query = urlencode(
        [(name, request.GET[name]) for name in FILTERS[1:] if request.GET.get(name)]
    )
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "kind_label": LABELS[filters.kind] if filters.kind else "",
        "page": page,
        "tasks": tasks,
        "counts": [(kind, LABELS[kind], n) for kind, n in counts.items()],
        "total": everything,
        "query": query,
        "kinds_query": kinds_query,
        "reminder_form": reminder_form or SurveyReminderForm(),
        "remindable": any(t.remindable for t in tasks),
    }
    return render(request, "worklists/worklist.html", context, status=status)


@requires(Action.LIST_PARTICIPANTS)
@require_safe
def worklist(request: HttpRequest) -> HttpResponse:
    return _page(request)


@requires(Action.CHANGE_PARTICIPANT)
@require_POST
def worklist_survey_reminders(request: HttpRequest) -> HttpResponse:
    """Send a survey reminder to every ticked participant (those the user may change and whose
    survey is due; any other id is left alone)."""
    form = SurveyReminderForm(request.POST)
    if not form.is_valid():
        return _page(request, reminder_form=form, status=400)
    result = services.survey_reminders_send(
        participant_ids=form.cleaned_data["deltagare"], actor=Actor.of(request)
    )
    if result.sent:
        messages.success(
            request,
            ngettext(
                "A survey reminder is on its way to %(n)s participant.",
                "Survey reminders are on their way to %(n)s participants.",
                len(result.sent),
            )
            % {"n": len(result.sent)},
        )
    if result.no_channel:
        messages.warning(
            request,
            ngettext(
                "%(n)s participant has chosen no way to be reminded: call them.",
                "%(n)s participants have chosen no way to be reminded: call them.",
                len(result.no_channel),
            )
            % {"n": len(result.no_channel)},
        )
    if result.already_today:
        messages.info(
            request,
            ngettext(
                "%(n)s participant was already reminded today.",
                "%(n)s participants were already reminded today.",
                len(result.already_today),
            )
            % {"n": len(result.already_today)},
        )
    if result.refused:
        messages.warning(request, _("Some of the ticked rows could not be reminded."))
    query = _query(request)
    return redirect(reverse("worklist") + (f"?{query}" if query else ""))
