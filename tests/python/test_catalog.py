"""The KPI catalog: the project's catalog is valid, and a broken one fails with one named line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mkpi.catalog import CatalogError, load_catalog

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "catalog_small.yml"
PROJECT = HERE.parents[1]

# The shares the issue lists: unit `rate`, within [0, 1].
RATES = {
    "lead_to_mql_rate",
    "mql_to_sql_rate",
    "mql_to_customer_rate",
    "lead_to_customer_rate",
    "logo_churn_rate",
    "annual_logo_churn_rate",
    "gross_mrr_churn_rate",
    "repeat_customer_rate",
    "session_conversion_rate",
    "organic_conversion_rate",
    "repeat_visitor_rate",
    "money_keyword_page_one_share",
}
# Multipliers that may exceed 1: unit `ratio`.
MULTIPLIERS = {
    "roas",
    "poas",
    "romi",
    "net_revenue_retention",
    "organic_traffic_growth_mom",
    "organic_traffic_growth_yoy",
    "ltv_cac_ratio",
    "purchase_frequency_12m",
    "pages_per_session",
}


def test_project_catalog_loads() -> None:
    catalog = load_catalog(PROJECT / "catalog" / "kpis.yml")
    assert len(catalog.kpis) == 50
    units = {kpi.name: kpi.unit for kpi in catalog.kpis}
    assert {name for name, unit in units.items() if unit == "rate"} == RATES
    assert {name for name, unit in units.items() if unit == "ratio"} == MULTIPLIERS


def test_project_catalog_thresholds_from_the_spec() -> None:
    kpis = load_catalog(PROJECT / "catalog" / "kpis.yml").by_name()
    ltv_cac = kpis["ltv_cac_ratio"].thresholds
    assert ltv_cac is not None
    assert ltv_cac.resolved("services") == {"healthy": ("gte", 3.0), "critical": ("lt", 1.0)}
    roas = kpis["roas"].thresholds
    assert roas is not None
    assert roas.resolved("ecommerce")["healthy"] == ("gte", 3.0)
    assert roas.resolved("services")["healthy"] == ("gte", 5.0)
    for kpi in kpis.values():
        if kpi.thresholds:
            assert kpi.thresholds.source.strip(), kpi.name


def test_default_attribution_model_matches_the_dbt_var() -> None:
    catalog = load_catalog(PROJECT / "catalog" / "kpis.yml")
    project = yaml.safe_load((PROJECT / "dbt_project.yml").read_text())
    assert project["vars"]["default_attribution_model"] == catalog.default_attribution_model


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "kpis.yml"
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    unit: rate\n",
            "    unit: percentage\n",
            "kpi 'lead_to_mql_rate' field 'unit': Input should be",
        ),
        (
            "    denominator: media_cost\n",
            "",
            "kpi 'roas' field 'denominator': a ratio needs a numerator and a denominator",
        ),
        (
            "    numerator: cohort_mqls\n",
            "    numerator: cohort_sqls\n",
            "kpi 'lead_to_mql_rate' field 'numerator': uses cohort_sqls, which is not in inputs",
        ),
        (
            "  - name: lead_to_mql_rate\n",
            "  - name: leads\n",
            "kpi 'leads' field 'name': defined twice",
        ),
        (
            "    reconciles_to: leads\n",
            "    reconciles_to: visitors\n",
            "kpi 'leads' field 'reconciles_to': visitors is not a KPI of the catalog",
        ),
        (
            "    unit: rate\n",
            "    unit: rate\n    may_be_negative: true\n",
            "kpi 'lead_to_mql_rate' field 'may_be_negative': a rate lies within [0, 1]",
        ),
        (
            "    dimensions: [total]\n",
            "    dimensions: [total, region]\n",
            "kpi 'lead_to_mql_rate' field 'dimensions.1': Input should be",
        ),
        (
            "    value: leads\n",
            "",
            "kpi 'leads' field 'value': a count KPI needs a value expression",
        ),
        (
            "default_attribution_model: last_touch",
            "default_attribution_model: markov",
            "field 'default_attribution_model': markov is not in attribution_models",
        ),
        (
            "    dimensions: [total]\n",
            "    dimensions: [total]\n    measures: {cohort_sqls: sqls}\n",
            "kpi 'lead_to_mql_rate' field 'measures': maps cohort_sqls, which is not in inputs",
        ),
        (
            "    dimensions: [total]\n",
            "    dimensions: [total]\n    rows_when: [leads or 1]\n",
            "kpi 'lead_to_mql_rate' field 'rows_when': leads or 1 is not a column name",
        ),
    ],
    ids=[
        "bad_unit",
        "ratio_without_denominator",
        "unknown_input",
        "duplicate_name",
        "unknown_reconciliation_target",
        "negative_rate",
        "bad_dimension",
        "count_without_value",
        "unknown_default_model",
        "measure_of_unknown_input",
        "rows_when_not_a_column",
    ],
)
def test_broken_catalog_fails_with_one_named_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(CatalogError) as raised:
        load_catalog(_broken(tmp_path, old, new))
    text = str(raised.value)
    assert "\n" not in text
    assert text.startswith("kpis.yml: ")
    assert message in text


def test_broken_catalog_makes_generate_fail_with_the_line(tmp_path: Path, capsys) -> None:
    import argparse

    from mkpi import generate

    broken = _broken(tmp_path, "    unit: rate\n", "    unit: percentage\n")
    code = generate.run(argparse.Namespace(root=tmp_path, catalog=broken, check=False))
    assert code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: kpis.yml: kpi 'lead_to_mql_rate' field 'unit'")
    assert not (tmp_path / "macros").exists()
