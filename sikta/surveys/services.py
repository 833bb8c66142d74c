"""Survey writes: personal links, the participant's answers as they go, paper entry."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.participants.models import Participant
from sikta.surveys.models import Answer, Instrument, Item, Response, hash_token


class SurveyClosed(Exception):
    """Completed, expired, or not the participant's time for this survey."""


def _expiry(participant: Participant, timepoint: str) -> dt.datetime:
    insats = participant.track.insats
    expires = timezone.now() + dt.timedelta(days=insats.survey_link_days)
    if timepoint == Response.Timepoint.EXIT and participant.end_date is not None:
        last = participant.end_date + dt.timedelta(days=insats.exit_survey_days)
        expires = min(expires, timezone.make_aware(dt.datetime.combine(last, dt.time(23, 59))))
    return expires


def exit_survey_possible(participant: Participant) -> bool:
    if participant.status in Participant.ENROLLED:
        return True
    days = participant.track.insats.exit_survey_days
    return (
        participant.end_date is not None
        and timezone.localdate() <= participant.end_date + dt.timedelta(days=days)
    )


def _response(participant: Participant, instrument: Instrument, timepoint: str) -> Response:
    response, _created = Response.objects.get_or_create(
        participant=participant,
        instrument=instrument,
        timepoint=timepoint,
        enrolment_start=participant.start_date,
    )
    if response.completed_at is not None:
        raise SurveyClosed
    if timepoint == Response.Timepoint.EXIT and not exit_survey_possible(participant):
        raise SurveyClosed
    return response


@transaction.atomic
def response_link(
    *, participant: Participant, instrument: Instrument, timepoint: str, actor: Actor
) -> tuple[Response, str]:
    """A personal link for the participant; a new link makes any earlier one stop working."""
    response = _response(participant, instrument, timepoint)
    token = response.new_token()
    response.expires_at = _expiry(participant, timepoint)
    response.created_by = actor.user
    response.save()
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CHANGE,
        participant=participant,
        detail={"what": "survey link", "instrument": instrument.code, "timepoint": timepoint},
    )
    return response, token


def open_response(token: str) -> Response:
    """The response a personal link opens, if it still may be answered; else SurveyClosed."""
    response = (
        Response.objects.select_related("instrument").filter(token_hash=hash_token(token)).first()
    )
    if response is None or not response.is_open:
        raise SurveyClosed
    return response


def answer_save(*, response: Response, item: Item, value: int | None) -> Answer:
    """One answer, saved at once (the participant's own answering is not a staff read)."""
    if not response.is_open:
        raise SurveyClosed
    answer, _created = Answer.objects.update_or_create(
        response=response, item=item, defaults={"value": value, "answered_at": timezone.now()}
    )
    return answer


@transaction.atomic
def response_complete(*, response: Response, answers: dict[Item, int | None]) -> Response:
    for item, value in answers.items():
        answer_save(response=response, item=item, value=value)
    response.completed_at = timezone.now()
    response.token_hash = None  # the link stops working
    response.save(update_fields=["completed_at", "token_hash"])
    return response


@transaction.atomic
def paper_entry(
    *,
    participant: Participant,
    instrument: Instrument,
    timepoint: str,
    answers: dict[Item, int | None],
    actor: Actor,
) -> Response:
    """Answers from a paper form, entered by staff on the participant's behalf (marked so)."""
    response = _response(participant, instrument, timepoint)
    response.on_paper = True
    response.created_by = actor.user
    response.expires_at = timezone.now() + dt.timedelta(minutes=1)
    response.save()
    response_complete(response=response, answers=answers)
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CHANGE,
        participant=participant,
        detail={"what": "survey on paper", "instrument": instrument.code, "timepoint": timepoint},
    )
    return response
