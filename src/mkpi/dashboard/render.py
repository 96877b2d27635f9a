"""Compose the dashboard page: one self-contained HTML string (inline CSS, SVG, a little JS).

The page reads like the funnel: top (traffic and visibility), middle (lead generation and
qualification), bottom (conversion and business results), then data health. Every number comes
from the marts as computed; the only arithmetic here is summing the additive numerator and
denominator columns of fct_kpis over a window (campaign ROI over the last 12 months).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from typing import Any

import pandas as pd

from mkpi.dashboard import charts
from mkpi.dashboard.assets import CSS, JS
from mkpi.dashboard.data import DashboardData
from mkpi.dashboard.formatting import (
    axis_label,
    format_change,
    format_value,
    is_missing,
    style_of,
)
from mkpi.dashboard.layout import (
    FUNNEL_STAGES,
    MRR_COLORS,
    MRR_MOVEMENTS,
    OPERATOR_SYMBOLS,
    STATUS_COLORS,
    TIERS,
    TierSpec,
    TrendSpec,
    channel_color,
    channel_sort_key,
    model_color,
    model_sort_key,
)

WIDE = (1280, 320)
TREND_COLORS = ("#0969da", "#fb8500", "#1a7f37", "#8250df")


@dataclass(frozen=True)
class Options:
    currency: str = "EUR"
    top_campaigns: int = 10
    campaign_window_months: int = 12
    sparkline_months: int = 24
    attribution_model: str | None = None  # None: the scorecard's (var default_attribution_model)
    generated_at: datetime | None = None


@dataclass(frozen=True)
class KpiMeta:
    kpi: str
    label: str
    unit: str
    direction: str
    tier: str | None
    family: str | None
    kind: str = "ratio"
    healthy_operator: str | None = None
    healthy_threshold: float | None = None
    critical_operator: str | None = None
    critical_threshold: float | None = None

    @property
    def style(self) -> str:
        return style_of(self.kpi, self.unit)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _kpi_meta_from_row(row: Mapping[Hashable, Any]) -> KpiMeta:
    """A KPI's metadata from a dim_kpis or scorecard row (either carries the catalog columns)."""
    return KpiMeta(
        kpi=row["kpi"],
        label=_text(row.get("label")) or row["kpi"],
        unit=_text(row.get("unit")) or "number",
        direction=_text(row.get("direction")) or "neutral",
        tier=_text(row.get("funnel_tier")),
        family=_text(row.get("family")),
        kind=_text(row.get("kind")) or "ratio",
        healthy_operator=_text(row.get("healthy_operator")),
        healthy_threshold=_number(row.get("healthy_threshold")),
        critical_operator=_text(row.get("critical_operator")),
        critical_threshold=_number(row.get("critical_threshold")),
    )


class Page:
    """The data, indexed for the page's questions."""

    def __init__(self, data: DashboardData, options: Options) -> None:
        self.data = data
        self.options = options
        self.months: list[date] = data.months
        self.latest: date | None = self.months[-1] if self.months else None
        self.meta = self._kpi_meta()
        self.model = options.attribution_model or self._scorecard_model() or "w_shaped"

    # ------------------------------------------------------------------ metadata
    def _kpi_meta(self) -> dict[str, KpiMeta]:
        meta: dict[str, KpiMeta] = {}
        definitions = self.data.definitions
        if definitions is not None:
            for row in definitions.to_dict("records"):
                meta[row["kpi"]] = _kpi_meta_from_row(row)
        scorecard = self.data.scorecard
        if scorecard is not None:
            for row in scorecard.drop_duplicates("kpi").to_dict("records"):
                if row["kpi"] in meta:
                    continue
                meta[row["kpi"]] = _kpi_meta_from_row(row)
        return meta

    def kpi(self, name: str) -> KpiMeta:
        return self.meta.get(
            name,
            KpiMeta(
                kpi=name, label=name, unit="number", direction="neutral", tier=None, family=None
            ),
        )

    def _scorecard_model(self) -> str | None:
        scorecard = self.data.scorecard
        if scorecard is None or "attribution_model" not in scorecard.columns:
            return None
        models = scorecard["attribution_model"].dropna().unique().tolist()
        return str(models[0]) if models else None

    def fmt(self, name: str, *, compact: bool = True) -> Callable[[float | None], str]:
        style = self.kpi(name).style
        return lambda value: format_value(value, style, self.options.currency, compact=compact)

    def axis(self, name: str) -> Callable[[float], str]:
        style = self.kpi(name).style
        return lambda value: axis_label(value, style, self.options.currency)

    # ------------------------------------------------------------------ values
    def _rows(self, kpi: str, dimension: str) -> pd.DataFrame:
        """fct_kpis rows of one KPI and dimension (default attribution model for channels)."""
        kpis = self.data.kpis
        if kpis is None or kpis.empty:
            return pd.DataFrame(columns=["month", "dimension_value", "value"])
        rows = kpis[(kpis["kpi"] == kpi) & (kpis["dimension"] == dimension)]
        if dimension == "total":
            rows = rows[rows["attribution_model"].isna()]
        elif rows["attribution_model"].notna().any():
            rows = rows[rows["attribution_model"] == self.model]
        return rows

    def total_series(self, kpi: str) -> list[float | None]:
        rows = self._rows(kpi, "total")
        by_month = {row.month: _number(row.value) for row in rows.itertuples()}
        return [by_month.get(month) for month in self.months]

    def has_total(self, kpi: str) -> bool:
        return any(value is not None for value in self.total_series(kpi))

    def channel_series(self, kpi: str) -> dict[str, list[float | None]]:
        rows = self._rows(kpi, "channel")
        series: dict[str, list[float | None]] = {}
        for channel, group in rows.groupby("dimension_value"):
            by_month = {row.month: _number(row.value) for row in group.itertuples()}
            values = [by_month.get(month) for month in self.months]
            if any(value not in (None, 0.0) for value in values):
                series[str(channel)] = values
        return dict(sorted(series.items(), key=lambda item: channel_sort_key(item[0])))

    def latest_scorecard(self, kpi: str) -> dict[str, Any] | None:
        scorecard = self.data.scorecard
        if scorecard is None or self.latest is None:
            return None
        rows = scorecard[
            (scorecard["kpi"] == kpi)
            & (scorecard["dimension"] == "total")
            & (scorecard["month"] == self.latest)
        ]
        return {str(key): value for key, value in rows.iloc[0].items()} if len(rows) else None


# ---------------------------------------------------------------------- building blocks
def _threshold_text(meta: KpiMeta, page: Page) -> str:
    fmt = page.fmt(meta.kpi)
    parts = []
    if meta.healthy_operator and meta.healthy_threshold is not None:
        symbol = OPERATOR_SYMBOLS.get(meta.healthy_operator, meta.healthy_operator)
        parts.append(f"healthy {symbol} {fmt(meta.healthy_threshold)}")
    if meta.critical_operator and meta.critical_threshold is not None:
        symbol = OPERATOR_SYMBOLS.get(meta.critical_operator, meta.critical_operator)
        parts.append(f"critical {symbol} {fmt(meta.critical_threshold)}")
    return ", ".join(parts)


def _references(meta: KpiMeta, page: Page) -> list[charts.ReferenceLine]:
    fmt = page.fmt(meta.kpi)
    lines = []
    if meta.healthy_threshold is not None and meta.healthy_operator:
        symbol = OPERATOR_SYMBOLS.get(meta.healthy_operator, "")
        lines.append(
            charts.ReferenceLine(
                meta.healthy_threshold,
                f"healthy {symbol} {fmt(meta.healthy_threshold)}",
                STATUS_COLORS["healthy"],
            )
        )
    if meta.critical_threshold is not None and meta.critical_operator:
        symbol = OPERATOR_SYMBOLS.get(meta.critical_operator, "")
        lines.append(
            charts.ReferenceLine(
                meta.critical_threshold,
                f"critical {symbol} {fmt(meta.critical_threshold)}",
                STATUS_COLORS["critical"],
            )
        )
    return lines


def _legend(entries: Sequence[tuple[str, str]]) -> str:
    if not entries:
        return ""
    items = "".join(
        f'<li><span class="swatch" style="background:{color}"></span>{escape(name)}</li>'
        for name, color in entries
    )
    return f'<ul class="legend">{items}</ul>'


def _panel(title: str, chart: charts.Chart, note: str = "", wide: bool = False) -> str:
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return (
        f'<figure class="panel{" wide" if wide else ""}"><figcaption>{escape(title)}</figcaption>'
        f"{chart.svg}{_legend(chart.legend)}{note_html}</figure>"
    )


def _notice(message: str) -> str:
    return f'<p class="notice">{escape(message)}</p>'


def _tile(page: Page, kpi: str) -> str:
    meta = page.kpi(kpi)
    card = page.latest_scorecard(kpi)
    series = page.total_series(kpi)
    if card is not None:
        value = _number(card.get("value"))
        status = _text(card.get("health_status")) or "no_data"
        assessment = _text(card.get("change_assessment"))
        change = format_change(
            _number(card.get("change_absolute")),
            _number(card.get("change_relative")),
            meta.style,
            page.options.currency,
        )
    else:  # no scorecard row (scorecard not built): the value only, no status
        value = series[-1] if series else None
        status, assessment, change = "unscored", None, ""
    arrow = ""
    if card is not None and not is_missing(_number(card.get("change_absolute"))):
        delta = _number(card.get("change_absolute")) or 0.0
        arrow = "▲ " if delta > 0 else ("▼ " if delta < 0 else "■ ")
    spark_values = series[-page.options.sparkline_months :]
    spark = charts.sparkline(spark_values, STATUS_COLORS.get(status, "#57606a"))
    if status in ("no_threshold", "unscored"):
        spark = charts.sparkline(spark_values, "#0969da")
    thresholds = _threshold_text(meta, page)
    badge = ""
    if status not in ("no_threshold", "unscored"):
        badge = (
            f'<span class="badge badge-{escape(status)}">{escape(status.replace("_", " "))}</span> '
        )
    previous = ""
    if page.latest is not None and len(page.months) > 1:
        previous = f" vs {charts.month_label(page.months[-2])}"
    return (
        f'<article class="tile status-{escape(status)}" data-kpi="{escape(kpi)}" '
        f'data-status="{escape(status)}">'
        f'<h3 title="{escape(meta.label)} ({escape(kpi)})">{escape(meta.label)}</h3>'
        f'<div class="tile-value">{escape(format_value(value, meta.style, page.options.currency))}'
        f"</div>"
        f'<div class="tile-change change-{escape(assessment or "none")}">'
        f"{escape(arrow + change)}{escape(previous if change and arrow else '')}</div>"
        f'<div class="tile-spark">{spark}</div>'
        f"<footer>{badge}{escape(thresholds)}</footer>"
        f"</article>"
    )


def _tiles(page: Page, tier: TierSpec) -> str:
    chosen = [kpi for kpi in tier.headline if page.has_total(kpi) or page.latest_scorecard(kpi)]
    if not chosen:
        return _notice(
            f"No {tier.title.lower()} KPIs in this database yet: their KPI families have not "
            "been built (or have no rows)."
        )
    return '<div class="tiles">' + "".join(_tile(page, kpi) for kpi in chosen) + "</div>"


def _trend_panel(page: Page, tier: TierSpec, trend: TrendSpec, index: int) -> str:
    present = [kpi for kpi in trend.kpis if page.has_total(kpi)]
    chart_id = f"{tier.key}-trend-{index}"
    if not present:
        return ""
    first = page.kpi(present[0])
    series = [
        charts.Series(
            page.kpi(kpi).label, TREND_COLORS[offset % len(TREND_COLORS)], page.total_series(kpi)
        )
        for offset, kpi in enumerate(present)
    ]
    references = _references(first, page) if len(present) == 1 else []
    chart = charts.line_chart(
        chart_id,
        page.months,
        series,
        page.fmt(first.kpi),
        page.axis(first.kpi),
        references=references,
        include_zero=first.style not in ("position",),
        invert=trend.invert,
    )
    return _panel(trend.title, chart)


def _channel_tabs(page: Page, tier: TierSpec) -> str:
    candidates = list(tier.channel_kpis)
    tabs = []
    for kpi in candidates:
        series = page.channel_series(kpi)
        if not series:
            continue
        meta = page.kpi(kpi)
        chart_id = f"{tier.key}-channel-{kpi}"
        channel_series = [
            charts.Series(channel, channel_color(channel, index), values)
            for index, (channel, values) in enumerate(series.items())
        ]
        if meta.kind in ("count", "sum"):
            chart = charts.stacked_bar_chart(
                chart_id,
                page.months,
                channel_series,
                page.fmt(kpi),
                page.axis(kpi),
                width=WIDE[0],
                height=WIDE[1],
            )
        else:
            chart = charts.heatmap(chart_id, page.months, channel_series, page.fmt(kpi))
        attributed = page._rows(kpi, "channel")["attribution_model"].notna().any()
        note = f"Attribution model: {page.model}." if attributed else ""
        tabs.append((kpi, meta.label, chart, note))
    if not tabs:
        return ""
    buttons = "".join(
        f'<button type="button" class="tab{" active" if index == 0 else ""}" '
        f'data-tab="{escape(kpi)}">{escape(label)}</button>'
        for index, (kpi, label, _, _) in enumerate(tabs)
    )
    panels = "".join(
        f'<div class="tab-panel{" active" if index == 0 else ""}" data-panel="{escape(kpi)}">'
        f"{chart.svg}{_legend(chart.legend)}"
        f"{f'<p class=note>{escape(note)}</p>' if note else ''}</div>"
        for index, (kpi, _, chart, note) in enumerate(tabs)
    )
    return (
        f'<figure class="panel wide"><figcaption>Key KPIs over time by channel</figcaption>'
        f'<div class="tabs" data-tabs><div class="tab-buttons" role="tablist">{buttons}</div>'
        f"{panels}</div></figure>"
    )


def _scorecard_table(page: Page, tier: TierSpec) -> str:
    scorecard = page.data.scorecard
    if scorecard is None or page.latest is None:
        return ""
    rows = scorecard[
        (scorecard["funnel_tier"] == tier.key)
        & (scorecard["dimension"] == "total")
        & (scorecard["month"] == page.latest)
    ].sort_values("kpi_order")
    if rows.empty:
        return ""
    body = []
    for row in rows.to_dict("records"):
        meta = page.kpi(row["kpi"])
        fmt = page.fmt(row["kpi"])
        status = _text(row.get("health_status")) or "no_data"
        body.append(
            "<tr>"
            f'<td title="{escape(row["kpi"])}">{escape(meta.label)}</td>'
            f'<td class="num">{escape(fmt(_number(row.get("value"))))}</td>'
            f'<td class="num">{escape(fmt(_number(row.get("previous_value"))))}</td>'
            f'<td class="num change-{escape(_text(row.get("change_assessment")) or "none")}">'
            + escape(
                format_change(
                    _number(row.get("change_absolute")),
                    _number(row.get("change_relative")),
                    meta.style,
                    page.options.currency,
                )
            )
            + "</td>"
            f'<td><span class="badge badge-{escape(status)}">{escape(status.replace("_", " "))}'
            f"</span></td><td>{escape(_threshold_text(meta, page))}</td></tr>"
        )
    return (
        f"<details><summary>All {escape(tier.title.lower())} KPIs for "
        f"{escape(charts.month_label(page.latest))} ({len(body)})</summary>"
        '<div class="scroll"><table><thead><tr><th>KPI</th><th>Value</th><th>Previous month</th>'
        "<th>Change</th><th>Status</th><th>Thresholds</th></tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div></details>"
    )


def _funnel_panel(page: Page) -> str:
    window = page.months[-12:]
    stages = []
    for kpi, label in FUNNEL_STAGES:
        if not page.has_total(kpi):
            continue
        values = page.total_series(kpi)[-len(window) :] if window else []
        stages.append((label, float(sum(value or 0.0 for value in values))))
    title = "Funnel volume, last 12 months"
    if len(stages) < 2:
        return _panel(title, charts.empty_chart("funnel", "Funnel KPIs not built yet"))
    chart = charts.funnel_chart("funnel", stages, lambda value: f"{value:,.0f}")
    return _panel(
        title, chart, "Sums of the monthly counts; each step as a share of the one before."
    )


def _mrr_panel(page: Page) -> str:
    present = [(kpi, label, sign) for kpi, label, sign in MRR_MOVEMENTS if page.has_total(kpi)]
    title = "MRR movements per month"
    if not present:
        return _panel(title, charts.empty_chart("mrr-movements", "MRR KPIs not built yet"))
    series = [
        charts.Series(
            label,
            MRR_COLORS[kpi],
            [None if value is None else sign * value for value in page.total_series(kpi)],
        )
        for kpi, label, sign in present
    ]
    chart = charts.stacked_bar_chart(
        "mrr-movements",
        page.months,
        series,
        page.fmt("mrr"),
        page.axis("mrr"),
        net_label="Net new MRR",
        width=WIDE[0],
        height=WIDE[1],
    )
    return _panel(title, chart, "Contraction and churn drawn below zero.", wide=True)


def campaign_roi(page: Page) -> tuple[pd.DataFrame, list[str]]:
    """ROI per campaign and model over the last N months: sum(numerator) / sum(denominator).

    Returns a frame (campaign_id, cost, one column per model) sorted by cost, and the models."""
    kpis = page.data.kpis
    empty = pd.DataFrame(columns=["campaign_id", "cost"])
    if kpis is None or page.latest is None:
        return empty, []
    window = set(page.months[-page.options.campaign_window_months :])
    rows = kpis[
        (kpis["kpi"] == "romi") & (kpis["dimension"] == "campaign") & (kpis["month"].isin(window))
    ]
    if rows.empty:
        return empty, []
    grouped = (
        rows.groupby(["dimension_value", "attribution_model"], dropna=False)[
            ["numerator", "denominator"]
        ]
        .sum(min_count=1)
        .reset_index()
    )
    grouped["roi"] = [
        None if is_missing(den) or den == 0 or is_missing(num) else num / den
        for num, den in zip(grouped["numerator"], grouped["denominator"], strict=True)
    ]
    models = sorted(
        (str(model) for model in grouped["attribution_model"].dropna().unique()),
        key=model_sort_key,
    )
    table = grouped.pivot(index="dimension_value", columns="attribution_model", values="roi")
    cost = grouped.groupby("dimension_value")["denominator"].max()
    frame = table.reindex(columns=models).assign(cost=cost).reset_index()
    frame = frame.rename(columns={"dimension_value": "campaign_id"})
    frame = frame.sort_values(["cost", "campaign_id"], ascending=[False, True], na_position="last")
    return frame.reset_index(drop=True), models


def _roi_status(value: float | None, meta: KpiMeta) -> str:
    """The scorecard's status rule applied to a table cell, for its colour only."""
    if value is None:
        return "no_data"
    checks = {"gte": value.__ge__, "gt": value.__gt__, "lte": value.__le__, "lt": value.__lt__}
    healthy, critical = meta.healthy_threshold, meta.critical_threshold
    if (
        healthy is not None
        and meta.healthy_operator in checks
        and checks[str(meta.healthy_operator)](healthy)
    ):
        return "healthy"
    if (
        critical is not None
        and meta.critical_operator in checks
        and checks[str(meta.critical_operator)](critical)
    ):
        return "critical"
    if meta.healthy_operator is None and meta.critical_operator is None:
        return "no_threshold"
    return "warning"


def _campaign_panel(page: Page) -> str:
    frame, models = campaign_roi(page)
    months = page.options.campaign_window_months
    title = f"Campaign ROI (ROMI) by attribution model, last {months} months"
    if frame.empty or not models:
        return _panel(title, charts.empty_chart("campaign-roi", "Campaign ROMI rows not built yet"))
    meta = page.kpi("romi")
    fmt = page.fmt("romi")

    def cost_format(value: float | None) -> str:
        return format_value(value, "currency", page.options.currency)

    top = frame.head(page.options.top_campaigns)
    names = page.data.campaign_names

    def display(campaign_id: str) -> str:
        name = names.get(campaign_id)
        return f"{name} ({campaign_id})" if name and name != campaign_id else campaign_id

    series = [
        charts.Series(model, model_color(model, index), [_number(v) for v in top[model]])
        for index, model in enumerate(models)
    ]
    chart = charts.dot_plot(
        "campaign-roi",
        [display(str(campaign)) for campaign in top["campaign_id"]],
        series,
        fmt,
        page.axis("romi"),
        references=_references(meta, page),
        width=WIDE[0],
    )
    header = "".join(
        f'<th class="num{" default-model" if model == page.model else ""}">{escape(model)}</th>'
        for model in models
    )
    body = []
    for row in frame.to_dict("records"):
        cells = []
        for model in models:
            value = _number(row.get(model))
            status = _roi_status(value, meta)
            cells.append(f'<td class="num cell-{status}">{escape(fmt(value))}</td>')
        body.append(
            f"<tr><td>{escape(display(str(row['campaign_id'])))}</td>"
            f'<td class="num">{escape(cost_format(_number(row.get("cost"))))}</td>'
            + "".join(cells)
            + "</tr>"
        )
    note = (
        f"ROI = (attributed revenue - marketing cost) / marketing cost, summed over the window "
        f"from fct_kpis. The chart shows the {len(top)} campaigns with the most marketing cost; "
        f"the table lists all {len(frame)}. Default model: {page.model}."
    )
    table = (
        '<div class="scroll tall"><table class="roi"><thead><tr><th>Campaign</th>'
        f'<th class="num">Marketing cost</th>{header}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )
    return (
        f'<figure class="panel wide"><figcaption>{escape(title)}</figcaption>{chart.svg}'
        f"{_legend(chart.legend)}<p class=note>{escape(note)}</p>{table}</figure>"
    )


def model_comparison(page: Page, month: date) -> tuple[pd.DataFrame, list[str]]:
    """Attributed revenue by channel under each attribution model in one month, from fct_kpis.

    Returns a frame (channel, one column per model) in channel order, and the models."""
    kpis = page.data.kpis
    empty = pd.DataFrame(columns=["channel"])
    if kpis is None:
        return empty, []
    rows = kpis[
        (kpis["kpi"] == "attributed_revenue")
        & (kpis["dimension"] == "channel")
        & (kpis["month"] == month)
        & kpis["attribution_model"].notna()
    ]
    if rows.empty:
        return empty, []
    models = sorted(
        (str(model) for model in rows["attribution_model"].unique()), key=model_sort_key
    )
    table = rows.pivot(index="dimension_value", columns="attribution_model", values="value")
    channels = sorted((str(channel) for channel in table.index), key=channel_sort_key)
    frame = table.reindex(index=channels, columns=models).rename_axis(index="channel")
    return frame.reset_index().rename_axis(columns=None), models


def _model_comparison_panel(page: Page) -> str:
    month = page.latest
    label = charts.month_label(month) if month else "–"
    title = f"Revenue by channel under each attribution model, {label}"
    frame, models = model_comparison(page, month) if month else (pd.DataFrame(), [])
    if frame.empty or not models:
        return _panel(
            title, charts.empty_chart("model-comparison", "Attributed revenue rows not built yet")
        )
    fmt = page.fmt("attributed_revenue")
    series = [
        charts.Series(model, model_color(model, index), [_number(v) for v in frame[model]])
        for index, model in enumerate(models)
    ]
    chart = charts.dot_plot(
        "model-comparison",
        [str(channel) for channel in frame["channel"]],
        series,
        fmt,
        page.axis("attributed_revenue"),
        width=WIDE[0],
    )
    header = "".join(
        f'<th class="num{" default-model" if model == page.model else ""}">{escape(model)}</th>'
        for model in models
    )
    body = [
        f"<tr><td>{escape(str(row['channel']))}</td>"
        + "".join(f'<td class="num">{escape(fmt(_number(row[model])))}</td>' for model in models)
        + "</tr>"
        for row in frame.to_dict("records")
    ]
    totals = "".join(
        f'<td class="num">{escape(fmt(_number(frame[model].sum(min_count=1))))}</td>'
        for model in models
    )
    note = (
        "Each model shares the same revenue out among the channels that touched the buyers "
        "(fct_kpis, attributed_revenue by channel): where the dots of a row lie far apart, the "
        f"choice of model decides that channel's budget. Default model: {page.model}."
    )
    table = (
        '<div class="scroll"><table class="roi"><thead><tr><th>Channel</th>'
        f"{header}</tr></thead><tbody>"
        + "".join(body)
        + f"<tr class=total><td>Total</td>{totals}</tr></tbody></table></div>"
    )
    return (
        f'<figure class="panel wide"><figcaption>{escape(title)}</figcaption>{chart.svg}'
        f"{_legend(chart.legend)}<p class=note>{escape(note)}</p>{table}</figure>"
    )


def _tier_section(page: Page, tier: TierSpec) -> str:
    trends = "".join(
        _trend_panel(page, tier, trend, index) for index, trend in enumerate(tier.trends)
    )
    wanted = dict.fromkeys([*tier.headline, *(kpi for trend in tier.trends for kpi in trend.kpis)])
    absent = [page.kpi(kpi).label for kpi in wanted if not page.has_total(kpi)]
    missing_note = ""
    if absent:
        missing_note = (
            '<p class="note missing">Not in this database yet (their KPI family has not been '
            f"built or has no rows): {escape(', '.join(absent))}.</p>"
        )
    extras = ""
    if tier.key == "middle":
        extras = _funnel_panel(page)
    if tier.key == "bottom":
        extras = _mrr_panel(page) + _model_comparison_panel(page) + _campaign_panel(page)
    return (
        f'<section class="tier tier-{tier.key}" id="{tier.key}">'
        f"<h2>{escape(tier.title)}</h2><p class=subtitle>{escape(tier.subtitle)}</p>"
        f"{_tiles(page, tier)}"
        f'<div class="grid">{_channel_tabs(page, tier)}{trends}{extras}</div>'
        f"{missing_note}{_scorecard_table(page, tier)}</section>"
    )


# ---------------------------------------------------------------------- data health
def _frame_table(frame: pd.DataFrame, columns: Sequence[str], classes: dict[str, str]) -> str:
    header = "".join(
        f'<th class="{classes.get(column, "")}">{escape(column.replace("_", " "))}</th>'
        for column in columns
    )
    body = []
    for row in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = row.get(column)
            css = classes.get(column, "")
            if isinstance(value, bool):
                text = "✓" if value else "✗"
                css += " ok" if value else " bad"
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                text = ""
            elif isinstance(value, float):
                text = f"{value:,.0f}" if value.is_integer() else f"{value:,.4g}"
            elif isinstance(value, int):
                text = f"{value:,}"
            else:
                text = str(value)
            cells.append(f'<td class="{css.strip()}">{escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{header}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )


def _validation_block(page: Page) -> str:
    frame = page.data.validation
    if frame is None:
        return "<h3>Expectations</h3>" + _notice(
            "No validation results yet: run `mkpi validate` to add them here."
        )
    if frame.empty:
        return "<h3>Expectations</h3>" + _notice("The validation results table is empty.")
    frame = frame.copy()
    if "success" in frame.columns:
        frame["success"] = frame["success"].map(
            lambda value: None if value is None or value is pd.NA else bool(value)
        )
        failed = int((frame["success"] == False).sum())  # noqa: E712
        frame = frame.sort_values("success", key=lambda column: column.fillna(False).astype(int))
    else:
        failed = 0
    run_at = ""
    if "run_at" in frame.columns and frame["run_at"].notna().any():
        run_at = f", run at {frame['run_at'].max()}"
    preferred = [
        "suite",
        "expectation",
        "column",
        "column_name",
        "kpi",
        "success",
        "unexpected_count",
        "example",
        "run_at",
    ]
    columns = [column for column in preferred if column in frame.columns] or list(frame.columns)
    summary_class = "bad" if failed else "ok"
    return (
        f"<h3>Expectations</h3><p class='summary {summary_class}'>{len(frame) - failed} of "
        f"{len(frame)} expectations passed{escape(run_at)}.</p>"
        + _frame_table(frame, columns, {"unexpected_count": "num"})
    )


def _health_section(page: Page) -> str:
    parts = [_validation_block(page)]
    issues = page.data.quality_issues
    parts.append("<h3>Data quality issues (rejected rows, duplicates, unmapped channels)</h3>")
    if issues is None:
        parts.append(_notice("marts.fct_data_quality_issues is not in this database."))
    elif issues.empty:
        parts.append("<p class='summary ok'>No rejected rows, duplicates or unmapped channels.</p>")
    else:
        issues = issues.sort_values("affected_rows", ascending=False)
        total = int(issues["affected_rows"].sum())
        parts.append(f"<p class='summary warn'>{total:,} raw rows affected.</p>")
        columns = [
            c for c in ("source_table", "issue_type", "issue", "affected_rows") if c in issues
        ]
        parts.append(_frame_table(issues, columns, {"affected_rows": "num"}))
    reconciliation = page.data.reconciliation
    parts.append("<h3>Raw row reconciliation (raw = clean + rejected + collapsed duplicates)</h3>")
    if reconciliation is None:
        parts.append(_notice("marts.fct_raw_row_reconciliation is not in this database."))
    else:
        reconciled = reconciliation.get("is_reconciled")
        all_ok = bool(reconciled.all()) if reconciled is not None else False
        parts.append(
            f"<p class='summary {'ok' if all_ok else 'bad'}'>"
            f"{'Every table reconciles.' if all_ok else 'Some tables do not reconcile.'}</p>"
        )
        numeric = {
            c: "num" for c in ("raw_rows", "clean_rows", "rejected_rows", "collapsed_duplicates")
        }
        parts.append(_frame_table(reconciliation, list(reconciliation.columns), numeric))
    if page.data.missing_tables:
        parts.append(
            "<p class='note'>Tables not in this database (their part of the page is empty): "
            + escape(", ".join(page.data.missing_tables))
            + "</p>"
        )
    return (
        '<section class="tier tier-health" id="health"><h2>Data health</h2>'
        + "".join(parts)
        + "</section>"
    )


# ---------------------------------------------------------------------- page
def _status_summary(page: Page) -> str:
    scorecard = page.data.scorecard
    if scorecard is None or page.latest is None:
        return ""
    latest = scorecard[(scorecard["month"] == page.latest) & (scorecard["dimension"] == "total")]
    counts = latest["health_status"].value_counts().to_dict()
    chips = "".join(
        f'<span class="chip badge-{status}">{counts.get(status, 0)} '
        f"{status.replace('_', ' ')}</span>"
        for status in ("healthy", "warning", "critical", "no_data")
    )
    return f'<div class="status-summary">{chips}</div>'


def render_dashboard(data: DashboardData, options: Options | None = None) -> str:
    """The whole page as one HTML string."""
    options = options or Options()
    page = Page(data, options)
    generated = (options.generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    if page.months:
        span = f"{charts.month_label(page.months[0])} – {charts.month_label(page.months[-1])}"
    else:
        span = "no KPI rows"
    business_model = ""
    if data.definitions is not None and "business_model" in data.definitions.columns:
        values = data.definitions["business_model"].dropna().unique().tolist()
        business_model = f" · thresholds for {values[0]}" if values else ""
    if data.kpis is None:
        body = _notice(
            "marts.fct_kpis is not in this database: build the project (make demo or dbt build)."
        )
    else:
        body = "".join(_tier_section(page, tier) for tier in TIERS)
    nav = (
        "".join(f'<a href="#{tier.key}">{escape(tier.title)}</a>' for tier in TIERS)
        + '<a href="#health">Data health</a>'
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Marketing KPI dashboard</title>"
        f"<style>{CSS}</style></head><body>"
        "<header class='page-header'><div><h1>Marketing KPI dashboard</h1>"
        f"<p class='meta'>Data {escape(span)} · latest month "
        f"{escape(charts.month_label(page.latest) if page.latest else '–')} · attribution model "
        f"{escape(page.model)}{escape(business_model)} · currency {escape(options.currency)} · "
        f"generated {escape(generated)}</p></div>{_status_summary(page)}</header>"
        f"<nav>{nav}</nav><main>{body}{_health_section(page)}</main>"
        f"<script>{JS}</script></body></html>\n"
    )
