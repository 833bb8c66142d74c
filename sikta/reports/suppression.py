"""Small-cell suppression for tables shown to roles that may not see persons.

A cell below the minimum (but above zero) is hidden. So that a hidden cell cannot be worked
out from a total, a row or column that would hide exactly one cell hides its next-smallest
non-zero cell too (secondary suppression); this repeats until nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

Table = list[list[int]]


def suppress(table: Sequence[Sequence[int]], minimum: int) -> list[list[int | None]]:
    """The table with hidden cells as None. Totals are the caller's: compute them from the
    original only where no cell of that row or column is hidden."""
    hidden = {
        (r, c) for r, row in enumerate(table) for c, value in enumerate(row) if 0 < value < minimum
    }
    changed = True
    while changed:
        changed = False
        lines = [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
        columns = max((len(row) for row in table), default=0)
        lines += [[(r, c) for r in range(len(table)) if c < len(table[r])] for c in range(columns)]
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            others = [cell for cell in line if cell not in hidden and table[cell[0]][cell[1]] > 0]
            if others:
                hidden.add(min(others, key=lambda cell: table[cell[0]][cell[1]]))
                changed = True
    return [
        [None if (r, c) in hidden else value for c, value in enumerate(row)]
        for r, row in enumerate(table)
    ]
