"""Financing and staffing: the plan's positions per kommun against the participants they serve.

Positions are in percent of a full-time position (heltid), co-financed by the kommun
(medfinansiering) or financed by RAR. The cost per participant is RAR's yearly budget shared
out over RAR's positions, for the length of the period, divided by the participants served
in it; co-financed positions are the kommun's own contribution in kind and carry no SEK here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from sikta.organisation.models import FinancingShare, Insats, Kommun
from sikta.participants.models import Participant
from sikta.reports.suppression import suppress

HUNDRED = Decimal(100)


@dataclass
class Line:
    name: str
    cofinanced: Decimal  # percent of a position
    rar: Decimal
    participants: int | None  # served in the period; None when hidden (too few)
    rar_cost: Decimal  # SEK for the period

    @property
    def positions(self) -> Decimal:
        """Full-time positions (heltidstjänster)."""
        return (self.cofinanced + self.rar) / HUNDRED

    @property
    def per_position(self) -> Decimal | None:
        if self.participants is None or not self.positions:
            return None
        return (self.participants / self.positions).quantize(Decimal("0.1"))

    @property
    def cost_per_participant(self) -> int | None:
        if not self.participants or not self.rar_cost:
            return None
        return round(self.rar_cost / self.participants)


@dataclass
class Area:
    line: Line
    kommuner: list[Line] = field(default_factory=list)


@dataclass
class Financing:
    period: tuple[dt.date, dt.date]
    budget: int  # SEK a year
    period_budget: Decimal
    areas: list[Area]
    region: list[FinancingShare]
    total: Line
    totals: dict[str, Decimal]  # the plan's: kommun, region, rar (percent)


def _kommun(share: FinancingShare) -> Kommun:
    """A kommun's share names its kommun (a constraint of the table)."""
    if share.kommun is None:
        raise ValueError(f"financing share {share.pk} is a kommun's but names none")
    return share.kommun


def served(period: tuple[dt.date, dt.date]) -> Q:
    """Participants in the programme at some time during the period."""
    start, end = period
    return Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


def financing(
    insats: Insats,
    participants: QuerySet[Participant],
    period: tuple[dt.date, dt.date],
    *,
    minimum: int | None,
) -> Financing:
    """The financing table for `period`; with `minimum`, counts below it are hidden (and one
    more where a total would give a hidden one away), with what is computed from them."""
    start, end = period
    days = Decimal((end - start).days + 1)
    budget = Decimal(insats.annual_budget_sek or 0)
    period_budget = (budget * days / Decimal(365)).quantize(Decimal(1))
    totals = insats.financing_totals()
    rar_total = totals["rar"] or Decimal(1)
    shares = list(
        insats.financing_shares.filter(funder=FinancingShare.Funder.KOMMUN)
        .select_related("kommun__lansdel")
        .order_by("kommun__lansdel__ordering", "kommun__name")
    )
    counts: dict[int | None, int] = dict(
        participants.filter(served(period))
        .values_list("kommun_id")
        .annotate(n=Count("pk"))
        .values_list("kommun_id", "n")
    )
    small = (lambda n: 0 < n < minimum) if minimum else (lambda n: False)

    def cost(rar: Decimal) -> Decimal:
        return period_budget * rar / rar_total

    def hidden_total(cells: list[int | None], total: int) -> int | None:
        """A total is hidden if it is small, or would give away the one hidden cell."""
        return None if small(total) or sum(c is None for c in cells) == 1 else total

    areas: dict[int | None, list[FinancingShare]] = defaultdict(list)
    for share in shares:
        areas[_kommun(share).lansdel_id].append(share)
    result: list[Area] = []
    for group in areas.values():
        raw = [counts.get(s.kommun_id, 0) for s in group]
        cells = suppress([raw], minimum)[0] if minimum else list(raw)
        lines = [
            Line(_kommun(s).name, s.cofinancing_percent, s.rar_percent, n, cost(s.rar_percent))
            for s, n in zip(group, cells, strict=True)
        ]
        area = Line(
            lansdel.name if (lansdel := _kommun(group[0]).lansdel) else "–",
            sum((s.cofinancing_percent for s in group), Decimal(0)),
            sum((s.rar_percent for s in group), Decimal(0)),
            hidden_total(cells, sum(raw)),
            sum((line.rar_cost for line in lines), Decimal(0)),
        )
        result.append(Area(area, lines))
    everyone = sum(counts.get(s.kommun_id, 0) for s in shares)
    total = Line(
        "",
        sum((a.line.cofinanced for a in result), Decimal(0)),
        sum((a.line.rar for a in result), Decimal(0)),
        hidden_total([a.line.participants for a in result], everyone),
        sum((a.line.rar_cost for a in result), Decimal(0)),
    )
    return Financing(
        period=period,
        budget=int(budget),
        period_budget=period_budget,
        areas=result,
        region=list(insats.financing_shares.filter(funder=FinancingShare.Funder.REGION)),
        total=total,
        totals=totals,
    )
