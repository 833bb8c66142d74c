"""Small-cell suppression, with the edge cases that give a hidden cell away."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sikta.reports.aggregates import Figure
from sikta.reports.present import present
from sikta.reports.suppression import suppress


def test_small_cells_are_hidden_zeros_and_large_ones_shown() -> None:
    assert suppress([[0, 3, 7, 12]], 5) == [[0, None, None, 12]]  # 7: the next-smallest


def test_a_line_with_one_hidden_cell_hides_another() -> None:
    # Row 0 would hide only the 2, so its next-smallest (6) goes too; column 0 would then hide
    # only the 2, so the 9 goes; and so on until no line hides exactly one cell.
    table = [[2, 6, 10], [9, 8, 11]]
    shown = suppress(table, 5)
    assert shown[0][0] is None and shown[0][1] is None
    for line in [*shown, *zip(*shown, strict=True)]:
        assert sum(v is None for v in line) != 1


def test_nothing_to_hide_changes_nothing() -> None:
    assert suppress([[5, 6], [0, 9]], 5) == [[5, 6], [0, 9]]


@given(st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=1, max_size=5))
def test_no_line_ever_hides_exactly_one_cell_unless_nothing_else_can_go(table) -> None:
    shown = suppress(table, 5)
    for r, row in enumerate(shown):
        for c, value in enumerate(row):
            assert value is None or not 0 < value < 5
            assert value is None or value == table[r][c]
    lines = [
        list(zip(row, shown_row, strict=True)) for row, shown_row in zip(table, shown, strict=True)
    ]
    lines += [
        list(zip(col, shown_col, strict=True))
        for col, shown_col in zip(zip(*table, strict=True), zip(*shown, strict=True), strict=True)
    ]
    for line in lines:
        hidden = sum(v is None for _o, v in line)
        if hidden == 1:
            assert all(o == 0 for o, v in line if v is not None)  # nothing else could go


def test_a_total_that_would_give_a_cell_away_is_hidden() -> None:
    # Row "B" hides its only small cell and has nothing else non-zero to hide.
    figure = Figure("x", "x", ["a", "b"], [("A", [7, 8]), ("B", [3, 0])], additive=True)
    shown = present(figure, minimum=5)
    assert shown.rows[1] == ("B", [None, 0], None)
    # Column a: 7 is hidden too (secondary), so its total may be shown: 10 reveals neither.
    assert shown.rows[0][1][0] is None and shown.totals[0] == 10
    # Row B hides exactly one cell: its total (3) would give it away.
    assert shown.grand_total is None  # 18 − 15 (row A) would give row B's 3 away
    figure_all = present(figure, minimum=None)
    assert figure_all.rows[1] == ("B", [3, 0], 3) and figure_all.grand_total == 18
