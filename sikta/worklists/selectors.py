"""Reads for the worklist ("Att göra"): the tasks the user may see, filtered, by due date.

Every kind starts from the access policy's scope (`participant_scope`, `referral_scope`): a
coach or koordinator sees their own participants' tasks, a samordnare the länsdel's and its
referrals, the insatsledare the whole insats. The list is one UNION of the kinds, ordered and
paginated in the database; a page then fetches its participants and objects in a few queries,
whatever the number of tasks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sikta.access.policy import (
    Action,
    grants,
    insats_of,
    note_referral_protection,
    participant_scope,
    referral_scope,
    staff_of,
)
from sikta.access.roles import CASEWORKER_ROLES, RoleCode
from sikta.bookings.models import Booking, ContactChoice
from sikta.casework.models import Goal
from sikta.organisation.models import Insats, Kommun, StaffMember, Track
from sikta.participants.models import Participant, ParticipantQuerySet
from sikta.referrals.models import Referral
from sikta.worklists import due
from sikta.worklists.due import LABELS, SURVEY_KINDS, Kind
from sikta.worktraining.models import Placement

PAGE_SIZE = 50
COLUMNS = ("w_kind", "w_object", "w_participant", "w_due")


@dataclass(frozen=True)
class Filters:
    """What the page is narrowed to (None: everything the user may see)."""

    kind: Kind | None = None
    staff: StaffMember | None = None
    track: Track | None = None
    kommun: Kommun | None = None

    def without_kind(self) -> Filters:
        return Filters(staff=self.staff, track=self.track, kommun=self.kommun)


def sees_worklist(user: Any) -> bool:
    """Whoever works with identified participants in an insats has a worklist."""
    return Action.LIST_PARTICIPANTS in grants(user) and insats_of(user) is not None


def visible_participants(user: Any) -> ParticipantQuerySet:
    return Participant.objects.filter(participant_scope(user))


def _kind_querysets(user: Any, filters: Filters, today: dt.date) -> dict[Kind, QuerySet[Any]]:
    """Each kind's due rows for `user`, narrowed by `filters`, as the union's columns."""
    insats = insats_of(user)
    if insats is None or not sees_worklist(user):
        return {}
    participants = visible_participants(user)
    if filters.staff is not None:
        participants = participants.filter(assigned_to=filters.staff)
    if filters.track is not None:
        participants = participants.filter(track=filters.track)
    if filters.kommun is not None:
        participants = participants.filter(kommun=filters.kommun)
    found: dict[Kind, QuerySet[Any]] = {}
    for kind, select in due.PARTICIPANT_KINDS.items():
        if filters.kind in (None, kind):
            rows = select(participants, insats, today)
            owner = "pk" if rows.model is Participant else "participant_id"
            found[kind] = _columns(rows, kind, owner)
    referrals = referral_scope(user)
    if (
        filters.kind in (None, Kind.REFERRAL)
        and filters.staff is None
        and referrals != Q(pk__in=[])
    ):
        if filters.track is not None:
            referrals &= Q(track=filters.track)
        if filters.kommun is not None:
            referrals &= Q(kommun=filters.kommun)
        found[Kind.REFERRAL] = _columns(due.referrals_due(referrals, today), Kind.REFERRAL, None)
    return found


def _columns(rows: QuerySet[Any], kind: Kind, owner: str | None) -> QuerySet[Any]:
    participant = F(owner) if owner else Value(None, output_field=IntegerField())
    return (
        rows.order_by()
        .annotate(
            w_kind=Value(kind.value, output_field=CharField()),
            w_object=F("pk"),
            w_participant=participant,
        )
        .values(*COLUMNS)
    )


def tasks(user: Any, filters: Filters, *, today: dt.date | None = None) -> QuerySet[Any]:
    """The due rows as dicts of COLUMNS, most overdue first (one query; slicing pages it)."""
    parts = list(_kind_querysets(user, filters, today or timezone.localdate()).values())
    if not parts:
        return Participant.objects.none().values("pk")
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("w_due", "w_kind", "w_object")


def counts(user: Any, filters: Filters, *, today: dt.date | None = None) -> dict[Kind, int]:
    """How many tasks of each kind (the kinds the user has), narrowed by all but the kind."""
    parts = _kind_querysets(user, filters.without_kind(), today or timezone.localdate())
    return {kind: rows.count() for kind, rows in parts.items()}


def summary(user: Any) -> dict[str, Any] | None:
    """For the start pages (templates/worklists/_summary.html): the count of each kind and
    the total; None for a user without a worklist."""
    if not sees_worklist(user):
        return None
    numbers = counts(user, Filters())
    everything = sum(numbers.values())
    return {
        "total": everything,
        "kinds": [(kind, LABELS[kind], n) for kind, n in numbers.items()],
    }


# --- the rows of one page ---------------------------------------------------------------------


@dataclass
class Task:
    kind: Kind
    due: dt.date
    days: int  # overdue by (negative: days left)
    what: str
    url: str
    participant: Participant | None = None
    referral: Referral | None = None
    # Survey rows: whether a reminder can be sent (the participant chose a channel).
    channels: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def days_left(self) -> int:
        return -self.days

    @property
    def remindable(self) -> bool:
        return self.kind in SURVEY_KINDS and bool(self.channels)


def _latest_choice(name: str) -> Subquery:
    latest = ContactChoice.objects.filter(participant=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values(name)[:1])


def _participants(ids: set[int]) -> dict[int, Participant]:
    found = (
        Participant.objects.filter(pk__in=ids)
        .select_related("kommun__lansdel", "track", "assigned_to")
        .annotate(
            w_by_sms=_latest_choice("by_sms"),
            w_by_email=_latest_choice("by_email"),
            w_has_choice=Exists(ContactChoice.objects.filter(participant=OuterRef("pk"))),
        )
    )
    return {p.pk: p for p in found}


def channels_of(participant: Participant) -> list[str]:
    """The ways a reminder can reach the participant, as they chose (annotated above)."""
    chosen = []
    if getattr(participant, "w_by_sms", False) and participant.phone:
        chosen.append(_("text message"))
    if getattr(participant, "w_by_email", False) and participant.email:
        chosen.append(_("e-mail"))
    return chosen


def _date(day: dt.date) -> str:
    return date_format(day, "Y-m-d")


def rows(page: Any, insats: Insats, *, today: dt.date | None = None) -> list[Task]:
    """The tasks of one page of `tasks()`: their participants, referrals and objects fetched
    in one query per kind, not per row."""
    today = today or timezone.localdate()
    found = list(page)
    wanted: dict[str, set[int]] = {}
    for row in found:
        wanted.setdefault(row["w_kind"], set()).add(row["w_object"])
    people = _participants({r["w_participant"] for r in found if r["w_participant"]})
    goals = placements = bookings = referrals = {}
    if Kind.GOAL in wanted:
        goals = Goal.objects.in_bulk(wanted[Kind.GOAL])
    if Kind.PLACEMENT in wanted:
        placements = Placement.objects.select_related("employer").in_bulk(wanted[Kind.PLACEMENT])
    if Kind.BOOKING in wanted:
        bookings = Booking.objects.in_bulk(wanted[Kind.BOOKING])
    if Kind.REFERRAL in wanted:
        referrals = Referral.objects.select_related("kommun__lansdel", "track").in_bulk(
            wanted[Kind.REFERRAL]
        )
        note_referral_protection(list(referrals.values()))
    result = []
    for row in found:
        kind, pk, due_on = Kind(row["w_kind"]), row["w_object"], row["w_due"]
        if isinstance(due_on, str):  # SQLite hands a computed date back as text
            due_on = dt.date.fromisoformat(due_on[:10])
        participant = people.get(row["w_participant"])
        task = Task(kind, due_on, (today - due_on).days, "", "", participant=participant)
        _describe(task, pk, insats, today, goals, placements, bookings, referrals)
        result.append(task)
    return result


def _describe(
    task: Task,
    pk: int,
    insats: Insats,
    today: dt.date,
    goals: dict[int, Any],
    placements: dict[int, Any],
    bookings: dict[int, Any],
    referrals: dict[int, Any],
) -> None:
    """What is due and where it is done."""
    p = task.participant
    case = p.pk if p is not None else 0
    if task.kind == Kind.PLACEMENT:
        placement = placements[pk]
        task.what = _("Follow up the work training at %(employer)s") % {
            "employer": placement.employer.name
        }
        task.url = reverse("case_placement", args=[case, pk])
    elif task.kind == Kind.GOAL:
        goal = goals[pk]
        task.what = _("Follow up the goal “%(goal)s” (target date %(date)s)") % {
            "goal": goal.text[:60],
            "date": _date(goal.target_date),
        }
        task.url = reverse("case_goal", args=[case, pk])
    elif task.kind == Kind.NO_CONTACT:
        since = task.due - dt.timedelta(weeks=insats.no_contact_weeks)
        task.what = _("No contact since %(date)s (%(weeks)s weeks)") % {
            "date": _date(since),
            "weeks": (today - since).days // 7,
        }
        task.url = reverse("case_journal", args=[case])
    elif task.kind == Kind.LIMIT:
        task.what = (
            _("The longest time in the programme has run out")
            if task.days >= 0
            else _("The longest time in the programme runs out %(date)s")
            % {"date": _date(task.due)}
        )
        task.url = reverse("case_exit", args=[case])
    elif task.kind in SURVEY_KINDS:
        task.what = str(LABELS[task.kind])
        task.url = reverse("case_surveys", args=[case])
        task.channels = channels_of(p) if p is not None else []
    elif task.kind == Kind.BOOKING:
        booking = bookings[pk]
        task.what = _("Record how the meeting went: %(kind)s %(when)s") % {
            "kind": booking.get_kind_display().lower(),
            "when": date_format(timezone.localtime(booking.starts_at), "Y-m-d H:i"),
        }
        task.url = reverse("case_bookings", args=[case]) + "#awaiting-heading"
    else:
        task.referral = referrals[pk]
        task.what = _("Received %(date)s, waiting for a decision") % {
            "date": _date(timezone.localdate(task.referral.received_at))
        }
        task.url = reverse("referral_detail", args=[pk])


# --- the filter choices -------------------------------------------------------------------


def staff_choices(user: Any) -> QuerySet[StaffMember] | None:
    """The caseworkers whose tasks the user may pick out: a samordnare the länsdel's, the
    leads the insats's; a coach or koordinator none (the list is theirs alone)."""
    staff = staff_of(user)
    insats = insats_of(user)
    if staff is None or insats is None or staff.role.code in CASEWORKER_ROLES:
        return None
    chosen = StaffMember.objects.filter(
        insats=insats, is_active=True, role__code__in=list(CASEWORKER_ROLES)
    )
    if staff.role.code == RoleCode.SAMORDNARE and staff.lansdel_id:
        chosen = chosen.filter(lansdel_id=staff.lansdel_id)
    return chosen.order_by("last_name", "first_name", "pk")


def track_choices(insats: Insats) -> QuerySet[Track]:
    return Track.objects.filter(insats=insats)


def kommun_choices(user: Any) -> QuerySet[Kommun]:
    """The kommuner of the participants and referrals the user may see."""
    visible = visible_participants(user).values("kommun")
    referrals = Referral.objects.filter(referral_scope(user)).values("kommun")
    return Kommun.objects.filter(Q(pk__in=visible) | Q(pk__in=referrals)).order_by("name")
