"""Charts as inline SVG, drawn on the server: one helper for the dashboard and the PDF.

Each chart has a value axis with its scale, prints every number beside its bar (readable on
paper and without colour), and is shown next to the table of the same numbers, which is what a
screen reader reads. No script, nothing fetched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass
class Bar:
    label: str
    value: int | None  # None: hidden, no bar
    text: str


@dataclass
class Chart:
    title: str
    svg: SafeString


_WIDTH, _LABEL, _BAR, _ROW, _AXIS = 620, 280, 270, 22, 20


def ticks(peak: int) -> list[int]:
    """Round values for the axis from 0 to at least `peak`: steps of 1, 2 or 5 times a power of
    ten, at most six ticks."""
    peak = max(peak, 1)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if peak <= 5 * step:
                top = -(-peak // step) * step
                return list(range(0, top + 1, step))
        power *= 10


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    maximum: int | None = None,
    unit: str = "",
    goal: int | None = None,
    goal_label: str = "",
) -> SafeString:
    """Horizontal bars with a value axis below; `maximum` fixes the scale (100 for shares),
    `goal` draws a dashed target line with its label."""
    scale = ticks(maximum or max((b.value or 0 for b in bars), default=0))
    peak = scale[-1]
    top = 18 if goal is not None else 4
    plot_bottom = top + _ROW * len(bars)
    height = plot_bottom + _AXIS + 4

    def x_of(value: int) -> int:
        return _LABEL + round(_BAR * value / peak)

    def row(i: int, bar: Bar) -> SafeString:
        y = top + i * _ROW
        width = x_of(bar.value or 0) - _LABEL
        return format_html(
            '<text x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="14" fill="#005a8c"></rect>'
            '<text x="{}" y="{}">{}</text>',
            _LABEL - 8,
            y + 12,
            _truncate(bar.label),
            _LABEL,
            y + 1,
            width,
            _LABEL + width + 6,
            y + 12,
            bar.text,
        )

    def tick(value: int) -> SafeString:
        x = x_of(value)
        return format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#c8d0d8" stroke-width="0.75"></line>'
            '<text x="{}" y="{}" text-anchor="middle" fill="#444">{}</text>',
            x,
            top,
            x,
            plot_bottom + 3,
            x,
            plot_bottom + 15,
            number_format(value) + unit,
        )

    axis = format_html(
        '<g class="axis">{}<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#444"></line></g>',
        format_html_join("", "{}", ((tick(v),) for v in scale)),
        _LABEL,
        plot_bottom,
        _LABEL + _BAR,
        plot_bottom,
    )
    goal_line = SafeString("")
    if goal is not None:
        x = x_of(goal)
        goal_line = format_html(
            '<line x1="{}" y1="12" x2="{}" y2="{}" stroke="#111" stroke-width="1.5" '
            'stroke-dasharray="4 3"></line><text x="{}" y="10" text-anchor="end">{}</text>',
            x,
            x,
            plot_bottom,
            x,
            goal_label,
        )
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{}" height="{}" '
        'viewBox="0 0 {} {}" font-family="DejaVu Sans, sans-serif" font-size="11" fill="#111">'
        "<title>{}</title>{}{}{}</svg>",
        _WIDTH,
        height,
        _WIDTH,
        height,
        title,
        axis,
        format_html_join("", "{}", ((row(i, b),) for i, b in enumerate(bars))),
        goal_line,
    )


def _truncate(label: str, length: int = 46) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"
