"""A figure made ready to show: suppressed where needed, with totals that give nothing away."""

from __future__ import annotations

from dataclasses import dataclass

from sikta.reports.aggregates import Figure
from sikta.reports.charts import Bar, Chart, bar_chart
from sikta.reports.suppression import Hidden, suppress_table

Shown_ = int | Hidden


@dataclass
class Shown:
    figure: Figure
    rows: list[tuple[str, list[Shown_], Shown_ | None]]
    totals: list[Shown_]
    grand_total: Shown_ | None
    suppressed: bool

    @property
    def secondary(self) -> bool:
        """Whether any count is hidden only to protect another (shown as "–")."""
        shown = [c for _g, cells, t in self.rows for c in [*cells, t]]
        shown += [*self.totals, self.grand_total]
        return any(isinstance(v, Hidden) and v.secondary for v in shown)

    @property
    def chart(self) -> Chart:
        """Each group's first measure as a bar, on an axis of its own; a hidden one draws none."""
        measure = self.figure.columns[0] if self.figure.columns else ""
        title = f"{self.figure.title}: {measure}"
        bars = [
            Bar(group, None if isinstance(cells[0], Hidden) else cells[0], str(cells[0]))
            for group, cells, _total in self.rows
            if cells
        ]
        return Chart(title, bar_chart(bars, title=title))


def present(figure: Figure, *, minimum: int | None) -> Shown:
    """With `minimum`, small counts are hidden — cells and totals alike — and so is whatever
    would let a hidden count be worked out (sikta.reports.suppression)."""
    if figure.describes_first:
        return _present_described(figure, minimum)
    values = [list(cells) for _group, cells in figure.rows]
    table = suppress_table(values, minimum, row_totals=figure.additive)
    rows = [
        (group, cells, table.row_totals[i] if figure.additive else None)
        for i, ((group, _values), cells) in enumerate(zip(figure.rows, table.cells, strict=True))
    ]
    return Shown(figure, rows, table.column_totals, table.grand_total, bool(minimum))


def _present_described(figure: Figure, minimum: int | None) -> Shown:
    """A count with figures that describe its group: a hidden count hides them too."""
    counts = [[cells[0]] for _group, cells in figure.rows]
    table = suppress_table(counts, minimum, row_totals=False)
    rows: list[tuple[str, list[Shown_], Shown_ | None]] = []
    for (group, cells), (count,) in zip(figure.rows, table.cells, strict=True):
        if isinstance(count, Hidden):
            rows.append((group, [count, *(Hidden(True, count.minimum) for _ in cells[1:])], None))
        else:
            rows.append((group, list(cells), None))
    overall = figure.overall or [0] * len(figure.columns)
    total = table.column_totals[0] if table.column_totals else overall[0]
    totals: list[Shown_] = (
        [total, *(Hidden(True, total.minimum) for _ in overall[1:])]
        if isinstance(total, Hidden)
        else list(overall)
    )
    return Shown(figure, rows, totals, None, bool(minimum))
