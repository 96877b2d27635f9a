"""Inline SVG charts, drawn in Python: no JavaScript library, no CDN, nothing to fetch.

Every chart is an `<svg class="chart">` with a viewBox (it scales with the page), one element per
data point (`class="point"` circles or `class="bar"` rects) with a `<title>` tooltip, and a
`data-points` attribute counting them. Values are plotted as given: the marts computed them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from mkpi.dashboard.formatting import is_missing

Formatter = Callable[[float], str]

FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"'
GRID = "#e6e8eb"
AXIS_TEXT = "#59636e"


@dataclass(frozen=True)
class Series:
    """One line, bar stack or dot colour: a name, a colour and values aligned with the x axis."""

    name: str
    color: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class ReferenceLine:
    """A horizontal (or, in dot plots, vertical) line at a threshold."""

    value: float
    label: str
    color: str


@dataclass
class Chart:
    """The SVG and the legend entries (rendered as HTML next to it)."""

    svg: str
    legend: list[tuple[str, str]] = field(default_factory=list)
    points: int = 0


def month_label(month: date, with_year: bool = True) -> str:
    return month.strftime("%b %y") if with_year else month.strftime("%b")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 x 10^k) covering [low, high]."""
    if math.isclose(low, high):
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw_step = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(
        (m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step), 10 * magnitude
    )
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
        if len(ticks) > 20:
            break
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _svg_open(width: int, height: int, chart_id: str, label: str, points: int) -> str:
    return (
        f'<svg class="chart" data-chart="{escape(chart_id)}" data-points="{points}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
    )


def _clean(values: Sequence[float | None]) -> list[float | None]:
    return [None if is_missing(value) else float(value) for value in values]  # type: ignore[arg-type]


def _x_labels(months: Sequence[date], x_of: Callable[[int], float], baseline: float) -> list[str]:
    step = max(1, math.ceil(len(months) / 8))
    parts = []
    for index, month in enumerate(months):
        if index % step:
            continue
        parts.append(
            f'<text x="{x_of(index):.1f}" y="{baseline + 16:.1f}" text-anchor="middle" '
            f'font-size="11" fill="{AXIS_TEXT}">{escape(month_label(month))}</text>'
        )
    return parts


def _y_axis(
    ticks: Sequence[float],
    y_of: Callable[[float], float],
    left: float,
    right: float,
    axis_format: Formatter,
) -> list[str]:
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{AXIS_TEXT}">{escape(axis_format(tick))}</text>'
        )
    return parts


def empty_chart(chart_id: str, message: str, width: int = 640, height: int = 120) -> Chart:
    """A placeholder with the reason there is nothing to draw (no SVG, so it counts no points)."""
    del width, height
    return Chart(
        svg=f'<div class="empty-chart" data-chart="{escape(chart_id)}">{escape(message)}</div>'
    )


def line_chart(
    chart_id: str,
    months: Sequence[date],
    series: Sequence[Series],
    value_format: Formatter,
    axis_format: Formatter,
    *,
    references: Sequence[ReferenceLine] = (),
    include_zero: bool = True,
    invert: bool = False,
    width: int = 640,
    height: int = 260,
) -> Chart:
    """Lines over months (gaps where a value is NULL), a dot per value, optional threshold lines."""
    cleaned = [(item, _clean(item.values)) for item in series]
    present = [value for _, values in cleaned for value in values if value is not None]
    if not months or not present:
        return empty_chart(chart_id, "No data for this chart yet", width)
    low = min([*present, *(line.value for line in references)])
    high = max([*present, *(line.value for line in references)])
    if include_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    ticks = nice_ticks(low, high)
    left, right, top, bottom = 58.0, width - 16.0, 14.0, height - 30.0
    span = ticks[-1] - ticks[0]

    def x_of(index: int) -> float:
        return left + (right - left) * (index / max(len(months) - 1, 1))

    def y_of(value: float) -> float:
        share = (value - ticks[0]) / span
        return top + (bottom - top) * share if invert else bottom - (bottom - top) * share

    parts = _y_axis(ticks, y_of, left, right, axis_format) + _x_labels(months, x_of, bottom)
    for number, line in enumerate(references):
        y = y_of(line.value)
        label_y = y - 4 if number == 0 else y + 12  # first label above its line, others below
        parts.append(
            f'<line class="threshold" x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{line.color}" stroke-dasharray="5 4" stroke-width="1.5"/>'
            f'<text x="{right - 4:.1f}" y="{label_y:.1f}" text-anchor="end" font-size="10" '
            f'fill="{line.color}">{escape(line.label)}</text>'
        )
    points = 0
    for item, values in cleaned:
        commands, pen_down = [], False
        for index, value in enumerate(values):
            if value is None:
                pen_down = False
                continue
            commands.append(f"{'L' if pen_down else 'M'}{x_of(index):.1f},{y_of(value):.1f}")
            pen_down = True
        parts.append(
            f'<path class="series" d="{" ".join(commands)}" fill="none" stroke="{item.color}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
        radius = 2.6 if len(months) <= 24 else 2.0
        for index, value in enumerate(values):
            if value is None:
                continue
            points += 1
            tip = f"{item.name} · {month_label(months[index])}: {value_format(value)}"
            parts.append(
                f'<circle class="point" cx="{x_of(index):.1f}" cy="{y_of(value):.1f}" '
                f'r="{radius}" fill="{item.color}"><title>{escape(tip)}</title></circle>'
            )
    svg = _svg_open(width, height, chart_id, chart_id, points) + "".join(parts) + "</svg>"
    return Chart(svg=svg, legend=[(item.name, item.color) for item in series], points=points)


def stacked_bar_chart(
    chart_id: str,
    months: Sequence[date],
    series: Sequence[Series],
    value_format: Formatter,
    axis_format: Formatter,
    *,
    net_label: str | None = None,
    width: int = 640,
    height: int = 260,
) -> Chart:
    """Bars per month, positive values stacked up and negative values stacked down from 0.

    With `net_label`, a dark tick marks each month's net (sum of all series)."""
    cleaned = [(item, _clean(item.values)) for item in series]
    if not months or not any(v is not None for _, values in cleaned for v in values):
        return empty_chart(chart_id, "No data for this chart yet", width)
    ups = [sum(max(values[i] or 0.0, 0.0) for _, values in cleaned) for i in range(len(months))]
    downs = [sum(min(values[i] or 0.0, 0.0) for _, values in cleaned) for i in range(len(months))]
    ticks = nice_ticks(min([*downs, 0.0]), max([*ups, 0.0]))
    left, right, top, bottom = 58.0, width - 16.0, 14.0, height - 30.0
    span = ticks[-1] - ticks[0]
    slot = (right - left) / len(months)
    bar_width = max(slot * 0.72, 1.0)

    def x_of(index: int) -> float:
        return left + slot * (index + 0.5)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - ticks[0]) / span

    parts = _y_axis(ticks, y_of, left, right, axis_format) + _x_labels(months, x_of, bottom)
    parts.append(
        f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y_of(0):.1f}" y2="{y_of(0):.1f}" '
        f'stroke="#8c959f"/>'
    )
    points = 0
    for index, month in enumerate(months):
        up, down = 0.0, 0.0
        for item, values in cleaned:
            value = values[index]
            if value is None or value == 0:
                continue
            if value > 0:
                y0, y1 = y_of(up + value), y_of(up)
                up += value
            else:
                y0, y1 = y_of(down), y_of(down + value)
                down += value
            points += 1
            tip = f"{item.name} · {month_label(month)}: {value_format(value)}"
            parts.append(
                f'<rect class="bar" x="{x_of(index) - bar_width / 2:.1f}" y="{y0:.1f}" '
                f'width="{bar_width:.1f}" height="{max(y1 - y0, 0.5):.1f}" fill="{item.color}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        if net_label is not None:
            net = up + down
            tip = f"{net_label} · {month_label(month)}: {value_format(net)}"
            parts.append(
                f'<rect class="net" x="{x_of(index) - bar_width / 2:.1f}" '
                f'y="{y_of(net) - 1.5:.1f}" width="{bar_width:.1f}" height="3" fill="#1f2328">'
                f"<title>{escape(tip)}</title></rect>"
            )
    legend = [(item.name, item.color) for item in series]
    if net_label is not None:
        legend.append((net_label, "#1f2328"))
    svg = _svg_open(width, height, chart_id, chart_id, points) + "".join(parts) + "</svg>"
    return Chart(svg=svg, legend=legend, points=points)


def dot_plot(
    chart_id: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_format: Formatter,
    axis_format: Formatter,
    *,
    references: Sequence[ReferenceLine] = (),
    width: int = 640,
) -> Chart:
    """One row per category, one dot per series on a shared horizontal value axis.

    Shows at a glance how far the series (e.g. attribution models) disagree for each row."""
    cleaned = [(item, _clean(item.values)) for item in series]
    present = [v for _, values in cleaned for v in values if v is not None]
    if not categories or not present:
        return empty_chart(chart_id, "No data for this chart yet", width)
    row_height = 24.0
    label_width = 170.0
    left, right, top = label_width, width - 16.0, 10.0
    bottom = top + row_height * len(categories)
    height = int(bottom + 30)
    ticks = nice_ticks(
        min([*present, *(line.value for line in references)]),
        max([*present, *(line.value for line in references)]),
    )
    span = ticks[-1] - ticks[0]

    def x_of(value: float) -> float:
        return left + (right - left) * (value - ticks[0]) / span

    parts = []
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{bottom + 16:.1f}" text-anchor="middle" font-size="11" '
            f'fill="{AXIS_TEXT}">{escape(axis_format(tick))}</text>'
        )
    for line in references:
        x = x_of(line.value)
        parts.append(
            f'<line class="threshold" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
            f'stroke="{line.color}" stroke-dasharray="5 4" stroke-width="1.5">'
            f"<title>{escape(line.label)}</title></line>"
        )
    points = 0
    for row, category in enumerate(categories):
        y = top + row_height * (row + 0.5)
        row_values = [value for _, values in cleaned if (value := values[row]) is not None]
        short = category if len(category) <= 26 else category[:25] + "…"
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1f2328"><title>{escape(category)}</title>{escape(short)}</text>'
        )
        if row_values:
            parts.append(
                f'<line x1="{x_of(min(row_values)):.1f}" x2="{x_of(max(row_values)):.1f}" '
                f'y1="{y:.1f}" y2="{y:.1f}" stroke="#afb8c1" stroke-width="6" '
                f'stroke-linecap="round" opacity="0.5"/>'
            )
        for item, values in cleaned:
            value = values[row]
            if value is None:
                continue
            points += 1
            tip = f"{category} · {item.name}: {value_format(value)}"
            parts.append(
                f'<circle class="point" cx="{x_of(value):.1f}" cy="{y:.1f}" r="5" '
                f'fill="{item.color}" stroke="#fff" stroke-width="1">'
                f"<title>{escape(tip)}</title></circle>"
            )
    svg = _svg_open(width, height, chart_id, chart_id, points) + "".join(parts) + "</svg>"
    return Chart(svg=svg, legend=[(item.name, item.color) for item in series], points=points)


def funnel_chart(
    chart_id: str,
    stages: Sequence[tuple[str, float | None]],
    value_format: Formatter,
    *,
    color: str = "#0969da",
    width: int = 640,
) -> Chart:
    """Horizontal bars, one per funnel stage, with the step conversion between stages."""
    values = _clean([value for _, value in stages])
    if not stages or not any(value for value in values):
        return empty_chart(chart_id, "No data for this chart yet", width)
    top_value = max(value or 0.0 for value in values)
    row_height, label_width = 34.0, 130.0
    left, right = label_width, width - 150.0
    height = int(row_height * len(stages) + 10)
    parts, points = [], 0
    previous: float | None = None
    for row, ((name, _), value) in enumerate(zip(stages, values, strict=True)):
        y = 5 + row * row_height
        bar = (right - left) * ((value or 0.0) / top_value) if top_value else 0.0
        points += 1
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + 19:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1f2328">{escape(name)}</text>'
            f'<rect class="bar" x="{left:.1f}" y="{y + 4:.1f}" width="{max(bar, 1.0):.1f}" '
            f'height="{row_height - 10:.1f}" rx="3" fill="{color}" '
            f'opacity="{1 - row * 0.12:.2f}"><title>{escape(name)}: '
            f"{escape(value_format(value) if value is not None else '–')}</title></rect>"
            f'<text x="{left + bar + 6:.1f}" y="{y + 19:.1f}" font-size="12" fill="#1f2328">'
            f"{escape(value_format(value) if value is not None else '–')}</text>"
        )
        if previous and value is not None:
            parts.append(
                f'<text x="{width - 10:.1f}" y="{y + 19:.1f}" text-anchor="end" font-size="11" '
                f'fill="{AXIS_TEXT}">{value / previous * 100:.1f}% of previous</text>'
            )
        previous = value
    svg = _svg_open(width, height, chart_id, chart_id, points) + "".join(parts) + "</svg>"
    return Chart(svg=svg, points=points)


def sparkline(
    values: Sequence[float | None], color: str, *, width: int = 132, height: int = 34
) -> str:
    """A tiny trend line with a dot on the latest value; empty string when nothing to draw."""
    cleaned = _clean(values)
    present = [value for value in cleaned if value is not None]
    if len(present) < 2:
        return ""
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    pad = 3.0

    def x_of(index: int) -> float:
        return pad + (width - 2 * pad) * index / max(len(cleaned) - 1, 1)

    def y_of(value: float) -> float:
        return height - pad - (height - 2 * pad) * (value - low) / span

    commands, pen_down, last = [], False, None
    for index, value in enumerate(cleaned):
        if value is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{x_of(index):.1f},{y_of(value):.1f}")
        pen_down, last = True, (index, value)
    dot = ""
    if last is not None:
        dot = (
            f'<circle class="point" cx="{x_of(last[0]):.1f}" cy="{y_of(last[1]):.1f}" r="2.5" '
            f'fill="{color}"/>'
        )
    return (
        f'<svg class="sparkline" data-points="{len(present)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="none" role="img" '
        f'aria-label="trend" xmlns="http://www.w3.org/2000/svg"><path d="{" ".join(commands)}" '
        f'fill="none" stroke="{color}" stroke-width="1.6" vector-effect="non-scaling-stroke"/>'
        f"{dot}</svg>"
    )


def _blend(low: str, high: str, share: float) -> str:
    """The colour `share` (0..1) of the way from `low` to `high` (#rrggbb)."""
    share = min(max(share, 0.0), 1.0)
    channels = [
        round(
            int(low[i : i + 2], 16) + (int(high[i : i + 2], 16) - int(low[i : i + 2], 16)) * share
        )
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def heatmap(
    chart_id: str,
    months: Sequence[date],
    rows: Sequence[Series],
    value_format: Formatter,
    *,
    width: int = 1280,
    low_color: str = "#eef4fb",
    high_color: str = "#0550ae",
) -> Chart:
    """Rows (e.g. channels) x months, each cell shaded by its value; latest value at the right.

    Readable where ten lines would tangle: rates and averages by channel."""
    cleaned = [(item, _clean(item.values)) for item in rows]
    present = [value for _, values in cleaned for value in values if value is not None]
    if not months or not present:
        return empty_chart(chart_id, "No data for this chart yet", width)
    low, high = min(present), max(present)
    span = (high - low) or 1.0
    label_width, value_width, row_height = 150.0, 80.0, 22.0
    left, right, top = label_width, width - value_width, 6.0
    bottom = top + row_height * len(rows)
    height = int(bottom + 26)
    cell_width = (right - left) / len(months)

    def x_of(index: int) -> float:
        return left + cell_width * (index + 0.5)

    parts = _x_labels(months, x_of, bottom - 2)
    points = 0
    for row, (item, values) in enumerate(cleaned):
        y = top + row * row_height
        parts.append(
            f'<text x="{left - 8:.1f}" y="{y + row_height / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12" fill="#1f2328">{escape(item.name)}</text>'
        )
        for index, value in enumerate(values):
            if value is None:
                fill, text = "#ffffff", "–"
            else:
                fill, text = (
                    _blend(low_color, high_color, (value - low) / span),
                    value_format(value),
                )
                points += 1
            parts.append(
                f'<rect class="cell{" point" if value is not None else ""}" '
                f'x="{left + cell_width * index + 0.5:.1f}" y="{y + 1:.1f}" '
                f'width="{max(cell_width - 1, 0.5):.1f}" height="{row_height - 2:.1f}" '
                f'fill="{fill}"><title>{escape(item.name)} · {escape(month_label(months[index]))}: '
                f"{escape(text)}</title></rect>"
            )
        latest = next((value for value in reversed(values) if value is not None), None)
        parts.append(
            f'<text x="{right + 8:.1f}" y="{y + row_height / 2 + 4:.1f}" font-size="12" '
            f'fill="#1f2328">{escape(value_format(latest) if latest is not None else "–")}</text>'
        )
    svg = _svg_open(width, height, chart_id, chart_id, points) + "".join(parts) + "</svg>"
    legend = [(f"low {value_format(low)}", low_color), (f"high {value_format(high)}", high_color)]
    return Chart(svg=svg, legend=legend, points=points)
