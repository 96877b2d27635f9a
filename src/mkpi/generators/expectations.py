"""Great-expectations suites (JSON, GX 1.x format) for the marts, derived from the catalog.

Nothing here is written per KPI by hand: every KPI expectation follows from the KPI's unit, kind,
formula, dimensions and flags in catalog/kpis.yml.

Each expectation names in `meta.dataset` the rows it runs on: the mart itself, or a dataset
that `mkpi validate` derives from the mart first with one SQL query (for rules GX cannot state
directly), described in the suite's `meta.datasets`. The suite's meta carries everything
validate needs to build those datasets, so a suite file is self-contained.

fct_kpis (suite `fct_kpis`):
- keys not null, compound key unique, kpi / dimension / attribution_model from known sets, every
  catalog KPI present, `all` as the value of total rows;
- per KPI: its dimensions only; attribution_model set exactly where the KPI is attributed and the
  row is not a total row; value bounds by unit (rate within [0, 1], position >= 1, everything else
  >= 0 unless `may_be_negative`); ratio: denominator >= 0 and numerator >= 0 (unless
  `may_be_negative`); count/sum/median/derived: numerator and denominator NULL; count/sum: value
  never NULL;
- derived: ratio value = numerator / denominator (relative tolerance 1e-9) where the denominator is
  not 0; value NULL where the denominator is 0 or NULL; channel rows add up to the total row of the
  KPI named in `reconciles_to` (per month and attribution model, tolerance 0.01); the grid is
  complete (every month x dimension value x model where one applies).

Other marts: fct_attribution_credits (every conversion has every catalog attribution model and
its credit shares sum to 1), dim_kpis (exactly the catalog's KPIs), fct_mrr_monthly (the MRR
bridge closes and each month starts at the previous month's MRR), fct_raw_row_reconciliation
(raw = clean + rejected + collapsed duplicates) and fct_data_quality_issues (keys).
"""

from __future__ import annotations

import json
from typing import Any

from mkpi.catalog import ADDITIVE, Catalog, Kpi
from mkpi.paths import CONNECTOR_INPUTS, CONNECTOR_REJECTING_TABLES
from mkpi.raw_contract import raw_table_names

SUITE_DIR = "expectations"
KPI_KEYS = ["kpi", "month", "dimension", "dimension_value", "attribution_model"]
RATIO_TOLERANCE = 1e-9
RECONCILIATION_TOLERANCE = 0.01

Condition = dict[str, Any]


def equals(column: str, value: Any) -> Condition:
    return {"type": "comparison", "column": {"name": column}, "operator": "==", "parameter": value}


def not_equals(column: str, value: Any) -> Condition:
    return {"type": "comparison", "column": {"name": column}, "operator": "!=", "parameter": value}


def both(*conditions: Condition) -> Condition:
    return {"type": "and", "conditions": list(conditions)}


def expectation(
    kind: str,
    dataset: str,
    rule: str,
    description: str,
    kpi: str | None = None,
    row_condition: Condition | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    if row_condition is not None:
        kwargs["row_condition"] = row_condition
    meta: dict[str, Any] = {"dataset": dataset, "rule": rule, "description": description}
    if kpi is not None:
        meta["kpi"] = kpi
    return {"type": kind, "kwargs": kwargs, "meta": meta}


# --------------------------------------------------------------------------------- fct_kpis
def _table_rules(catalog: Catalog) -> list[dict[str, Any]]:
    names = [kpi.name for kpi in catalog.kpis]
    rules = [
        expectation(
            "expect_column_values_to_not_be_null",
            "fct_kpis",
            "key_not_null",
            f"{column} is never NULL",
            column=column,
        )
        for column in KPI_KEYS[:4]
    ]
    rules += [
        expectation(
            "expect_compound_columns_to_be_unique",
            "fct_kpis",
            "key_unique",
            "one row per kpi x month x dimension x dimension_value x attribution_model",
            column_list=KPI_KEYS,
            ignore_row_if="never",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            "fct_kpis",
            "kpi_known",
            "every kpi is a KPI of the catalog",
            column="kpi",
            value_set=names,
        ),
        expectation(
            "expect_column_distinct_values_to_contain_set",
            "fct_kpis",
            "kpi_present",
            "every KPI of the catalog has rows",
            column="kpi",
            value_set=names,
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            "fct_kpis",
            "dimension_known",
            "dimension is total, channel or campaign",
            column="dimension",
            value_set=["total", "channel", "campaign"],
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            "fct_kpis",
            "total_is_all",
            "total rows have dimension_value 'all'",
            row_condition=equals("dimension", "total"),
            column="dimension_value",
            value_set=["all"],
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            "fct_kpis",
            "attribution_model_known",
            "attribution_model is one of the catalog's attribution models",
            column="attribution_model",
            value_set=list(catalog.attribution_models),
        ),
    ]
    return rules


def _value_bounds(kpi: Kpi) -> tuple[float | None, float | None, str] | None:
    """(min, max, why) the unit puts on a KPI's value, or None."""
    if kpi.unit == "rate":
        return 0.0, 1.0, "a rate lies within [0, 1]"
    if kpi.unit == "position":
        return 1.0, None, "a search position is 1 or more"
    if kpi.may_be_negative:
        return None
    return 0.0, None, f"a {kpi.unit} value is not negative"


def _kpi_rules(kpi: Kpi) -> list[dict[str, Any]]:
    only = equals("kpi", kpi.name)
    rules = [
        expectation(
            "expect_column_values_to_be_in_set",
            "fct_kpis",
            "kpi_dimensions",
            f"{kpi.name} has only the dimensions {', '.join(kpi.dimensions)}",
            kpi=kpi.name,
            row_condition=only,
            column="dimension",
            value_set=list(kpi.dimensions),
        )
    ]
    split = [dimension for dimension in kpi.dimensions if dimension != "total"]
    if kpi.attributed and split:
        rules.append(
            expectation(
                "expect_column_values_to_not_be_null",
                "fct_kpis",
                "attribution_model_set",
                f"{kpi.name} channel and campaign rows name their attribution model",
                kpi=kpi.name,
                row_condition=both(only, not_equals("dimension", "total")),
                column="attribution_model",
            )
        )
    if not kpi.attributed or "total" in kpi.dimensions:
        rules.append(
            expectation(
                "expect_column_values_to_be_null",
                "fct_kpis",
                "attribution_model_null",
                f"{kpi.name} {'total ' if kpi.attributed else ''}rows have no attribution model",
                kpi=kpi.name,
                row_condition=both(only, equals("dimension", "total")) if kpi.attributed else only,
                column="attribution_model",
            )
        )
    bounds = _value_bounds(kpi)
    if bounds is not None:
        low, high, why = bounds
        limits = {"min_value": low} if high is None else {"min_value": low, "max_value": high}
        rules.append(
            expectation(
                "expect_column_values_to_be_between",
                "fct_kpis",
                f"value_{kpi.unit}_bounds",
                f"{kpi.name}: {why}",
                kpi=kpi.name,
                row_condition=only,
                column="value",
                **limits,
            )
        )
    if kpi.kind == "ratio":
        sides = ["denominator"] if kpi.may_be_negative else ["numerator", "denominator"]
        for side in sides:
            rules.append(
                expectation(
                    "expect_column_values_to_be_between",
                    "fct_kpis",
                    f"{side}_not_negative",
                    f"{kpi.name}: {side} ({getattr(kpi, side)}) is not negative",
                    kpi=kpi.name,
                    row_condition=only,
                    column=side,
                    min_value=0.0,
                )
            )
        rules += [
            expectation(
                "expect_column_values_to_be_between",
                "fct_kpis__ratio_check",
                "value_is_numerator_over_denominator",
                f"{kpi.name}: value = ({kpi.numerator}) / ({kpi.denominator}) "
                f"within a relative {RATIO_TOLERANCE:g}",
                kpi=kpi.name,
                row_condition=only,
                column="relative_error",
                min_value=0.0,
                max_value=RATIO_TOLERANCE,
            ),
            expectation(
                "expect_column_values_to_be_null",
                "fct_kpis__zero_denominator",
                "null_when_denominator_zero",
                f"{kpi.name}: value is NULL where {kpi.denominator} is 0 or NULL",
                kpi=kpi.name,
                row_condition=only,
                column="value",
            ),
        ]
    else:
        rules += [
            expectation(
                "expect_column_values_to_be_null",
                "fct_kpis",
                f"{side}_null",
                f"{kpi.name} is a {kpi.kind}: no {side}",
                kpi=kpi.name,
                row_condition=only,
                column=side,
            )
            for side in ("numerator", "denominator")
        ]
    if kpi.kind in ADDITIVE:
        rules.append(
            expectation(
                "expect_column_values_to_not_be_null",
                "fct_kpis",
                "value_not_null",
                f"{kpi.name} is a {kpi.kind}: 0 when there is nothing, never NULL",
                kpi=kpi.name,
                row_condition=only,
                column="value",
            )
        )
    if kpi.reconciles_to:
        rules.append(
            expectation(
                "expect_column_values_to_be_between",
                "fct_kpis__reconciliation",
                "channels_add_up_to_total",
                f"{kpi.name} summed over channels = {kpi.reconciles_to} total, per month"
                + (" and attribution model" if kpi.attributed else "")
                + f" (within {RECONCILIATION_TOLERANCE:g})",
                kpi=kpi.name,
                row_condition=only,
                column="abs_difference",
                min_value=0.0,
                max_value=RECONCILIATION_TOLERANCE,
            )
        )
    rules.append(
        expectation(
            "expect_column_values_to_be_between",
            "fct_kpis__grid",
            "grid_complete",
            f"{kpi.name}: every dimension value has a row for every month"
            + (" and attribution model" if kpi.attributed else ""),
            kpi=kpi.name,
            row_condition=only,
            column="missing_rows",
            min_value=0,
            max_value=0,
        )
    )
    return rules


def _kpi_suite(catalog: Catalog) -> dict[str, Any]:
    expectations = _table_rules(catalog)
    for kpi in catalog.kpis:
        expectations += _kpi_rules(kpi)
    ratio_kpis = [kpi.name for kpi in catalog.kpis if kpi.kind == "ratio"]
    return {
        "name": "fct_kpis",
        "expectations": expectations,
        "meta": {
            "mart": "fct_kpis",
            "schema": "marts",
            "key_columns": KPI_KEYS,
            "datasets": {
                "fct_kpis": {"description": "the mart as it is"},
                "fct_kpis__ratio_check": {
                    "description": "rows of ratio KPIs with a numerator and a non-zero "
                    "denominator; relative_error = |value - numerator / denominator| / "
                    "|numerator / denominator| (absolute when that is 0; infinite when value "
                    "is NULL)",
                    "kpis": ratio_kpis,
                },
                "fct_kpis__zero_denominator": {
                    "description": "rows of ratio KPIs whose denominator is 0 or NULL",
                    "kpis": ratio_kpis,
                },
                "fct_kpis__reconciliation": {
                    "description": "per reconciling KPI, month and attribution model: the sum of "
                    "its channel rows, the total row of its target KPI and abs_difference",
                    "pairs": [
                        {"kpi": kpi.name, "target": kpi.reconciles_to, "attributed": kpi.attributed}
                        for kpi in catalog.kpis
                        if kpi.reconciles_to
                    ],
                    "attribution_models": list(catalog.attribution_models),
                },
                "fct_kpis__grid": {
                    "description": "per kpi, dimension and dimension_value: missing_rows = months "
                    "of the range (x attribution models for attributed channel/campaign rows) "
                    "without a row",
                    "attributed_kpis": [kpi.name for kpi in catalog.kpis if kpi.attributed],
                    "attribution_models": list(catalog.attribution_models),
                },
            },
            "catalog": {
                kpi.name: {
                    "formula": kpi.formula(),
                    "unit": kpi.unit,
                    "kind": kpi.kind,
                    "thresholds": kpi.thresholds.model_dump(exclude_none=True)
                    if kpi.thresholds
                    else None,
                }
                for kpi in catalog.kpis
            },
        },
    }


# ---------------------------------------------------------------- data-quality marts
def _reconciliation_suite() -> dict[str, Any]:
    counts = ["raw_rows", "clean_rows", "rejected_rows", "collapsed_duplicates"]
    dataset = "fct_raw_row_reconciliation"
    expectations = [
        expectation(
            "expect_column_values_to_not_be_null",
            dataset,
            "key_not_null",
            "key",
            column="source_table",
        ),
        expectation(
            "expect_column_values_to_be_unique",
            dataset,
            "key_unique",
            "one row per raw table",
            column="source_table",
        ),
        expectation(
            "expect_column_distinct_values_to_equal_set",
            dataset,
            "every_raw_table",
            "one row for each raw table of the contract",
            column="source_table",
            value_set=list(raw_table_names()),
        ),
    ]
    expectations += [
        expectation(
            "expect_column_values_to_be_between",
            dataset,
            "count_not_negative",
            f"{column} is not negative",
            column=column,
            min_value=0,
        )
        for column in counts
    ]
    expectations.append(
        expectation(
            "expect_column_values_to_be_between",
            f"{dataset}__balance",
            "raw_rows_accounted_for",
            "raw rows = clean + rejected + collapsed duplicates, per table",
            column="unaccounted_rows",
            min_value=0,
            max_value=0,
        )
    )
    return {
        "name": dataset,
        "expectations": expectations,
        "meta": {
            "mart": dataset,
            "schema": "marts",
            "key_columns": ["source_table"],
            "datasets": {
                dataset: {"description": "the mart as it is"},
                f"{dataset}__balance": {
                    "description": "unaccounted_rows = raw_rows - clean_rows - rejected_rows - "
                    "collapsed_duplicates"
                },
            },
        },
    }


def _issues_suite() -> dict[str, Any]:
    dataset = "fct_data_quality_issues"
    keys = ["source_table", "issue_type", "issue"]
    expectations = [
        expectation(
            "expect_column_values_to_not_be_null",
            dataset,
            "key_not_null",
            f"{column} is set",
            column=column,
        )
        for column in keys
    ]
    expectations += [
        expectation(
            "expect_compound_columns_to_be_unique",
            dataset,
            "key_unique",
            "one row per raw table x issue type x issue",
            column_list=keys,
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            dataset,
            "raw_table_known",
            "issues belong to raw tables of the contract, landed connector tables or inputs",
            column="source_table",
            value_set=[*raw_table_names(), *CONNECTOR_REJECTING_TABLES, *CONNECTOR_INPUTS],
        ),
        expectation(
            "expect_column_values_to_be_between",
            dataset,
            "affected_rows_positive",
            "an issue affects at least one row",
            column="affected_rows",
            min_value=1,
        ),
    ]
    return {
        "name": dataset,
        "expectations": expectations,
        "meta": {
            "mart": dataset,
            "schema": "marts",
            "key_columns": keys,
            "datasets": {dataset: {"description": "the mart as it is"}},
        },
    }


def suite_text(suite: dict[str, Any], source: str) -> str:
    """JSON whose first line says it is generated and from what (a `_generated` key)."""
    from mkpi.generate import header

    body = json.dumps(suite, indent=2, ensure_ascii=False)
    first = "{" + f'"_generated": {json.dumps(header("json", source))},'
    return first + body[1:] + "\n"


def _credits_suite(catalog: Catalog) -> dict[str, Any]:
    """fct_attribution_credits: every conversion has every catalog model; shares sum to 1."""
    dataset = "fct_attribution_credits"
    keys = ["conversion_id", "attribution_model", "touchpoint_id"]
    expectations = [
        expectation(
            "expect_column_values_to_not_be_null",
            dataset,
            "key_not_null",
            f"{column} is set",
            column=column,
        )
        for column in ("conversion_id", "attribution_model", "channel", "credit_share")
    ]
    expectations += [
        expectation(
            "expect_compound_columns_to_be_unique",
            dataset,
            "key_unique",
            "one row per conversion x attribution model x touchpoint",
            column_list=keys,
            ignore_row_if="never",
        ),
        expectation(
            "expect_column_values_to_be_in_set",
            dataset,
            "attribution_model_known",
            "attribution_model is one of the catalog's attribution models",
            column="attribution_model",
            value_set=list(catalog.attribution_models),
        ),
        expectation(
            "expect_column_values_to_be_between",
            dataset,
            "credit_share_within_0_1",
            "a credit share lies within [0, 1]",
            column="credit_share",
            min_value=0.0,
            max_value=1.0,
        ),
        expectation(
            "expect_column_values_to_be_between",
            dataset,
            "attributed_revenue_not_negative",
            "attributed revenue is not negative",
            column="attributed_revenue",
            min_value=0.0,
        ),
        expectation(
            "expect_column_values_to_be_between",
            f"{dataset}__shares",
            "shares_sum_to_one",
            f"per conversion and model the credit shares sum to 1 (within {RATIO_TOLERANCE:g})",
            column="abs_error",
            min_value=0.0,
            max_value=RATIO_TOLERANCE,
        ),
        expectation(
            "expect_column_values_to_be_between",
            f"{dataset}__models",
            "every_model_per_conversion",
            "every conversion has credits under every attribution model of the catalog",
            column="missing_models",
            min_value=0,
            max_value=0,
        ),
    ]
    return {
        "name": dataset,
        "expectations": expectations,
        "meta": {
            "mart": dataset,
            "schema": "marts",
            "key_columns": keys,
            "datasets": {
                dataset: {"description": "the mart as it is"},
                f"{dataset}__shares": {
                    "description": "per conversion_id and attribution_model: share_sum = sum of "
                    "credit_share, abs_error = |share_sum - 1|"
                },
                f"{dataset}__models": {
                    "description": "per conversion_id: missing_models = catalog attribution "
                    "models without a credit row",
                    "attribution_models": list(catalog.attribution_models),
                },
            },
        },
    }


MRR_MOVEMENTS = ("new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr")


def _mrr_suite() -> dict[str, Any]:
    """fct_mrr_monthly: the MRR bridge closes and each month starts where the last one ended."""
    dataset = "fct_mrr_monthly"
    expectations = [
        expectation(
            "expect_column_values_to_not_be_null",
            dataset,
            "key_not_null",
            "month is set",
            column="month",
        ),
        expectation(
            "expect_column_values_to_be_unique",
            dataset,
            "key_unique",
            "one row per month",
            column="month",
        ),
    ]
    expectations += [
        expectation(
            "expect_column_values_to_be_between",
            dataset,
            "mrr_not_negative",
            f"{column} is not negative (contraction and churn are positive numbers)",
            column=column,
            min_value=0.0,
        )
        for column in ("start_mrr", *MRR_MOVEMENTS, "mrr")
    ]
    expectations += [
        expectation(
            "expect_column_values_to_be_between",
            f"{dataset}__bridge",
            "mrr_bridge_closes",
            "start + new + reactivation + expansion - contraction - churned = month-end MRR "
            f"(within {RECONCILIATION_TOLERANCE:g})",
            column="bridge_difference",
            min_value=0.0,
            max_value=RECONCILIATION_TOLERANCE,
        ),
        expectation(
            "expect_column_values_to_be_between",
            f"{dataset}__bridge",
            "starts_where_last_month_ended",
            "start_mrr = the previous month's mrr (within "
            f"{RECONCILIATION_TOLERANCE:g}; not checked for the first month)",
            column="carry_difference",
            min_value=0.0,
            max_value=RECONCILIATION_TOLERANCE,
        ),
    ]
    return {
        "name": dataset,
        "expectations": expectations,
        "meta": {
            "mart": dataset,
            "schema": "marts",
            "key_columns": ["month"],
            "datasets": {
                dataset: {"description": "the mart as it is"},
                f"{dataset}__bridge": {
                    "description": "per month: bridge_difference = |start_mrr + new_mrr + "
                    "reactivation_mrr + expansion_mrr - contraction_mrr - churned_mrr - mrr|, "
                    "carry_difference = |start_mrr - previous month's mrr| (NULL for the first "
                    "month)"
                },
            },
        },
    }


def _dim_kpis_suite(catalog: Catalog) -> dict[str, Any]:
    """dim_kpis: one row per catalog KPI, no more, no fewer."""
    dataset = "dim_kpis"
    names = [kpi.name for kpi in catalog.kpis]
    return {
        "name": dataset,
        "expectations": [
            expectation(
                "expect_column_values_to_be_unique",
                dataset,
                "key_unique",
                "one row per KPI",
                column="kpi",
            ),
            expectation(
                "expect_column_distinct_values_to_equal_set",
                dataset,
                "every_catalog_kpi",
                "exactly the KPIs of the catalog",
                column="kpi",
                value_set=names,
            ),
        ],
        "meta": {
            "mart": dataset,
            "schema": "marts",
            "key_columns": ["kpi"],
            "datasets": {dataset: {"description": "the mart as it is"}},
        },
    }


def suites(catalog: Catalog) -> list[tuple[dict[str, Any], str]]:
    """(suite, what it is generated from) for every mart."""
    marts_source = "src/mkpi/generators/expectations.py"
    return [
        (_kpi_suite(catalog), "catalog/kpis.yml"),
        (_credits_suite(catalog), "catalog/kpis.yml"),
        (_dim_kpis_suite(catalog), "catalog/kpis.yml"),
        (_mrr_suite(), marts_source),
        (_reconciliation_suite(), marts_source),
        (_issues_suite(), marts_source),
    ]


def render(catalog: Catalog) -> dict[str, str]:
    return {
        f"{SUITE_DIR}/{suite['name']}.json": suite_text(suite, source)
        for suite, source in suites(catalog)
    }
