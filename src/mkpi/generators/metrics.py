"""MetricFlow semantic model and metrics from the catalog, so every KPI can be queried with `mf`.

One semantic model (`kpis`) sits on the long mart `fct_kpis` (grain: kpi x month x dimension x
dimension_value x attribution_model). Its measures sum `value`, `numerator` and `denominator`.
Per KPI and per dimension it has ("scope": total, by channel, by campaign):

- `<kpi>` / `<kpi>_by_channel` / `<kpi>_by_campaign`: for a ratio KPI a ratio metric of the two
  metrics `<metric>_numerator` and `<metric>_denominator` (MetricFlow ratio metrics take metrics),
  otherwise a simple metric over `value`. Each is filtered to the KPI and the scope, and for an
  attributed KPI's channel/campaign rows to the catalog's default attribution model, so a plain
  query never adds up rows that must not be added (total + channel rows, or several models).
- `<metric>_mom_change` / `<metric>_yoy_change`: derived metrics, (now - then) / then, with an
  offset window of 1 month / 1 year.
- `kpi_value`, `kpi_ratio` (+ `kpi_numerator`, `kpi_denominator`): unfiltered, for any KPI,
  dimension and attribution model chosen with `--where` (e.g. ROAS by campaign under `linear`).

At month grain every metric equals the `value` of its fct_kpis row. Coarser grains add numerator
and denominator over the months, which is right for flows (leads, cost, revenue) and not for
stocks or rolling windows (mrr, ltv, purchase_frequency_12m): query those by month.
"""

from __future__ import annotations

from typing import Any

import yaml

from mkpi.catalog import Catalog, Kpi

SEMANTIC_PATH = "models/marts/kpis/_kpis__semantic.yml"
ENTITY = "kpi"
SCOPES: dict[str, tuple[str, str]] = {
    # dimension -> (metric name suffix, label suffix)
    "total": ("", ""),
    "channel": ("_by_channel", " by channel"),
    "campaign": ("_by_campaign", " by campaign"),
}
OFFSETS: dict[str, tuple[str, str]] = {
    # suffix -> (offset window, label)
    "mom_change": ("1 month", "change vs previous month"),
    "yoy_change": ("1 year", "change vs same month last year"),
}


def _dimension(name: str) -> str:
    return f"{{{{ Dimension('{ENTITY}__{name}') }}}}"


def metric_name(kpi: Kpi, dimension: str) -> str:
    return kpi.name + SCOPES[dimension][0]


def scope_filter(catalog: Catalog, kpi: Kpi, dimension: str) -> str:
    parts = [
        f"{_dimension('kpi_name')} = '{kpi.name}'",
        f"{_dimension('dimension')} = '{dimension}'",
    ]
    if kpi.attributed and dimension != "total":
        parts.append(f"{_dimension('attribution_model')} = '{catalog.default_attribution_model}'")
    return " and ".join(parts)


def _meta(catalog: Catalog, kpi: Kpi, dimension: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "kpi": kpi.name,
        "dimension": dimension,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "funnel_tier": kpi.funnel_tier,
        "formula": kpi.formula(),
    }
    if kpi.attributed and dimension != "total":
        meta["attribution_model"] = catalog.default_attribution_model
    if kpi.thresholds:
        meta["thresholds"] = kpi.thresholds.model_dump(exclude_none=True)
    return meta


def _description(catalog: Catalog, kpi: Kpi, dimension: str) -> str:
    text = kpi.description
    if dimension != "total":
        group = "kpi__channel" if dimension == "channel" else "kpi__campaign_id"
        text += f" One value per {dimension}: group by {group}."
    if kpi.attributed and dimension != "total":
        text += f" Attribution model: {catalog.default_attribution_model}."
    return text


def _kpi_metrics(catalog: Catalog, kpi: Kpi, dimension: str) -> list[dict[str, Any]]:
    name = metric_name(kpi, dimension)
    label = kpi.label + SCOPES[dimension][1]
    where = scope_filter(catalog, kpi, dimension)
    config = {"meta": _meta(catalog, kpi, dimension)}
    description = _description(catalog, kpi, dimension)
    if kpi.kind != "ratio":
        return [
            {
                "name": name,
                "label": label,
                "description": description,
                "type": "simple",
                "type_params": {"measure": "kpi_value"},
                "filter": where,
                "config": config,
            }
        ]
    sides = []
    for side in ("numerator", "denominator"):
        sides.append(
            {
                "name": f"{name}_{side}",
                "label": f"{label} - {side}",
                "description": f"{side.capitalize()} of {kpi.name}: {getattr(kpi, side)}.",
                "type": "simple",
                "type_params": {"measure": f"kpi_{side}"},
                "filter": where,
                "config": {"meta": {"kpi": kpi.name, "dimension": dimension, "part": side}},
            }
        )
    ratio = {
        "name": name,
        "label": label,
        "description": description,
        "type": "ratio",
        "type_params": {"numerator": f"{name}_numerator", "denominator": f"{name}_denominator"},
        "config": config,
    }
    return [ratio, *sides]


def _offset_metrics(kpi: Kpi, dimension: str) -> list[dict[str, Any]]:
    name = metric_name(kpi, dimension)
    label = kpi.label + SCOPES[dimension][1]
    metrics = []
    for suffix, (window, text) in OFFSETS.items():
        metrics.append(
            {
                "name": f"{name}_{suffix}",
                "label": f"{label} - {text}",
                "description": f"Relative change of {name}: (now - then) / then, then = {window} "
                "earlier; NULL when then is 0 or missing.",
                "type": "derived",
                "type_params": {
                    "expr": "(current_value - previous_value) / nullif(previous_value, 0)",
                    "metrics": [
                        {"name": name, "alias": "current_value"},
                        {"name": name, "alias": "previous_value", "offset_window": window},
                    ],
                },
                "config": {"meta": {"kpi": kpi.name, "dimension": dimension, "offset": window}},
            }
        )
    return metrics


def semantic_model() -> dict[str, Any]:
    def categorical(name: str, description: str, expr: str | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": name, "type": "categorical", "description": description}
        if expr:
            entry["expr"] = expr
        return entry

    return {
        "name": "kpis",
        "description": "Every KPI of the catalog by month, dimension value and attribution model "
        "(the long mart fct_kpis).",
        "model": "ref('fct_kpis')",
        "defaults": {"agg_time_dimension": "kpi_month"},
        "primary_entity": ENTITY,
        "dimensions": [
            {
                "name": "kpi_month",
                "type": "time",
                "description": "First day of the calendar month (query it as metric_time).",
                "expr": "month",
                "type_params": {"time_granularity": "month"},
            },
            categorical("kpi_name", "The KPI (catalog name).", "kpi"),
            categorical("dimension", "total, channel or campaign."),
            categorical("dimension_value", "all, the channel or the campaign id."),
            categorical(
                "attribution_model", "The attribution model of attributed KPIs, else NULL."
            ),
            categorical(
                "channel",
                "The canonical channel of channel rows, else NULL.",
                "case when dimension = 'channel' then dimension_value end",
            ),
            categorical(
                "campaign_id",
                "The campaign of campaign rows, else NULL.",
                "case when dimension = 'campaign' then dimension_value end",
            ),
        ],
        "measures": [
            {"name": "kpi_value", "agg": "sum", "expr": "value", "description": "Sum of value."},
            {
                "name": "kpi_numerator",
                "agg": "sum",
                "expr": "numerator",
                "description": "Sum of numerator.",
            },
            {
                "name": "kpi_denominator",
                "agg": "sum",
                "expr": "denominator",
                "description": "Sum of denominator.",
            },
        ],
    }


def generic_metrics() -> list[dict[str, Any]]:
    """Unfiltered metrics for what the per-KPI ones do not cover (another attribution model):
    the caller filters kpi__kpi_name and kpi__dimension with --where and groups by the rest."""
    note = (
        " No filter of its own: add --where on kpi__kpi_name and kpi__dimension (and group by or"
        " filter kpi__attribution_model), or rows of different KPIs and dimensions add up."
    )
    return [
        {
            "name": "kpi_value",
            "label": "KPI value (any KPI)",
            "description": "Sum of value over the selected fct_kpis rows." + note,
            "type": "simple",
            "type_params": {"measure": "kpi_value"},
        },
        {
            "name": "kpi_ratio",
            "label": "KPI ratio (any ratio KPI)",
            "description": "Sum of numerator / sum of denominator over the selected rows." + note,
            "type": "ratio",
            "type_params": {"numerator": "kpi_numerator", "denominator": "kpi_denominator"},
        },
        {
            "name": "kpi_numerator",
            "label": "KPI numerator (any ratio KPI)",
            "description": "Sum of numerator over the selected rows." + note,
            "type": "simple",
            "type_params": {"measure": "kpi_numerator"},
        },
        {
            "name": "kpi_denominator",
            "label": "KPI denominator (any ratio KPI)",
            "description": "Sum of denominator over the selected rows." + note,
            "type": "simple",
            "type_params": {"measure": "kpi_denominator"},
        },
    ]


def all_metrics(catalog: Catalog) -> list[dict[str, Any]]:
    metrics: list[dict[str, Any]] = generic_metrics()
    for kpi in catalog.kpis:
        for dimension in kpi.dimensions:
            metrics.extend(_kpi_metrics(catalog, kpi, dimension))
            metrics.extend(_offset_metrics(kpi, dimension))
    names = [metric["name"] for metric in metrics]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"metric names collide: {', '.join(duplicates)}")
    return metrics


class _Dumper(yaml.SafeDumper):
    """Jinja filters in double quotes, so their SQL string literals keep single quotes."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "{{" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def render(catalog: Catalog) -> dict[str, str]:
    from mkpi.generate import header

    document = {
        "version": 2,
        "semantic_models": [semantic_model()],
        "metrics": all_metrics(catalog),
    }
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
    return {SEMANTIC_PATH: f"{header('hash')}\n{body}"}
