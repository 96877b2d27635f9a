"""Measures wide, KPIs long, once (issue 14).

1. The sample build's fct_kpis, attribution credits and MRR facts are bit for bit what they were
   before the KPI rows came from the wide measures models and kpi_rows (stored fingerprint,
   marts_fingerprint.py).
2. A ratio KPI over existing measures is a catalog entry only: added to a copy of the project's
   catalog, `mkpi generate` and a build give its fct_kpis rows, equal to numerator / denominator
   computed here from the wide measures model, on the rows the catalog's grid rule asks for.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from marts_fingerprint import MARTS, fingerprint, pg_fingerprint

from mkpi.paths import project_root, sample_dir
from mkpi.pg import PgSettings, connect

FINGERPRINT = Path(__file__).parent / "fixtures" / "sample_marts_fingerprint.json"
SELECT = ["--select", *(f"+{mart}" for mart in MARTS)]
MODELS_ONLY = ["--exclude-resource-type", "test", "unit_test"]  # seeds and models

NEW_KPI = {
    "name": "cost_per_sql",
    "label": "Cost per SQL",
    "family": "acquisition",
    "description": "Marketing cost of the month divided by the SQLs of the month (test only).",
    "kind": "ratio",
    "unit": "currency",
    "inputs": ["marketing_cost", "sqls"],
    "numerator": "marketing_cost",
    "denominator": "sqls",
    "rows_when": ["marketing_cost_lines", "sqls"],
    "dimensions": ["total", "channel", "campaign"],
    "direction": "lower_is_better",
    "funnel_tier": "middle",
}


def test_sample_kpi_facts_are_identical_to_the_stored_fingerprint(tmp_path: Path) -> None:
    result, database = run_dbt(
        ["build", "--full-refresh", *SELECT, *MODELS_ONLY], sample_dir(), tmp_path, "sample"
    )
    assert result.returncode == 0, result.stdout[-3000:]
    expected = json.loads(FINGERPRINT.read_text(encoding="utf-8"))["duckdb"]
    found = fingerprint(database)
    assert found["fct_kpis"]["rows"] > 30000, found  # the whole sample, not an empty build
    assert found == expected


def test_sample_kpi_facts_on_postgres_are_identical_to_the_stored_fingerprint(
    tmp_path: Path, pg_settings: PgSettings
) -> None:
    settings, env = fresh_pg_database(pg_settings, "marketing_fingerprint_test")
    mkpi("load-postgres", "--dir", str(sample_dir()), extra_env=env)
    result, _ = run_dbt(
        ["build", "--full-refresh", "--target", "postgres", *SELECT, *MODELS_ONLY],
        sample_dir(),
        tmp_path,
        "pg",
        env,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    expected = json.loads(FINGERPRINT.read_text(encoding="utf-8"))["postgres"]
    connection = connect(settings)
    try:
        found = pg_fingerprint(connection)
    finally:
        connection.close()
    assert found["fct_kpis"]["rows"] > 30000, found
    assert found == expected


def test_the_fingerprint_sees_one_changed_bit(tmp_path: Path) -> None:
    """The digest is exact: one value off by one ulp gives another fingerprint."""
    database = tmp_path / "tiny.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema marts")
        for mart in MARTS:
            connection.execute(f"create table marts.{mart} (k integer, v double)")
            connection.execute(
                f"insert into marts.{mart} values (1, 0.1::double + 0.2::double), (2, 0.5)"
            )
    before = fingerprint(database)
    with duckdb.connect(str(database)) as connection:
        connection.execute("update marts.fct_kpis set v = 0.3 where k = 1")  # 0.1 + 0.2 != 0.3
    after = fingerprint(database)
    assert before["fct_kpis"] != after["fct_kpis"]
    assert before["fct_mrr_monthly"] == after["fct_mrr_monthly"]


def copy_project(destination: Path) -> Path:
    """The dbt project and its catalog, without builds, data or the virtualenv."""
    root = project_root()
    shutil.copytree(
        root,
        destination,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "target", "logs", "data", "dbt_packages", "__pycache__", "*.duckdb"
        ),
    )
    return destination


def test_a_ratio_kpi_added_to_a_copy_of_the_catalog_gets_its_rows(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    catalog_path = project / "catalog" / "kpis.yml"
    catalog = yaml.safe_load(catalog_path.read_text(encoding="utf-8"))
    assert NEW_KPI["name"] not in {kpi["name"] for kpi in catalog["kpis"]}
    catalog["kpis"].append(NEW_KPI)
    catalog_path.write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    mkpi("generate", "--catalog", str(catalog_path), "--root", str(project))
    assert "kpi_cost_per_sql_numerator" in (
        project / "macros" / "generated" / "kpi_formulas.sql"
    ).read_text(encoding="utf-8")

    result, database = run_dbt(
        ["build", "--select", "+fct_kpis", *MODELS_ONLY, "--project-dir", str(project)],
        sample_dir(),
        tmp_path,
        "added",
        extra_env={"DBT_PROFILES_DIR": str(project)},
    )
    assert result.returncode == 0, result.stdout[-3000:]

    with duckdb.connect(str(database), read_only=True) as connection:
        kpi_rows = {
            (month, dimension, value_of): (numerator, denominator, value)
            for month, dimension, value_of, numerator, denominator, value in connection.sql(
                "select month, dimension, dimension_value, numerator, denominator, value"
                " from marts.fct_kpis where kpi = 'cost_per_sql'"
            ).fetchall()
        }
        measures = connection.sql(
            "select month, dimension, dimension_value, cast(marketing_cost as double),"
            " sqls, marketing_cost_lines"
            " from intermediate.int_acquisition_measures_by_dimension"
        ).fetchall()

    # the grid rule, worked out here: the total in every month; another value in every month
    # when it has a marketing cost line or an SQL in any month
    activity: dict[tuple[str, str], int] = {}
    for _, dimension, value_of, _, sqls, lines in measures:
        key = (dimension, value_of)
        activity[key] = activity.get(key, 0) + sqls + lines
    expected = {}
    for month, dimension, value_of, cost, sqls, _ in measures:
        if dimension == "total" or activity[(dimension, value_of)] > 0:
            expected[(month, dimension, value_of)] = (
                cost,
                float(sqls),
                None if sqls == 0 else cost / sqls,
            )
    assert len(expected) > 100
    assert kpi_rows.keys() == expected.keys()
    for key, (numerator, denominator, value) in expected.items():
        assert kpi_rows[key][:2] == (numerator, denominator), key
        if value is None:
            assert kpi_rows[key][2] is None, key
        else:
            assert kpi_rows[key][2] == pytest.approx(value, rel=1e-12), key
    # real values, and channels without SQLs but with cost have rows with a NULL value
    assert sum(1 for row in kpi_rows.values() if row[2] is not None and row[2] > 0) > 20
    assert any(row[2] is None and row[0] > 0 for row in kpi_rows.values())
