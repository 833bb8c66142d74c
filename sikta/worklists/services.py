"""Writes from the worklist: survey reminders to the participants selected in it.

A reminder is a fresh personal survey link (sikta.surveys.services.response_link: the earlier
link stops working) sent the way the participant chose to be reminded (`ContactChoice`),
through the outbox that `send_messages` delivers. Every selected id is checked again: a
participant the user may not change, or whose survey is not due, is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sikta.access.policy import Action, grants, insats_of, participant_scope
from sikta.audit.services import Actor, audit_change
from sikta.bookings.models import Message
from sikta.bookings.services import contact_choice, reaches, tell_participant
from sikta.core.phone import display_phone
from sikta.participants.models import Participant
from sikta.surveys.models import Response, current_instruments
from sikta.surveys.services import SurveyClosed, response_link
from sikta.worklists import due

SURVEY_PURPOSE = Message.Purpose.SURVEY


@dataclass
class ReminderResult:
    sent: list[Participant] = field(default_factory=list)
    no_channel: list[Participant] = field(default_factory=list)
    already_today: list[Participant] = field(default_factory=list)
    # Selected ids not acted on: not the user's to change, or no survey due.
    refused: int = 0


def _text(participant: Participant, links: list[str], expires: dt.datetime, name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Hello! We would like to know how you are doing. Please answer the survey: "
            "%(links)s (the link works until %(date)s)."
        ) % {"links": " ".join(links), "date": date_format(timezone.localtime(expires), "j F")}
        staff = participant.assigned_to
        if staff is not None and staff.phone:
            text += " " + _("Questions? Call %(name)s on %(phone)s.") % {
                "name": staff.first_name,
                "phone": display_phone(staff.phone),
            }
        return f"{text} /{name}" if name else text


def _subject() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("A survey for you to answer")


@transaction.atomic
def survey_reminders_send(
    *, participant_ids: list[int], actor: Actor, today: dt.date | None = None
) -> ReminderResult:
    """Send each selected participant whose start or exit survey is due a new link, by the
    channels they chose; one audit record per participant reminded. At most one reminder a
    day: sending again the same day would only make the first link stop working."""
    today = today or timezone.localdate()
    result = ReminderResult()
    user = actor.user
    insats = insats_of(user)
    if insats is None or Action.CHANGE_PARTICIPANT not in grants(user):
        result.refused = len(participant_ids)
        return result
    mine = Participant.objects.filter(participant_scope(user), pk__in=participant_ids)
    leaving = due.exit_surveys_due(mine, insats, today).values_list("pk", flat=True)
    starting = due.start_surveys_due(mine, insats, today).values_list("pk", flat=True)
    timepoints = {
        **dict.fromkeys(leaving, Response.Timepoint.EXIT),
        **dict.fromkeys(starting, Response.Timepoint.START),
    }
    result.refused = len(set(participant_ids) - set(timepoints))
    participants = Participant.objects.filter(pk__in=timepoints).select_related(
        "track__insats", "insats", "assigned_to", "kommun"
    )
    instruments = current_instruments()
    for participant in participants.order_by("pk"):
        timepoint = timepoints[participant.pk]
        if not reaches(participant):
            result.no_channel.append(participant)
            continue
        key = f"{SURVEY_PURPOSE}:{participant.pk}:{timepoint}:{participant.start_date}:{today}"
        if Message.objects.filter(key__startswith=f"{key}:").exists():
            result.already_today.append(participant)
            continue
        links, expires = [], None
        for instrument in instruments:
            try:
                response, token = response_link(
                    participant=participant, instrument=instrument, timepoint=timepoint, actor=actor
                )
            except SurveyClosed:  # this instrument is answered already
                continue
            links.append(settings.SIKTA_BASE_URL + reverse("survey_answer", args=[token]))
            expires = response.expires_at
        if not links or expires is None:
            continue
        choice = contact_choice(participant)
        name = participant.insats.name if choice is not None and choice.name_insats else ""
        written = tell_participant(
            participant=participant,
            purpose=Message.Purpose.SURVEY,
            subject=_subject(),
            body=_text(participant, links, expires, name),
            key=key,
        )
        audit_change(
            actor,
            participant,
            "survey reminder",
            timepoint=timepoint,
            channels=sorted(m.channel for m in written),
        )
        result.sent.append(participant)
    return result
