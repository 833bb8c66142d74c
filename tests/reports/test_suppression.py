"""Small-cell suppression, with the edge cases that give a hidden cell away."""

from __future__ import annotations

from hypothesis import given, strategies as st

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
    figure = Figure("x", "x", ["a", "b"], [("A", [7, 8]), ("B", [3, 0])], additive=True)
    shown = present(figure, minimum=5)
    group, cells, total = shown.rows[1]
    # Row B's 3 and its total 3 are small: "<5"; its 0 gives nothing away.
    assert [str(c) for c in cells] == ["<5", "0"] and str(total) == "<5"
    # What would let the 3 be worked out (column a's 7, row A's total 15) is hidden as "–",
    # never "<5": they are not small. 8, 10 and 18 then give nothing away.
    assert [str(c) for c in shown.rows[0][1]] == ["–", "8"] and str(shown.rows[0][2]) == "–"
    assert shown.totals == [10, 8] and shown.grand_total == 18
    assert shown.secondary
    figure_all = present(figure, minimum=None)
    assert figure_all.rows[1] == ("B", [3, 0], 3) and figure_all.grand_total == 18


def test_a_row_total_below_the_minimum_is_hidden() -> None:
    """The defect: "Eskilstuna … Totalt 2" was shown though both its cells were hidden."""
    figure = Figure(
        "x", "x", ["a", "b"], [("Eskilstuna", [1, 1]), ("Nyköping", [9, 12])], additive=True
    )
    shown = present(figure, minimum=5)
    assert str(shown.rows[0][2]) == "<5"


def test_measures_that_do_not_add_up_hide_nothing_along_their_row() -> None:
    """Discharged, to a destination and longer than a year are no sum: a hidden 2 of the last
    does not hide the 10 beside it (the lägesrapport's "gick <5 vidare")."""
    figure = Figure("x", "x", ["exits", "destination", "over year"], [("Alla", [14, 10, 2])])
    shown = present(figure, minimum=5)
    assert [str(c) for c in shown.rows[0][1]] == ["14", "10", "<5"]
    assert [str(t) for t in shown.totals] == ["14", "10", "<5"]


def _lines_of(table, *, row_totals: bool):
    """The table's sums, built here from the shown figure (not from the module's own)."""
    rows, columns = len(table), len(table[0])
    lines = []
    if row_totals:
        lines += [
            [(("cell", r, c), 1) for c in range(columns)] + [(("row", r), -1)] for r in range(rows)
        ]
    lines += [
        [(("cell", r, c), 1) for r in range(rows)] + [(("col", c), -1)] for c in range(columns)
    ]
    if row_totals:
        lines.append([(("row", r), 1) for r in range(rows)] + [(("all",), -1)])
        lines.append([(("col", c), 1) for c in range(columns)] + [(("all",), -1)])
    return lines


@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.lists(st.integers(0, 14), min_size=width, max_size=width), min_size=1, max_size=6
        )
    ),
    st.booleans(),
)
def test_the_suppression_invariant(table, additive) -> None:
    """For any table: no shown count is 1–4 (cells, row and column totals, grand total); "<5"
    labels only counts that are 1–4; and no hidden count can be worked out from the shown ones
    through the table's sums."""
    from sikta.reports.suppression import Hidden, determined

    figure = Figure(
        "x",
        "x",
        [str(c) for c in range(len(table[0]))],
        [(str(r), row) for r, row in enumerate(table)],
        additive=additive,
    )
    shown = present(figure, minimum=5)
    entries = {}
    for r, (_g, cells, total) in enumerate(shown.rows):
        entries |= {("cell", r, c): (v, table[r][c]) for c, v in enumerate(cells)}
        if additive:
            entries[("row", r)] = (total, sum(table[r]))
    for c, t in enumerate(shown.totals):
        entries[("col", c)] = (t, sum(row[c] for row in table))
    if additive:
        entries[("all",)] = (shown.grand_total, sum(map(sum, table)))
    for value, true in entries.values():
        if isinstance(value, Hidden):
            assert value.secondary == (not 0 < true < 5)  # "<5" only for what is below 5
        else:
            assert value == true and not 0 < value < 5
    hidden = {k for k, (v, _t) in entries.items() if isinstance(v, Hidden)}
    assert not determined(hidden, _lines_of(table, row_totals=additive))


def test_the_derivability_check_sees_a_lone_hidden_cell() -> None:
    from sikta.reports.suppression import determined

    lines = _lines_of([[3, 9], [8, 7]], row_totals=True)
    assert determined({("cell", 0, 0)}, lines) == {("cell", 0, 0)}
    # A rectangle of four hidden cells leaves one degree of freedom: none is fixed.
    rectangle = {("cell", 0, 0), ("cell", 0, 1), ("cell", 1, 0), ("cell", 1, 1)}
    assert determined(rectangle, lines) == set()
