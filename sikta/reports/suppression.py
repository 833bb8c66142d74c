"""Small-cell suppression for tables shown to roles that may not see persons.

A count below the minimum (but above zero) is hidden: a cell, a row total, a column total or
the grand total alike (primary suppression, shown as "<5"). So that a hidden count cannot be
worked out from what is shown, each line (a row with its total, a column with its total) that
would hide exactly one count hides its next-smallest non-zero count too, and where the shown
counts still determine a hidden one through several lines together (linear algebra over the
table's sums), one more is hidden; this repeats until no hidden count can be worked out. Such
a count hidden only to protect another is shown as "–" (secondary suppression), never as "<5":
it may be large.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

Table = list[list[int]]
Key = tuple[Hashable, ...]
# The functions below take any hashable key: a caller's own key type comes back.
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Hidden:
    """A count that is not shown. `secondary`: hidden only so that another cannot be derived."""

    secondary: bool
    minimum: int

    def __str__(self) -> str:
        return "–" if self.secondary else f"<{self.minimum}"


def hidden_label(value: int, minimum: int) -> Hidden:
    """How a hidden count is labelled: "<5" only when it really is below the minimum."""
    return Hidden(secondary=not 0 < value < minimum, minimum=minimum)


def hide(
    values: dict[K, int],
    lines: Sequence[Sequence[tuple[K, int]]],
    minimum: int,
    *,
    keep: frozenset[K] = frozenset(),
    fixed: frozenset[K] = frozenset(),
) -> set[K]:
    """The keys to hide. `lines` are the sums of the table: each a list of (key, coefficient)
    whose weighted values add up to zero (a row's cells +1, its total −1). A count in `keep` is
    preferred shown: it is hidden when it is small itself, and to protect another only when
    nothing else can be. A count in `fixed` is published elsewhere as it is (the goal figure):
    it is never hidden unless small, and what it gives away by itself is not hidden for."""
    small = {k for k, v in values.items() if 0 < v < minimum}
    fixed = frozenset(fixed - small)
    hidden = _line_rule(values, lines, small, keep, fixed)
    inherent: set[K] = set()
    while derivable := determined(hidden, lines) - inherent:
        found = [
            k
            for key in derivable
            for line in lines
            if any(k == key for k, _ in line)
            for k, _c in line
            if k not in hidden and values[k] > 0 and k not in fixed
        ]
        if not found:
            inherent |= derivable  # given away by the published counts themselves
            continue
        hidden = _line_rule(values, lines, hidden | {_choose(found, values, keep)}, keep, fixed)
    return hidden


def _choose(candidates: Sequence[K], values: dict[K, int], keep: frozenset[K]) -> K:
    """The count to hide to protect another: the smallest, one not published elsewhere first."""
    return min(candidates, key=lambda k: (k in keep, values[k]))


def determined(hidden: set[K], lines: Sequence[Sequence[tuple[K, int]]]) -> set[K]:
    """The hidden keys whose value the sums fix, given every other value: those whose
    column cannot be dropped from the hidden part of the system without losing rank."""
    unknowns = sorted(hidden, key=repr)
    matrix = [[dict(line).get(k, 0) for k in unknowns] for line in lines]
    matrix = [row for row in matrix if any(row)]
    if not matrix:
        return set()
    full = _rank(matrix)
    return {
        k
        for i, k in enumerate(unknowns)
        if _rank([row[:i] + row[i + 1 :] for row in matrix]) < full
    }


def _rank(matrix: list[list[int]]) -> int:
    rows = [[Fraction(v) for v in row] for row in matrix]
    rank = 0
    columns = len(rows[0]) if rows else 0
    for c in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][c] != 0:
                factor = rows[r][c] / rows[rank][c]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


@dataclass
class Suppressed:
    cells: list[list[int | Hidden]]
    row_totals: list[int | Hidden]  # empty when the rows have no totals
    column_totals: list[int | Hidden]  # empty when the columns have no totals
    grand_total: int | Hidden | None  # only with both kinds of totals


def suppress_table(
    table: Sequence[Sequence[int]],
    minimum: int | None,
    *,
    row_totals: bool,
    column_totals: bool = True,
) -> Suppressed:
    """A table with its totals, small counts hidden and nothing hidden derivable.

    Rows whose measures do not add up (enrolled, active) get `row_totals=False`: no sum ties
    their cells together, so nothing is hidden along them."""
    rows, columns = len(table), max((len(r) for r in table), default=0)
    values: dict[Key, int] = {}
    for r, row in enumerate(table):
        for c in range(columns):
            values[("cell", r, c)] = row[c] if c < len(row) else 0
    lines: list[list[tuple[Key, int]]] = []
    if row_totals:
        for r in range(rows):
            values[("row", r)] = sum(values[("cell", r, c)] for c in range(columns))
            lines.append([*((("cell", r, c), 1) for c in range(columns)), (("row", r), -1)])
    if column_totals:
        for c in range(columns):
            values[("col", c)] = sum(values[("cell", r, c)] for r in range(rows))
            lines.append([*((("cell", r, c), 1) for r in range(rows)), (("col", c), -1)])
    if row_totals and column_totals:
        values[("all",)] = sum(values[("row", r)] for r in range(rows))
        lines.append([*((("row", r), 1) for r in range(rows)), (("all",), -1)])
        lines.append([*((("col", c), 1) for c in range(columns)), (("all",), -1)])
    hidden = hide(values, lines, minimum) if minimum and minimum > 1 else set()

    def shown(key: Key) -> int | Hidden:
        return hidden_label(values[key], minimum or 0) if key in hidden else values[key]

    return Suppressed(
        cells=[[shown(("cell", r, c)) for c in range(columns)] for r in range(rows)],
        row_totals=[shown(("row", r)) for r in range(rows)] if row_totals else [],
        column_totals=[shown(("col", c)) for c in range(columns)] if column_totals else [],
        grand_total=shown(("all",)) if row_totals and column_totals else None,
    )


def suppress(table: Sequence[Sequence[int]], minimum: int) -> list[list[int | None]]:
    """The table with hidden cells as None, its lines being its rows and columns as given
    (the caller has put any totals into the table itself)."""
    values = {("cell", r, c): v for r, row in enumerate(table) for c, v in enumerate(row)}
    lines = [[(("cell", r, c), 1) for c in range(len(row))] for r, row in enumerate(table)]
    columns = max((len(row) for row in table), default=0)
    lines += [
        [(("cell", r, c), 1) for r in range(len(table)) if c < len(table[r])]
        for c in range(columns)
    ]
    # Without signs the rows and columns are no sums: only the line rule applies to them.
    hidden = _line_rule(values, lines, {k for k, v in values.items() if 0 < v < minimum})
    return [
        [None if ("cell", r, c) in hidden else v for c, v in enumerate(row)]
        for r, row in enumerate(table)
    ]


def _line_rule(
    values: dict[K, int],
    lines: Sequence[Sequence[tuple[K, int]]],
    hidden: set[K],
    keep: frozenset[K] = frozenset(),
    fixed: frozenset[K] = frozenset(),
) -> set[K]:
    """`hidden` grown until no line hides exactly one count (while another could go)."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(k in hidden for k, _c in line) != 1:
                continue
            others = [k for k, _c in line if k not in hidden and values[k] > 0 and k not in fixed]
            if others:
                hidden.add(_choose(others, values, keep))
                changed = True
    return hidden
