"""Half-years and the plan's "planned vs held" summary for one of them."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _, gettext_lazy

from sikta.activities.models import Activity, ActivityTarget, Kind
from sikta.organisation.models import Insats, Lansdel

_SLUG = re.compile(r"^(\d{4})-([12])$")


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int  # 1: January–June, 2: July–December

    @classmethod
    def containing(cls, day: dt.date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str | None) -> HalfYear | None:
        """`2026-2` → the second half of 2026; anything else → None."""
        match = _SLUG.match(text or "")
        if match is None or not 1900 < int(match[1]) < 2200:
            return None
        return cls(int(match[1]), int(match[2]))

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.half == 1:
            return _("First half-year %(year)s") % {"year": self.year}
        return _("Second half-year %(year)s") % {"year": self.year}

    def previous(self) -> HalfYear:
        return HalfYear(self.year - 1, 2) if self.half == 1 else HalfYear(self.year, 1)

    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def __str__(self) -> str:
        return self.label


def half_years(insats: Insats | None, today: dt.date) -> list[HalfYear]:
    """The half-years one may choose: those of the programme's period, and today's."""
    first = HalfYear.containing(insats.start_date if insats else today)
    last = HalfYear.containing(insats.end_date if insats else today)
    current = HalfYear.containing(today)
    first, last = min(first, current), max(last, current)
    chosen = [first]
    while chosen[-1] < last:
        chosen.append(chosen[-1].next())
    return chosen


class Standing:
    """How a row stands against the plan's target."""

    AHEAD = "ahead"
    MET = "met"
    ON_TRACK = "on_track"
    TOO_FEW_PLANNED = "too_few_planned"
    NOT_MET = "not_met"

    LABELS = {
        AHEAD: gettext_lazy("Ahead: more held than the plan asks"),
        MET: gettext_lazy("Met"),
        ON_TRACK: gettext_lazy("Not yet met: enough are planned"),
        TOO_FEW_PLANNED: gettext_lazy("Not met yet: too few planned"),
        NOT_MET: gettext_lazy("Not met"),
    }
    # The CSS class of the label (the text says it too: colour is never the only cue).
    TONES = {
        AHEAD: "outcome-met",
        MET: "outcome-met",
        ON_TRACK: "outcome-assess",
        TOO_FEW_PLANNED: "outcome-not_met",
        NOT_MET: "outcome-not_met",
    }


def standing(*, minimum: int, maximum: int, planned: int, held: int, over: bool) -> str:
    """Where `held` (of `planned`, cancelled not counted) stands against minimum–maximum.

    While the half-year runs, too few held is not yet a failure: it depends on what is planned.
    """
    if held > maximum:
        return Standing.AHEAD
    if held >= minimum:
        return Standing.MET
    if over:
        return Standing.NOT_MET
    return Standing.ON_TRACK if planned >= minimum else Standing.TOO_FEW_PLANNED


@dataclass
class Row:
    kind: str
    kind_label: str
    lansdel: Lansdel | None
    target: ActivityTarget | None
    planned: int
    held: int
    cancelled: int
    standing: str | None

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "–"
        low, high = self.target.min_per_half_year, self.target.max_per_half_year
        return str(low) if low == high else f"{low}–{high}"

    @property
    def standing_label(self) -> str:
        return str(Standing.LABELS[self.standing]) if self.standing else "–"

    @property
    def tone(self) -> str:
        return Standing.TONES[self.standing] if self.standing else ""


def summary(
    insats: Insats, half: HalfYear, today: dt.date, lansdelar: list[Lansdel] | None = None
) -> list[Row]:
    """One row per target of the plan (per länsdel where the target is per länsdel), counting
    the activities whose day (held, else planned) falls in `half`; then any kind without target.

    "Planned" counts every activity entered that is not cancelled, held ones included.
    """
    counts: Counter[tuple[str, int | None, str]] = Counter()
    for row in (
        Activity.objects.filter(insats=insats)
        .between(half.start, half.end)
        .values("kind", "lansdel_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts[(row["kind"], row["lansdel_id"], row["status"])] += row["n"]

    def count(kind: str, lansdel: Lansdel | None, whole: bool) -> tuple[int, int, int]:
        def n(status: str) -> int:
            return sum(
                v
                for (k, lansdel_id, s), v in counts.items()
                if k == kind and s == status and (whole or lansdel_id == lansdel.pk)
            )

        held, planned = n(Activity.Status.HELD), n(Activity.Status.PLANNED)
        return planned + held, held, n(Activity.Status.CANCELLED)

    over = today > half.end
    rows: list[Row] = []
    targets = list(insats.activity_targets.all())
    lansdelar = list(insats.lansdelar.all()) if lansdelar is None else lansdelar
    for target in targets:
        per_lansdel = target.per == ActivityTarget.Per.LANSDEL
        for lansdel in lansdelar if per_lansdel else [None]:
            planned, held, cancelled = count(target.kind, lansdel, whole=not per_lansdel)
            rows.append(
                Row(
                    kind=target.kind,
                    kind_label=target.name,
                    lansdel=lansdel,
                    target=target,
                    planned=planned,
                    held=held,
                    cancelled=cancelled,
                    standing=standing(
                        minimum=target.min_per_half_year,
                        maximum=target.max_per_half_year,
                        planned=planned,
                        held=held,
                        over=over,
                    ),
                )
            )
    with_target = {t.kind for t in targets}
    for kind in Kind:
        if kind in with_target or not any(k == kind for k, _l, _s in counts):
            continue
        planned, held, cancelled = count(kind, None, whole=True)
        rows.append(Row(kind, kind.label, None, None, planned, held, cancelled, None))
    return rows
