"""dbt macros from the catalog: one macro per KPI formula, so models never write a formula.

For every KPI `x` with inputs (a, b, ...), `kpi_x(a, b, ...)` renders its value from the SQL
expressions passed in; ratio KPIs also get `kpi_x_numerator(...)` and `kpi_x_denominator(...)`
and the value is `safe_divide(numerator, denominator)`. `kpi_catalog()` returns the catalog's
metadata (labels, units, directions, thresholds, tiers) for models such as the scorecard.
"""

from __future__ import annotations

import json
import re

from mkpi.catalog import IDENTIFIER, Catalog, Kpi

FORMULAS_PATH = "macros/generated/kpi_formulas.sql"
CATALOG_PATH = "macros/generated/kpi_catalog.sql"


def _jinja_expression(expression: str, inputs: list[str]) -> str:
    """SQL over named inputs -> Jinja that splices the caller's SQL for each input."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in inputs:
            return f"({{{{ {token} }}}})"
        return token

    # median(x) differs by adapter: route it through the project's dispatch macro.
    medians: list[str] = []

    def keep_median(match: re.Match[str]) -> str:
        medians.append(match.group(1))
        return f"@median{len(medians) - 1}@"

    protected = re.sub(r"\bmedian\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)", keep_median, expression)
    spliced = IDENTIFIER.sub(replace, protected)
    for index, argument in enumerate(medians):
        spliced = spliced.replace(
            f"@median{index}@", f"{{{{ marketing_kpis.median({argument}) }}}}"
        )
    return spliced


def _macro(name: str, params: list[str], body: str, doc: str) -> str:
    return (
        f"{{# {doc} #}}\n"
        f"{{% macro {name}({', '.join(params)}) -%}}\n"
        f"    {body}\n"
        f"{{%- endmacro %}}\n"
    )


def _kpi_macros(kpi: Kpi) -> str:
    params = kpi.inputs
    call = ", ".join(params)
    parts: list[str] = []
    if kpi.kind == "ratio":
        numerator = _jinja_expression(str(kpi.numerator), params)
        denominator = _jinja_expression(str(kpi.denominator), params)
        parts.append(
            _macro(f"kpi_{kpi.name}_numerator", params, numerator, f"{kpi.name}: {kpi.numerator}")
        )
        parts.append(
            _macro(
                f"kpi_{kpi.name}_denominator", params, denominator, f"{kpi.name}: {kpi.denominator}"
            )
        )
        body = (
            f"{{{{ marketing_kpis.safe_divide(kpi_{kpi.name}_numerator({call}), "
            f"kpi_{kpi.name}_denominator({call})) }}}}"
        )
        parts.append(_macro(f"kpi_{kpi.name}", params, body, f"{kpi.name} = {kpi.formula()}"))
    elif kpi.kind in ("count", "sum"):
        body = f"coalesce({_jinja_expression(str(kpi.value), params)}, 0)"
        parts.append(
            _macro(f"kpi_{kpi.name}", params, body, f"{kpi.name} = {kpi.value}; 0 if none")
        )
    else:
        body = _jinja_expression(str(kpi.value), params)
        parts.append(_macro(f"kpi_{kpi.name}", params, body, f"{kpi.name} = {kpi.value}"))
    return "\n".join(parts)


def _formulas(catalog: Catalog) -> str:
    from mkpi.generate import header

    blocks = [header("jinja"), ""]
    for kpi in catalog.kpis:
        blocks.append(_kpi_macros(kpi))
    return "\n".join(blocks)


def catalog_metadata(catalog: Catalog) -> list[dict[str, object]]:
    rows = []
    for kpi in catalog.kpis:
        thresholds = kpi.thresholds
        rows.append(
            {
                "name": kpi.name,
                "label": kpi.label,
                "description": kpi.description,
                "family": kpi.family,
                "kind": kpi.kind,
                "inputs": list(kpi.inputs),
                "measures": {name: kpi.measure_of(name) for name in kpi.inputs},
                "rows_when": kpi.activity_measures(),
                "unit": kpi.unit,
                "dimensions": list(kpi.dimensions),
                "attributed": kpi.attributed,
                "may_be_negative": kpi.may_be_negative,
                "direction": kpi.direction,
                "funnel_tier": kpi.funnel_tier,
                "formula": kpi.formula(),
                "healthy": thresholds.healthy.model_dump()
                if thresholds and thresholds.healthy
                else None,
                "critical": (
                    thresholds.critical.model_dump() if thresholds and thresholds.critical else None
                ),
                "threshold_source": thresholds.source if thresholds else None,
            }
        )
    return rows


def _catalog_macro(catalog: Catalog) -> str:
    from mkpi.generate import header

    payload = json.dumps(catalog_metadata(catalog), sort_keys=True)
    return (
        f"{header('jinja')}\n\n"
        "{# The catalog's metadata, one dict per KPI, for models that need it"
        " (scorecard, dim_kpis). #}\n"
        "{% macro kpi_catalog() -%}\n"
        f"    {{{{ return(fromjson({json.dumps(payload)})) }}}}\n"
        "{%- endmacro %}\n"
    )


def render(catalog: Catalog) -> dict[str, str]:
    return {FORMULAS_PATH: _formulas(catalog), CATALOG_PATH: _catalog_macro(catalog)}
