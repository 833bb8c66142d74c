"""Who still needs registering in Uppföljning Finsam, the data it asks, and the anonymous counts.

Uppföljning Finsam asks, at the start: gender, age, kommun, income sources before, education
level and start date; at the end: end date, end reason, occupation and income after. Only
participants who have consented (and not withdrawn it) are registered by name; the others are
counted anonymously by gender and start year.

A participant with protected identity (skyddad identitet) is never registered by name, consent
or not: their name and personnummer must not leave Sikta in a file. They are left out of the
checklist and the export and counted anonymously, like those without consent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from sikta.casework.models import Exit
from sikta.finsam.models import Registration
from sikta.participants.models import Consent, Participant
from sikta.referrals.models import Referral
from sikta.reports.aggregates import dimension

SHOW_TODO, SHOW_DONE, SHOW_ALL = "att-gora", "klara", "alla"


def _consents() -> Exists:
    """A current consent to registration in Uppföljning Finsam; without one, counted anonymously."""
    return Exists(
        Consent.objects.filter(participant=OuterRef("pk"), finsam=True, withdrawn_on__isnull=True)
    )


def _registered(kind: str) -> Exists:
    return Exists(
        Registration.objects.filter(
            participant=OuterRef("pk"), kind=kind, period_start=OuterRef("start_date")
        )
    )


def _annotated(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    return participants.annotate(
        has_consent=_consents(),
        started=_registered(Registration.Kind.START),
        ended=_registered(Registration.Kind.END),
    )


# Still to do: the start registration of the current period, or the end of a closed one.
TODO = Q(started=False) | Q(status=Participant.Status.CLOSED, ended=False)


# Counted anonymously: no current consent, or a protected identity.
ANONYMOUS = Q(has_consent=False) | Q(protected_identity=True)


def checklist(participants: QuerySet[Participant], show: str = SHOW_TODO) -> QuerySet[Participant]:
    """The consenting participants among `participants` (none with protected identity), to do,
    done or all, oldest start first."""
    rows = _annotated(participants).filter(has_consent=True, protected_identity=False)
    if show == SHOW_TODO:
        rows = rows.filter(TODO)
    elif show == SHOW_DONE:
        rows = rows.exclude(TODO)
    return rows.order_by("start_date", "pk")


def summary(participants: QuerySet[Participant]) -> dict[str, int]:
    """How many need registering at the start, de-registering at the end; how many have no
    consent (counted anonymously). One query. Protected identities are not among them: see
    `protected_count`."""
    named = Q(has_consent=True, protected_identity=False)
    return _annotated(participants).aggregate(
        to_start=Count("pk", filter=named & Q(started=False)),
        to_end=Count("pk", filter=named & Q(status=Participant.Status.CLOSED, ended=False)),
        without_consent=Count("pk", filter=Q(has_consent=False)),
    )


def protected_count(participants: QuerySet[Participant]) -> int:
    """Consenting participants with protected identity: counted anonymously all the same."""
    return _annotated(participants).filter(has_consent=True, protected_identity=True).count()


def anonymous_counts(participants: QuerySet[Participant]) -> list[tuple[int, str, int]]:
    """Participants without a valid consent or with protected identity: (start year, gender,
    count), counted in the database. Nothing else about them leaves Sikta."""
    rows = (
        _annotated(participants)
        .filter(ANONYMOUS)
        .annotate(year=ExtractYear("start_date"), gender=dimension("gender", on=dt.date.today()))
        .values("year", "gender")
        .annotate(n=Count("pk"))
        .order_by("year", "gender")
    )
    return [(row["year"], row["gender"], row["n"]) for row in rows]


@dataclass
class Row:
    """One participant's data as Uppföljning Finsam asks it, for the current period."""

    participant: Participant
    gender: str
    age: int
    income_before: list[str]
    exit: Exit | None
    start: Registration | None
    end: Registration | None

    @property
    def closed(self) -> bool:
        return self.participant.status == Participant.Status.CLOSED

    @property
    def needs_start(self) -> bool:
        return self.start is None

    @property
    def needs_end(self) -> bool:
        return self.closed and self.end is None

    @property
    def missing(self) -> list[str]:
        """What Uppföljning Finsam asks that Sikta does not have yet."""
        gaps = []
        if self.participant.education_level_id is None:
            gaps.append(_("education level"))
        if not self.income_before:
            gaps.append(_("income before"))
        if self.closed and self.exit is None:
            gaps.append(_("end reason"))
        return gaps


def with_details(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """What a Row needs, in a fixed number of queries however many rows there are."""
    return participants.select_related(
        "kommun__lansdel", "track", "education_level", "assigned_to"
    ).prefetch_related(
        Prefetch(
            "referrals",
            queryset=Referral.objects.filter(status=Referral.Status.ACCEPTED)
            .prefetch_related("income_sources")
            .order_by("-received_at"),
            to_attr="accepted_referrals",
        ),
        Prefetch(
            "exits",
            queryset=Exit.objects.select_related("outcome")
            .prefetch_related("income_after")
            .order_by("-end_date", "-pk"),
            to_attr="exit_list",
        ),
        Prefetch("finsam_registrations", to_attr="registration_list"),
    )


def row(participant: Participant) -> Row:
    """A Row from a participant fetched through `with_details`."""
    period = participant.start_date
    referrals = [r for r in participant.accepted_referrals if r.received_at.date() <= period]
    referral = (referrals or participant.accepted_referrals or [None])[0]
    registrations = {r.kind: r for r in participant.registration_list if r.period_start == period}
    return Row(
        participant=participant,
        gender=_("Woman") if participant.personnummer.legal_gender == "female" else _("Man"),
        age=participant.personnummer.age_on(period),
        income_before=[s.name for s in referral.income_sources.all()] if referral else [],
        exit=next((e for e in participant.exit_list if e.start_date == period), None),
        start=registrations.get(Registration.Kind.START),
        end=registrations.get(Registration.Kind.END),
    )


def rows(participants: Iterable[Participant]) -> Iterator[Row]:
    return (row(p) for p in participants)


def chunks(participants: QuerySet[Participant], size: int = 1000) -> Iterator[list[Participant]]:
    """`participants` with their details, `size` at a time by primary key (no offsets, so each
    chunk costs the same and memory does not grow with the list)."""
    last = 0
    while chunk := list(with_details(participants.filter(pk__gt=last).order_by("pk"))[:size]):
        yield chunk
        last = chunk[-1].pk


def line(r: Row) -> list[Any]:
    p, e = r.participant, r.exit
    return [
        str(p.personnummer),
        p.first_name,
        p.last_name,
        "K" if p.personnummer.legal_gender == "female" else "M",
        r.age,
        p.kommun.kommunkod,
        p.kommun.name,
        p.kommun.lansdel.name if p.kommun.lansdel else "",
        p.track.short_name,
        ", ".join(r.income_before),
        p.education_level.name if p.education_level else "",
        p.start_date.isoformat(),
        r.start.registered_on.isoformat() if r.start else "",
        e.end_date.isoformat() if e else "",
        e.outcome.name if e else "",
        e.occupation_after if e else "",
        ", ".join(s.name for s in e.income_after.all()) if e else "",
        r.end.registered_on.isoformat() if r.end else "",
    ]


# The export's data dictionary: column, meaning. The columns are exactly these, in order.
DICTIONARY: list[tuple[str, str]] = [
    ("personnummer", "Personnummer eller samordningsnummer (ÅÅÅÅMMDD-NNNN)."),
    ("fornamn", "Förnamn."),
    ("efternamn", "Efternamn."),
    ("kon", "Juridiskt kön enligt personnumret: K eller M."),
    ("alder_vid_start", "Ålder i hela år vid inskrivningen."),
    ("kommunkod", "Folkbokföringskommunens kod (SCB)."),
    ("kommun", "Folkbokföringskommun."),
    ("lansdel", "Länsdel."),
    ("insats", "Spår i insatsen: koordinering eller coachning."),
    ("forsorjning_fore", "Försörjning före insatsen, enligt aktualiseringen."),
    ("utbildningsniva", "Högsta avslutade utbildning."),
    ("startdatum", "Inskrivningsdatum (ÅÅÅÅ-MM-DD)."),
    ("registrerad_start", "Datum då deltagaren registrerades i Uppföljning Finsam."),
    ("slutdatum", "Utskrivningsdatum, tomt om pågående."),
    ("avslutsorsak", "Avslutsorsak (utfall) vid utskrivningen."),
    ("sysselsattning_efter", "Sysselsättning efter insatsen."),
    ("forsorjning_efter", "Försörjning efter insatsen."),
    ("avregistrerad", "Datum då deltagaren avregistrerades i Uppföljning Finsam."),
]
COLUMNS = [name for name, _meaning in DICTIONARY]


@dataclass
class KonCounts:
    """One insats's participants in a period, by kön, as Uppföljning Finsam takes them."""

    insats: Any
    # measure -> (women, men, total)
    participants: tuple[int, int, int]
    new: tuple[int, int, int]
    ended: tuple[int, int, int]


def counts_by_kon(insatser: Iterable[Any], period: tuple[dt.date, dt.date]) -> list[KonCounts]:
    """Per insats: the participants who took part at some time in `period` (an enrolment
    overlapping it; a person enrolled twice counts once), those of them who began in it and
    those who ended in it, by legal gender (kön), in one grouped query."""
    from sikta.participants.models import Enrolment

    start, end = period
    women = _("Women")
    rows = (
        Enrolment.objects.filter(start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .annotate(gender=dimension("gender", prefix="participant__", on=end))
        .values("participant__insats", "gender")
        .annotate(
            n=Count("participant", distinct=True),
            new=Count("participant", filter=Q(start_date__gte=start), distinct=True),
            ended=Count("participant", filter=Q(end_date__lte=end), distinct=True),
        )
    )
    found: dict[tuple[int, bool], dict[str, int]] = {
        (row["participant__insats"], row["gender"] == women): row for row in rows
    }

    def triple(insats: Any, key: str) -> tuple[int, int, int]:
        w = found.get((insats.pk, True), {}).get(key, 0)
        m = found.get((insats.pk, False), {}).get(key, 0)
        return w, m, w + m

    return [KonCounts(i, triple(i, "n"), triple(i, "new"), triple(i, "ended")) for i in insatser]
