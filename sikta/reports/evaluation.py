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
from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from sikta.casework.models import Exit
from sikta.organisation.models import Kommun, Outcome, Track
from sikta.participants.models import Participant
from sikta.reports import exports
from sikta.reports.aggregates import AGE_BANDS, within
from sikta.surveys.models import Answer, Instrument
from sikta.surveys.scoring import Scorer

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
CHUNK = 5000
NO_SCORES = ("", "", "", "")


def pseudonym(participant: Participant) -> str:
    return _pseudonymiser()(participant.personnummer.digits)


def _pseudonymiser() -> Callable[[str], str]:
    """The pseudonym of a personnummer's digits: HMAC-SHA256 under PSEUDONYM_KEY (RFC 2104),
    its first 16 hex digits. The two keyed hash states are made once and copied per person,
    which is half the work of `hmac.new` per person (the tests compare the two)."""
    key = settings.PSEUDONYM_KEY.encode()
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(key.translate(_IPAD))
    outer = hashlib.sha256(key.translate(_OPAD))

    def pseudonym(digits: str) -> str:
        mac = inner.copy()
        mac.update(digits.encode())
        done = outer.copy()
        done.update(mac.digest())
        return done.hexdigest()[:16]

    return pseudonym


_BLOCK = hashlib.sha256().block_size
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


# The age band of every whole age (a list lookup per row rather than a search of the bands).
_BANDS = [next(label for years, label in AGE_BANDS if age >= years) for age in range(150)]


def _age_band(digits: str, on: str) -> str:
    """The age band on the day `on` (YYYY-MM-DD) from the personnummer's digits (a
    samordningsnummer's day is +60). Whole years are the difference of the two dates written
    as numbers YYYYMMDD, divided by 10 000."""
    born = int(digits[:8])
    if born % 100 > 60:
        born -= 60
    age = (int(on.replace("-", "")) - born) // 10000
    return _BANDS[age] if 0 <= age < len(_BANDS) else _BANDS[0 if age < 0 else -1]


def _text(value: Any) -> str:
    """A name from the organisation's data as the export writes it (defused once, here)."""
    return str(exports.defused(value))


def rows(participants: QuerySet[Participant]) -> Iterator[list[Any]]:
    """The rows, one per participant, sub-goal and instrument answered (or one row without
    survey columns). Read as plain tuples, a batch at a time: memory does not grow with the
    number of rows, and no object is built per row (dates and the personnummer come as
    text). Every text in a row is safe for a spreadsheet where it is
    made (`exports.response(..., checked=True)`). Nobody with protected identity."""
    queryset = (
        participants.filter(protected_identity=False)
        .order_by("pk")
        .values_list(
            "pk",
            Cast("personnummer", CharField()),
            "kommun_id",
            "track_id",
            Cast("start_date", CharField()),
            Cast("end_date", CharField()),
            "status",
        )
    )
    # Each instrument's scorer, with the label the export gives it ("who5-v1").
    scorers = {
        i.pk: (f"{i.code}-v{i.version}", Scorer(i))
        for i in Instrument.objects.prefetch_related("items__subgoal")
    }
    # The organisation's few names, once (and not per row).
    kommuner = {
        k.pk: (_text(k.name), _text(k.lansdel.name) if k.lansdel else "")
        for k in Kommun.objects.select_related("lansdel")
    }
    tracks = {pk: _text(slug) for pk, slug in Track.objects.values_list("pk", "slug")}
    outcomes = {
        pk: (_text(code), 1 if destination else 0)
        for pk, code, destination in Outcome.objects.values_list("pk", "code", "destination")
    }
    statuses = {value: _text(value) for value in Participant.Status.values}
    pseudonym = _pseudonymiser()
    closed, nothing = Participant.Status.CLOSED, ("", "")
    # Three streams in participant order, read side by side (a merge): the participants, their
    # exits and their answers. A fixed number of queries however many rows there are, each
    # read in batches (on PostgreSQL through a server-side cursor).
    exits = _Stream(
        Exit.objects.filter(within(participants))
        .order_by("participant_id", "end_date", "pk")
        .values_list("participant_id", "outcome_id")
        .iterator(chunk_size=CHUNK)
    )
    answers = _Stream(
        Answer.objects.filter(
            within(participants, "response__participant"), response__completed_at__isnull=False
        )
        .order_by("response__participant_id", "response_id", "pk")
        .values_list(
            "response__participant_id",
            "response_id",
            "response__instrument_id",
            "response__timepoint",
            Cast("response__enrolment_start", CharField()),
            "item_id",
            "value",
        )
        .iterator(chunk_size=CHUNK)
    )
    for pk, digits, kommun, track, start, end, status in queryset.iterator(chunk_size=CHUNK):
        ended = exits.take(pk)  # the last exit (by end date) is the one that counts
        outcome = outcomes[ended[-1][1]] if status == closed and ended else nothing
        base = [
            pseudonym(digits),
            "K" if digits[10] in "02468" else "M",
            _age_band(digits, start),
            *kommuner[kommun],
            tracks[track],
            start[:7],
            end[:7] if end else "",
            statuses[status],
            *outcome,
        ]
        answered = answers.take(pk)
        found = _scores(answered, start, scorers) if answered else None
        if not found:
            base += NO_SCORES
            yield base
            continue
        for (instrument_label, subgoal), values in sorted(found.items()):
            yield [
                *base,
                instrument_label,
                subgoal,
                values.get("start", ""),
                values.get("exit", ""),
            ]


class _Stream:
    """Rows sorted by participant (their first value), handed out one participant at a time as
    the export reaches them; participants it never asks for are skipped."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self.groups = groupby(rows, key=itemgetter(0))
        self.current = next(self.groups, None)

    def take(self, participant: int) -> list[tuple[Any, ...]]:
        while self.current is not None and self.current[0] < participant:
            self.current = next(self.groups, None)
        if self.current is None or self.current[0] != participant:
            return []
        rows = list(self.current[1])
        self.current = next(self.groups, None)
        return rows


def _scores(
    answers: list[tuple[Any, ...]], start: str, scorers: dict[int, tuple[str, Scorer]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """One participant's scores: (instrument, sub-goal) → {timepoint: score}, over the answers
    of the enrolment that began on `start` only (the rows of `answers` come in response
    order)."""
    scores: dict[tuple[str, str], dict[str, Any]] = {}
    for (_response, instrument_id, timepoint, enrolment_start), rows in groupby(
        answers, key=itemgetter(1, 2, 3, 4)
    ):
        if enrolment_start != start:
            continue
        label, scorer = scorers[instrument_id]
        for subgoal, value in scorer.values(row[5:7] for row in rows).items():
            scores.setdefault((label, subgoal), {})[timepoint] = value
    return scores
