"""The charts: a value axis with a round scale on every chart, flows and stocks apart in the
lägesrapport, a chart beside every table on the dashboard, a hidden count drawn as no bar."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation
from hypothesis import given, strategies as st

from sikta.reports import lagesrapport
from sikta.reports.charts import Bar, bar_chart, ticks
from tests.conftest import Personas
from tests.factories import ParticipantFactory


@given(st.integers(min_value=0, max_value=10_000_000))
def test_the_scale_is_round_and_covers_the_largest_value(peak: int) -> None:
    scale = ticks(peak)
    assert scale[0] == 0 and scale[-1] >= peak and 2 <= len(scale) <= 6
    step = scale[1]
    assert all(b - a == step for a, b in zip(scale, scale[1:], strict=False))
    assert str(step).rstrip("0") in {"1", "2", "5"}  # 1, 2 or 5 times a power of ten
    assert scale[-1] - step < max(peak, 1)  # no empty step at the end


def tick_labels(svg: str) -> list[str]:
    axis = re.search(r'<g class="axis">(.*?)</g>', svg).group(1)
    return re.findall(r'text-anchor="middle"[^>]*>([^<]*)</text>', axis)


def test_a_chart_has_an_axis_and_a_number_by_every_bar() -> None:
    svg = bar_chart(
        [Bar("Södra", 37, "37"), Bar("Norra", None, "<5"), Bar("Västra", 12, "12")], title="T"
    )
    assert tick_labels(svg) == ["0", "10", "20", "30", "40"]
    assert ">37<" in svg and "&lt;5" in svg and ">12<" in svg
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths[1] == 0  # the hidden count draws no bar
    assert widths[0] == round(270 * 37 / 40)


def test_a_share_chart_runs_to_100_percent_with_its_target_line() -> None:
    svg = bar_chart(
        [Bar("2026 K1", 40, "40\xa0%")],
        title="T",
        maximum=100,
        unit="\xa0%",
        goal=100,
        goal_label="Mål: 100 %",
    )
    assert tick_labels(svg)[-1] == "100\xa0%"
    assert 'stroke-dasharray="4 3"' in svg and "Mål: 100 %" in svg


@pytest.mark.django_db
def test_the_status_report_draws_flows_and_stocks_on_scales_of_their_own(
    personas: Personas,
) -> None:
    for _ in range(30):
        ParticipantFactory(start_date=dt.date(2026, 2, 1))
    with translation.override("sv"):
        data = lagesrapport.status_report_data(
            None, (dt.date(2026, 1, 1), dt.date(2026, 6, 30)), minimum=5
        )
        flow, stock = str(data.flow_chart.svg), str(data.stock_chart.svg)
        enrolled = str(lagesrapport.MEASURES["enrolled"])
        active = str(lagesrapport.MEASURES["active"])
    assert enrolled in flow and enrolled not in stock
    assert active in stock and active not in flow
    assert tick_labels(flow) and tick_labels(stock)


@pytest.mark.django_db
def test_every_table_on_the_dashboard_has_its_chart(personas: Personas) -> None:
    for _ in range(12):
        ParticipantFactory(start_date=dt.date(2026, 2, 1))
    response = personas.client("insatsledare").get(
        "/rapporter/", {"date_from": "2026-01-01", "date_to": "2026-06-30", "by": "lansdel"}
    )
    page = response.content.decode()
    tables = page.count('<table class="report">')
    charts = page.count('<svg class="chart"')
    # Every figure with rows has a chart; the goal trend one more; the surveys' have none.
    figures = [s for s in response.context["figures"] if s.rows]
    assert figures
    assert charts == len(figures) + 1 and tables >= charts
    assert page.count('<g class="axis">') == charts
    assert '<svg class="bar"' not in page  # the axis-less row bars are gone
