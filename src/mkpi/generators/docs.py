"""dbt docs blocks from the catalog: `{% docs kpi_<name> %}` per KPI and one overview table.

Models and the semantic layer reference them with `{{ doc('kpi_cac') }}`; dbt docs shows them.
"""

from __future__ import annotations

from mkpi.catalog import Catalog, Kpi, Threshold

DOCS_PATH = "models/marts/kpis/_kpis__docs.md"

OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
UNITS = {
    "count": "count",
    "currency": "money in the reporting currency (var reporting_currency)",
    "rate": "rate, a share between 0 and 1",
    "ratio": "ratio, a multiplier (may exceed 1)",
    "days": "days",
    "months": "months",
    "seconds": "seconds",
    "position": "search position (1 is the top)",
}
DIRECTIONS = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "neutral": "neither higher nor lower is better in itself",
}
TIERS = {
    "top": "top of the funnel (reach, traffic, spend)",
    "middle": "middle of the funnel (leads, qualification)",
    "bottom": "bottom of the funnel (customers, revenue, retention)",
}


def _number(value: float) -> str:
    return f"{value:g}"


def threshold_text(threshold: Threshold) -> str:
    """`>= 3`, or `>= 3 (ecommerce), >= 5 (services)` for a value by var business_model."""
    operator = OPERATORS[threshold.op]
    if isinstance(threshold.value, dict):
        parts = [
            f"{operator} {_number(value)} ({model})" for model, value in threshold.value.items()
        ]
        return ", ".join(parts) + " - by var business_model"
    return f"{operator} {_number(threshold.value)}"


def formula_text(kpi: Kpi) -> str:
    if kpi.kind == "ratio":
        return f"`{kpi.numerator}` / `{kpi.denominator}` (NULL when the denominator is 0 or NULL)"
    if kpi.kind in ("count", "sum"):
        return f"`{kpi.value}` (0 when there is none)"
    return f"`{kpi.value}`"


def _kpi_block(kpi: Kpi) -> str:
    lines = [
        f"{{% docs kpi_{kpi.name} %}}",
        f"**{kpi.label}** (`{kpi.name}`)",
        "",
        kpi.description,
        "",
        f"- Formula: {formula_text(kpi)}",
        f"- Inputs (named measures): {', '.join(f'`{name}`' for name in kpi.inputs)}",
        f"- Unit: {UNITS[kpi.unit]}",
        f"- Dimensions: {', '.join(kpi.dimensions)}",
    ]
    if kpi.attributed:
        lines.append("- Attributed: channel and campaign rows per attribution model")
    if kpi.may_be_negative:
        lines.append("- May be negative")
    lines.append(f"- Direction: {DIRECTIONS[kpi.direction]}")
    if kpi.thresholds:
        for level in ("healthy", "critical"):
            threshold = getattr(kpi.thresholds, level)
            if threshold is not None:
                lines.append(f"- {level.capitalize()}: {threshold_text(threshold)}")
        lines.append(f"- Threshold source: {kpi.thresholds.source}")
    else:
        lines.append("- Thresholds: none (no norm with a source to name)")
    lines.append(f"- Funnel tier: {TIERS[kpi.funnel_tier]}")
    lines.append("{% enddocs %}")
    return "\n".join(lines) + "\n"


def _overview(catalog: Catalog) -> str:
    lines = [
        "{% docs kpi_catalog %}",
        "Every KPI the project computes, from catalog/kpis.yml. Each is one `kpi` value of "
        "`fct_kpis`.",
        "",
        "| kpi | label | unit | dimensions | direction | funnel tier |",
        "|---|---|---|---|---|---|",
    ]
    for kpi in catalog.kpis:
        lines.append(
            f"| `{kpi.name}` | {kpi.label} | {kpi.unit} | {', '.join(kpi.dimensions)} | "
            f"{kpi.direction.replace('_', ' ')} | {kpi.funnel_tier} |"
        )
    lines.append("{% enddocs %}")
    return "\n".join(lines) + "\n"


def render(catalog: Catalog) -> dict[str, str]:
    from mkpi.generate import header

    blocks = [header("jinja"), "", _overview(catalog)]
    blocks.extend(_kpi_block(kpi) for kpi in catalog.kpis)
    return {DOCS_PATH: "\n".join(blocks)}
