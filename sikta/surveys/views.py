"""The participant's survey page (personal link, no login) and the staff's survey section."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, insats_of, scope_filter
from sikta.audit.services import Actor
from sikta.casework.views import case_context, case_participant
from sikta.core.http import require_form_methods
from sikta.participants.models import Participant
from sikta.surveys import services
from sikta.surveys.forms import LinkForm, SurveyForm
from sikta.surveys.models import Instrument, Response, SubGoal, current_instruments
from sikta.surveys.scoring import score

# --- the participant's own page ------------------------------------------------------------


def _closed(request: HttpRequest) -> HttpResponse:
    # Expired, used and forged links look the same: nothing about anyone is revealed.
    return render(request, "surveys/closed.html", status=404)


@never_cache  # a participant's own answers, often on a shared or borrowed phone
@require_form_methods
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        response = services.open_response(token)
    except services.SurveyClosed:
        return _closed(request)
    form = SurveyForm(
        request.POST if request.method == "POST" else None, instrument=response.instrument
    )
    if request.method == "POST" and form.is_valid():
        services.response_complete(response=response, answers=form.answers())
        return render(request, "surveys/thanks.html")
    if request.method != "POST":
        form = SurveyForm(
            instrument=response.instrument,
            initial={f"i{a.item_id}": a.value for a in response.answers.all()},
        )
    return render(
        request,
        "surveys/answer.html",
        {"response": response, "form": form, "token": token},
        status=400 if form.is_bound else 200,
    )


@never_cache
@require_POST
def survey_save(request: HttpRequest, token: str) -> HttpResponse:
    """Save what has been answered so far (htmx, on every change): a lost connection loses
    nothing, and the participant can come back to the link later."""
    try:
        response = services.open_response(token)
    except services.SurveyClosed:
        return HttpResponse(_("The link no longer works."), status=404)
    form = SurveyForm(request.POST, instrument=response.instrument)
    form.is_valid()
    for item in form.items:
        name = f"i{item.pk}"
        if name in form.cleaned_data and form.cleaned_data[name] is not None:
            services.answer_save(response=response, item=item, value=form.cleaned_data[name])
    return HttpResponse(
        _("Your answers are saved (%(time)s).") % {"time": timezone.localtime().strftime("%H:%M")}
    )


# --- the staff's section of the case -------------------------------------------------------


def before_after(participant: Participant) -> list[dict[str, Any]]:
    """Per instrument and sub-goal, the start and exit scores of the current enrolment."""
    responses = (
        Response.objects.filter(
            participant=participant,
            enrolment_start=participant.start_date,
            completed_at__isnull=False,
        )
        .select_related("instrument")
        .prefetch_related("answers__item__subgoal", "instrument__items")
    )
    tables = {}
    for response in responses:
        answers = [(a.item, a.value) for a in response.answers.all()]
        table = tables.setdefault(
            response.instrument_id, {"instrument": response.instrument, "rows": {}}
        )
        for s in score(response.instrument, answers):
            row = table["rows"].setdefault(s.subgoal, {"subgoal": s.subgoal})
            row[response.timepoint] = s
    result = []
    names = {s.code: s.name for s in SubGoal.objects.all()}
    for table in tables.values():
        rows = []
        for code, row in table["rows"].items():
            start, end = row.get("start"), row.get("exit")
            change = (
                end.value - start.value
                if start and end and start.value is not None and end.value is not None
                else None
            )
            rows.append(
                {"name": names.get(code, code), "start": start, "exit": end, "change": change}
            )
        result.append({"instrument": table["instrument"], "rows": rows})
    return result


@requires(Action.VIEW_PARTICIPANT)
@require_form_methods
def case_surveys(request: HttpRequest, pk: int) -> HttpResponse:
    participant = case_participant(request, pk)
    link_form = LinkForm(request.POST or None, prefix="l")
    link_form.fields["instrument"].queryset = Instrument.objects.filter(
        pk__in=[i.pk for i in current_instruments()]
    )
    new_link = new_link_expires = None
    if request.method == "POST" and link_form.is_valid():
        try:
            survey_response, token = services.response_link(
                participant=participant,
                instrument=link_form.cleaned_data["instrument"],
                timepoint=link_form.cleaned_data["timepoint"],
                actor=Actor.of(request),
            )
        except services.SurveyClosed:
            messages.error(request, _("That survey is already answered, or its time has passed."))
            return redirect("case_surveys", pk=pk)
        # Made, not sent: Sikta sends nothing; the staff member gives the link on.
        new_link = request.build_absolute_uri(reverse("survey_answer", args=[token]))
        new_link_expires = survey_response.expires_at
    responses = participant.survey_responses.select_related("instrument").order_by(
        "-enrolment_start", "timepoint", "instrument__code"
    )
    return render(
        request,
        "surveys/case_surveys.html",
        case_context(
            request,
            participant,
            "surveys",
            responses=responses,
            link_form=link_form,
            new_link=new_link,
            new_link_expires=new_link_expires,
            instruments=current_instruments(),
            before_after=before_after(participant),
        ),
    )


@requires(Action.CHANGE_PARTICIPANT)
@require_form_methods
def case_survey_paper(
    request: HttpRequest, pk: int, instrument: int, timepoint: str
) -> HttpResponse:
    """Answers from a paper form, entered on the participant's behalf."""
    participant = case_participant(request, pk)
    instrument_obj = get_object_or_404(Instrument, pk=instrument)
    if timepoint not in Response.Timepoint.values:
        return redirect("case_surveys", pk=pk)
    form = SurveyForm(request.POST if request.method == "POST" else None, instrument=instrument_obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_entry(
                participant=participant,
                instrument=instrument_obj,
                timepoint=timepoint,
                answers=form.answers(),
                actor=Actor.of(request),
            )
        except services.SurveyClosed:
            messages.error(request, _("That survey is already answered, or its time has passed."))
        else:
            messages.success(request, _("The answers from the paper form are saved."))
        return redirect("case_surveys", pk=pk)
    return render(
        request,
        "surveys/paper.html",
        case_context(
            request,
            participant,
            "surveys",
            form=form,
            instrument=instrument_obj,
            timepoint=Response.Timepoint(timepoint),
        ),
    )


# --- the aggregate report ------------------------------------------------------------------


@requires(Action.VIEW_AGGREGATES)
@require_safe
def survey_report(request: HttpRequest) -> HttpResponse:
    """Before/after per sub-goal over all participants with both answers; response rates.

    Aggregates only, and groups below the programme's minimum are suppressed: every role
    with a staff record may see it, the steering group included.
    """
    from sikta.organisation.models import Insats
    from sikta.reports.lagesrapport import minimum_group
    from sikta.surveys.forms import ReportForm
    from sikta.surveys.reports import pairs, response_rates, summarise

    insats = insats_of(request.user) or Insats.objects.order_by("start_date").first()
    instruments = current_instruments()
    form = ReportForm(request.GET or None, instruments=instruments, insats=insats)
    data = form.cleaned_data if form.is_valid() else form.defaults()
    period = (data["date_from"], data["date_to"])
    # Aggregates for every role: the user's insats (the förbund's roles: every insats).
    everyone = Participant.objects.filter(scope_filter(request.user))
    min_group = minimum_group(insats_of(request.user))
    instrument = data["instrument"]
    summaries = (
        summarise(
            pairs(instrument, everyone, period=period),
            group_by=data["group_by"],
            min_group=min_group,
        )
        if instrument
        else []
    )
    names = {s.code: s.name for s in SubGoal.objects.all()}
    scale = max((abs(s.mean) for s in summaries if s.mean is not None), default=Decimal(1)) or 1
    rows = []
    for s in summaries:
        bar = int(abs(s.mean) / scale * 100) if s.mean is not None else 0
        # A bar from the middle line: right for better, left for worse.
        x = 100 if s.mean is None or s.mean >= 0 else 100 - bar
        rows.append({"s": s, "name": names.get(s.subgoal, s.subgoal), "bar": bar, "x": x})
    return render(
        request,
        "surveys/report.html",
        {
            "form": form,
            "instrument": instrument,
            "rows": rows,
            "min_group": min_group,
            "rates": response_rates(everyone, period=period, minimum=min_group),
            "period": period,
        },
    )
