"""The caseload table on the dashboard and the start pages is bounded: beyond CASELOAD_ROWS
caseworkers it shows the first ones and says how many there are in all."""

from __future__ import annotations

import pytest

from sikta.participants import selectors
from tests.conftest import Personas


def test_the_caseload_table_counts_everyone(personas: Personas) -> None:
    table = personas.client("insatsledare").get("/rapporter/").context["caseloads"]
    assert {m.first_name: m.active_count for m in table.rows}["coach_sodra"] == 1
    assert table.total == len(table.rows) and not table.cut


def test_a_long_caseload_table_is_cut_and_says_so(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "CASELOAD_ROWS", 1)
    response = personas.client("insatsledare").get("/rapporter/")
    table = response.context["caseloads"]
    assert len(table.rows) == 1 and table.total > 1 and table.cut
    text = response.content.decode()
    assert f"De 1 första av {table.total} coacher och koordinatorer" in text
