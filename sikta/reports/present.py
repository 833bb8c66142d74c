"""A figure made ready to show: suppressed where needed, with totals that give nothing away."""

from __future__ import annotations

from dataclasses import dataclass

from sikta.reports.aggregates import Figure
from sikta.reports.suppression import suppress


@dataclass
class Shown:
    figure: Figure
    rows: list[tuple[str, list[int | None], int | None]]
    totals: list[int | None]
    grand_total: int | None
    suppressed: bool
    bars: list[int]  # width 0–100 of each row's first measure, for the chart


def present(figure: Figure, *, minimum: int | None) -> Shown:
    """With `minimum`, small cells are hidden; a total whose line hides exactly one cell is
    hidden too, since it would give that cell away, and so is the grand total then."""
    values = [cells for _group, cells in figure.rows]
    if figure.describes_first:
        return _present_described(figure, minimum)
    cells = suppress(values, minimum) if minimum else [list(row) for row in values]

    def total(line_original: list[int], line_shown: list[int | None]) -> int | None:
        return None if sum(v is None for v in line_shown) == 1 else sum(line_original)

    rows = [
        (group, shown, total(list(original), shown) if figure.additive else None)
        for (group, original), shown in zip(figure.rows, cells, strict=True)
    ]
    columns = len(figure.columns)
    totals = [total([row[c] for row in values], [row[c] for row in cells]) for c in range(columns)]
    # With any row or column total hidden, the grand total minus the shown ones would give it.
    hidden_total = any(t is None for _g, _c, t in rows) or any(t is None for t in totals)
    grand = sum(sum(row) for row in values) if figure.additive and not hidden_total else None
    return Shown(figure, rows, totals, grand, bool(minimum), _bars(cells))


def _present_described(figure: Figure, minimum: int | None) -> Shown:
    """A count with figures that describe its group: a hidden count hides them too."""
    counts = [[cells[0]] for _group, cells in figure.rows]
    hidden = suppress(counts, minimum) if minimum else counts
    rows = [
        (group, list(cells) if shown[0] is not None else [None] * len(cells), None)
        for (group, cells), shown in zip(figure.rows, hidden, strict=True)
    ]
    overall = figure.overall or [0] * len(figure.columns)
    small = minimum is not None and 0 < overall[0] < minimum
    totals: list[int | None] = [None] * len(overall) if small else list(overall)
    return Shown(figure, rows, totals, None, bool(minimum), _bars([c for _g, c, _t in rows]))


def _bars(cells: list[list[int | None]]) -> list[int]:
    """Each row's first measure as a width 0–100 of the largest; a hidden one draws nothing."""
    first = [row[0] if row and row[0] is not None else 0 for row in cells]
    peak = max(first, default=0) or 1
    return [round(100 * v / peak) for v in first]
