"""The evaluator's data set: one row per enrolment, pseudonymised.

No name, no personnummer, no birth date: a pseudonym (HMAC of the personnummer under
PSEUDONYM_KEY, stable between exports, not derivable without the key), the age band, gender,
kommun, track, months instead of dates, the outcome, and the survey scores at start and exit.

People with protected identity (skyddad identitet) are left out altogether: kommun, gender,
age band and months can point to one person in a small kommun, and where such a person lives is
exactly what must not spread.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from sikta.casework.models import Exit
from sikta.participants.models import Participant
from sikta.reports.aggregates import AGE_BANDS
from sikta.surveys.models import Answer, Instrument, Response
from sikta.surveys.scoring import score

# The data dictionary: column, meaning. The export's columns are exactly these, in order.
DICTIONARY: list[tuple[str, str]] = [
    (
        "pseudonym",
        "Stabil pseudonym per person (HMAC-SHA256 av personnumret med hemlig nyckel, 16 tecken).",
    ),
    ("kon", "Juridiskt kön enligt personnumret: K eller M."),
    ("aldersgrupp", "Åldersgrupp vid inskrivningen."),
    ("kommun", "Kommun där personen är folkbokförd."),
    ("lansdel", "Länsdel."),
    ("spar", "Spår: koordinering eller coachning."),
    ("start_manad", "Inskrivningens månad (ÅÅÅÅ-MM)."),
    ("slut_manad", "Utskrivningens månad (ÅÅÅÅ-MM), tom om pågående."),
    ("status", "active, paused eller closed."),
    ("utfall", "Utfallskod vid utskrivning (se organisationens lista), tom om pågående."),
    (
        "utfall_mal",
        "1 om utfallet är en av de sex destinationerna i målet, annars 0; tom om pågående.",
    ),
    ("enkat", "Enkätinstrumentets kod och version, t.ex. who5-v1."),
    ("delmal", "Delmål som poängen avser."),
    ("poang_start", "Poäng vid start (WHO-5: procent 0–100; Siktaenkäten: 0–100 av skalan)."),
    ("poang_slut", "Poäng vid utskrivning, samma skala."),
]
COLUMNS = [name for name, _meaning in DICTIONARY]
CHUNK = 2000


def pseudonym(participant: Participant) -> str:
    digest = hmac.new(
        settings.PSEUDONYM_KEY.encode(), participant.personnummer.digits.encode(), hashlib.sha256
    )
    return digest.hexdigest()[:16]


def _age_band(participant: Participant) -> str:
    age = participant.personnummer.age_on(participant.start_date)
    return next(label for years, label in AGE_BANDS if age >= years)


def rows(participants: QuerySet[Participant]) -> Iterator[list[Any]]:
    """The rows, one per participant, sub-goal and instrument answered (or one row without
    survey columns). Fetched in chunks: memory does not grow with the number of rows. Nobody
    with protected identity."""
    queryset = (
        participants.filter(protected_identity=False)
        .select_related("kommun__lansdel", "track")
        .order_by("pk")
    )
    instruments = {i.pk: i for i in Instrument.objects.prefetch_related("items__subgoal")}
    items = {item.pk: item for i in instruments.values() for item in i.items.all()}
    last = 0
    while chunk := list(queryset.filter(pk__gt=last)[:CHUNK]):  # keyset: no OFFSET to skip
        last = chunk[-1].pk
        starts = {p.pk: p.start_date for p in chunk}
        exits = {
            e.participant_id: e
            for e in Exit.objects.filter(participant_id__in=starts)
            .select_related("outcome")
            .order_by("end_date")
        }
        # Only this enrolment's answers count; plain tuples, as there are many.
        responses = {
            pk: (participant_id, instruments[instrument_id], timepoint)
            for pk, participant_id, instrument_id, timepoint, enrolment_start in (
                Response.objects.filter(participant_id__in=starts, completed_at__isnull=False)
                .order_by("pk")
                .values_list(
                    "pk", "participant_id", "instrument_id", "timepoint", "enrolment_start"
                )
            )
            if enrolment_start == starts[participant_id]
        }
        answers: dict[int, list[tuple[Any, int | None]]] = defaultdict(list)
        for response_id, item_id, value in (
            Answer.objects.filter(response_id__in=responses)
            .order_by("pk")
            .values_list("response_id", "item_id", "value")
        ):
            answers[response_id].append((items[item_id], value))
        scores: dict[int, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
        for response_id, (participant_id, instrument, timepoint) in responses.items():
            label = f"{instrument.code}-v{instrument.version}"
            for s in score(instrument, answers[response_id]):
                scores[participant_id].setdefault((label, s.subgoal), {})[timepoint] = s.value
        for p in chunk:
            exit_ = exits.get(p.pk) if p.status == Participant.Status.CLOSED else None
            base = [
                pseudonym(p),
                "K" if p.personnummer.legal_gender == "female" else "M",
                _age_band(p),
                p.kommun.name,
                p.kommun.lansdel.name if p.kommun.lansdel else "",
                p.track.slug,
                f"{p.start_date:%Y-%m}",
                f"{p.end_date:%Y-%m}" if p.end_date else "",
                p.status,
                exit_.outcome.code if exit_ else "",
                (1 if exit_.outcome.destination else 0) if exit_ else "",
            ]
            found = scores.get(p.pk)
            if not found:
                yield [*base, "", "", "", ""]
                continue
            for (instrument_label, subgoal), values in sorted(found.items()):
                yield [
                    *base,
                    instrument_label,
                    subgoal,
                    values.get("start", ""),
                    values.get("exit", ""),
                ]
