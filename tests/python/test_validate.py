"""Each kind of generated expectation fails on a mart that breaks it, passes on one that does not.

The suite is generated from tests/python/fixtures/catalog_small.yml (leads: a count whose channel
rows add up to the total; roas: an attributed ratio; lead_to_mql_rate: a rate). The good frame and
every broken one are written by hand below; each case lists exactly which (rule, kpi) must fail.
Every frame becomes a table in a real DuckDB database (and, for the PostgreSQL tests, a real
PostgreSQL one), where validate runs the checks as SQL. great-expectations, run on the same rows
(each dataset fetched from DuckDB as a dataframe), is the oracle of what every expectation type
means: the SQL must give GX's success, element count and unexpected count on every case.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import itertools
import json
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from mkpi import validate
from mkpi.catalog import load_catalog
from mkpi.generators import expectations
from mkpi.pg import PgSettings
from mkpi.pg import connect as pg_connect

HERE = Path(__file__).resolve().parent
SMALL = HERE / "fixtures" / "catalog_small.yml"
JAN, FEB = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")
COLUMNS = [
    "kpi",
    "month",
    "dimension",
    "dimension_value",
    "attribution_model",
    "numerator",
    "denominator",
    "value",
]


def good_kpis() -> pd.DataFrame:
    rows = [
        # leads: total = email + paid_search in both months
        ("leads", JAN, "total", "all", None, None, None, 10.0),
        ("leads", FEB, "total", "all", None, None, None, 12.0),
        ("leads", JAN, "channel", "email", None, None, None, 4.0),
        ("leads", FEB, "channel", "email", None, None, None, 5.0),
        ("leads", JAN, "channel", "paid_search", None, None, None, 6.0),
        ("leads", FEB, "channel", "paid_search", None, None, None, 7.0),
        # roas: total rows without a model (February has no media cost: NULL value)
        ("roas", JAN, "total", "all", None, 300.0, 100.0, 3.0),
        ("roas", FEB, "total", "all", None, 50.0, 0.0, None),
        ("lead_to_mql_rate", JAN, "total", "all", None, 5.0, 10.0, 0.5),
        ("lead_to_mql_rate", FEB, "total", "all", None, 3.0, 12.0, 0.25),
    ]
    # roas channel rows: one per model, value = numerator / denominator
    for model, share in (("first_touch", 0.25), ("last_touch", 0.75)):
        for month in (JAN, FEB):
            for channel, cost in (("email", 40.0), ("paid_search", 60.0)):
                revenue = 300.0 * share
                rows.append(
                    ("roas", month, "channel", channel, model, revenue, cost, revenue / cost)
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def where(frame: pd.DataFrame, **equals: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in equals.items():
        mask &= frame[column].isna() if value is None else frame[column] == value
    assert mask.any(), equals
    return mask


@pytest.fixture(scope="module")
def suite() -> dict:
    return json.loads(validate_text())


def validate_text() -> str:
    rendered = expectations.render(load_catalog(SMALL))
    return rendered["expectations/fct_kpis.json"]


@contextlib.contextmanager
def duckdb_mart(suite: dict, frame: pd.DataFrame) -> Iterator[validate.Session]:
    """An in-memory DuckDB database holding `frame` as the suite's mart, and a session on it."""
    connection = duckdb.connect()
    meta = suite["meta"]
    connection.execute(f"create schema {meta['schema']}")
    connection.register("frame", frame)
    connection.execute(f"create table {meta['schema']}.{meta['mart']} as select * from frame")
    connection.unregister("frame")
    session = validate.Session(connection, "duckdb")
    try:
        yield session
    finally:
        session.close()


def run(suite: dict, frame: pd.DataFrame) -> list[validate.Outcome]:
    with duckdb_mart(suite, frame) as session:
        outcomes = validate.run_suite(suite, session)
    assert len(outcomes) == len(suite["expectations"])
    return outcomes


def failures(suite: dict, frame: pd.DataFrame) -> dict[tuple[str, str | None], validate.Outcome]:
    return {(o.rule, o.kpi): o for o in run(suite, frame) if not o.success}


def test_good_frame_passes(suite: dict) -> None:
    assert failures(suite, good_kpis()) == {}


def _set(column: str, value: object, **row: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[where(frame, **row), column] = value
        return frame

    return change


def _chain(*changes: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        for step in changes:
            frame = step(frame)
        return frame

    return change


RATE_JAN = {"kpi": "lead_to_mql_rate", "month": JAN}
LEADS_TOTAL_JAN = {"kpi": "leads", "month": JAN, "dimension": "total"}
ROAS_EMAIL_JAN_LAST = {
    "kpi": "roas",
    "month": JAN,
    "dimension_value": "email",
    "attribution_model": "last_touch",
}

BROKEN: dict[str, tuple[Callable[[pd.DataFrame], pd.DataFrame], set[tuple[str, str | None]]]] = {
    "duplicate_key": (
        lambda frame: pd.concat([frame, frame[where(frame, **RATE_JAN)]], ignore_index=True),
        {("key_unique", None)},
    ),
    "null_key": (_set("month", pd.NaT, **RATE_JAN), {("key_not_null", None)}),
    "unknown_kpi": (
        lambda frame: pd.concat(
            [
                frame,
                pd.DataFrame(
                    [("visitors", JAN, "total", "all", None, None, None, 3.0)], columns=COLUMNS
                ),
            ],
            ignore_index=True,
        ),
        {("kpi_known", None)},
    ),
    "missing_kpi": (
        lambda frame: frame[frame["kpi"] != "lead_to_mql_rate"].reset_index(drop=True),
        {("kpi_present", None)},
    ),
    "unknown_dimension": (
        _set("dimension", "region", kpi="lead_to_mql_rate", month=FEB),
        {
            ("dimension_known", None),
            ("kpi_dimensions", "lead_to_mql_rate"),
            ("grid_complete", "lead_to_mql_rate"),
        },
    ),
    "dimension_of_another_kpi": (
        _set("dimension", "channel", kpi="lead_to_mql_rate", month=FEB),
        {("kpi_dimensions", "lead_to_mql_rate"), ("grid_complete", "lead_to_mql_rate")},
    ),
    "total_not_all": (
        _set("dimension_value", "everything", **LEADS_TOTAL_JAN),
        {("total_is_all", None), ("grid_complete", "leads")},
    ),
    "unknown_model": (
        _set("attribution_model", "markov", **ROAS_EMAIL_JAN_LAST),
        {("attribution_model_known", None), ("grid_complete", "roas")},
    ),
    "attributed_row_without_model": (
        _set("attribution_model", None, **ROAS_EMAIL_JAN_LAST),
        {("attribution_model_set", "roas"), ("grid_complete", "roas")},
    ),
    "model_on_unattributed_kpi": (
        _set("attribution_model", "first_touch", **LEADS_TOTAL_JAN),
        {("attribution_model_null", "leads"), ("grid_complete", "leads")},
    ),
    "model_on_attributed_total": (
        _set("attribution_model", "first_touch", kpi="roas", month=JAN, dimension="total"),
        {("attribution_model_null", "roas"), ("grid_complete", "roas")},
    ),
    "rate_above_one": (
        _chain(_set("numerator", 15.0, **RATE_JAN), _set("value", 1.5, **RATE_JAN)),
        {("value_rate_bounds", "lead_to_mql_rate")},
    ),
    "negative_count": (
        # consistent with its total, so only the sign is wrong
        _chain(
            _set("value", -1.0, kpi="leads", month=JAN, dimension_value="email"),
            _set("value", 5.0, **LEADS_TOTAL_JAN),
        ),
        {("value_count_bounds", "leads")},
    ),
    "negative_numerator": (
        _chain(
            _set("numerator", -10.0, **ROAS_EMAIL_JAN_LAST),
            _set("value", -0.25, **ROAS_EMAIL_JAN_LAST),
        ),
        {("numerator_not_negative", "roas"), ("value_ratio_bounds", "roas")},
    ),
    "negative_denominator": (
        _chain(
            _set("numerator", -3.0, kpi="lead_to_mql_rate", month=FEB),
            _set("denominator", -12.0, kpi="lead_to_mql_rate", month=FEB),
        ),
        {
            ("numerator_not_negative", "lead_to_mql_rate"),
            ("denominator_not_negative", "lead_to_mql_rate"),
        },
    ),
    "count_with_numerator": (
        _set("numerator", 10.0, **LEADS_TOTAL_JAN),
        {("numerator_null", "leads")},
    ),
    "count_with_denominator": (
        _set("denominator", 1.0, **LEADS_TOTAL_JAN),
        {("denominator_null", "leads")},
    ),
    "null_count": (
        _set("value", None, kpi="leads", month=FEB, dimension="total"),
        {("value_not_null", "leads"), ("channels_add_up_to_total", "leads")},
    ),
    "value_not_numerator_over_denominator": (
        _set("value", 5.625 * (1 + 1e-6), **ROAS_EMAIL_JAN_LAST),
        {("value_is_numerator_over_denominator", "roas")},
    ),
    "ratio_value_missing": (
        _set("value", None, **RATE_JAN),
        {("value_is_numerator_over_denominator", "lead_to_mql_rate")},
    ),
    "value_despite_zero_denominator": (
        _set("value", 0.0, kpi="roas", month=FEB, dimension="total"),
        {("null_when_denominator_zero", "roas")},
    ),
    "value_despite_null_denominator": (
        _chain(
            _set("denominator", None, kpi="lead_to_mql_rate", month=FEB),
        ),
        {("null_when_denominator_zero", "lead_to_mql_rate")},
    ),
    "channels_do_not_add_up": (
        _set("value", 11.0, **LEADS_TOTAL_JAN),
        {("channels_add_up_to_total", "leads")},
    ),
    "missing_grid_row": (
        lambda frame: frame[~where(frame, **ROAS_EMAIL_JAN_LAST)].reset_index(drop=True),
        {("grid_complete", "roas")},
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_frame_fails_exactly_the_broken_rules(suite: dict, case: str) -> None:
    change, expected = BROKEN[case]
    failed = failures(suite, change(good_kpis()))
    assert set(failed) == expected
    for (_, kpi), outcome in failed.items():
        assert outcome.examples, outcome
        if kpi is not None:
            assert f"kpi={kpi}" in outcome.examples[0] or outcome.rule == "kpi_present"


OK_CHANGES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "ratio_within_relative_tolerance": _set("value", 5.625 * (1 + 1e-12), **ROAS_EMAIL_JAN_LAST),
    "channels_within_tolerance": _set("value", 10.005, **LEADS_TOTAL_JAN),
    "rate_of_exactly_one": _chain(
        _set("numerator", 10.0, **RATE_JAN), _set("value", 1.0, **RATE_JAN)
    ),
    "zero_count": _chain(
        _set("value", 0.0, kpi="leads", month=FEB),
    ),
}


@pytest.mark.parametrize("case", list(OK_CHANGES))
def test_frame_within_the_rules_passes(suite: dict, case: str) -> None:
    assert failures(suite, OK_CHANGES[case](good_kpis())) == {}


def test_examples_name_the_kpi_and_the_rows(suite: dict) -> None:
    frame = _chain(_set("numerator", 15.0, **RATE_JAN), _set("value", 1.5, **RATE_JAN))(good_kpis())
    outcome = failures(suite, frame)[("value_rate_bounds", "lead_to_mql_rate")]
    assert outcome.unexpected_count == 1
    assert outcome.examples == [
        "kpi=lead_to_mql_rate month=2026-01-01 dimension=total dimension_value=all "
        "attribution_model=NULL value=1.5 numerator=15 denominator=10"
    ]
    text = validate.summary(run(suite, frame))
    assert "FAIL [value_rate_bounds] kpi lead_to_mql_rate" in text
    assert "month=2026-01-01" in text


# ------------------------------------------------------------------- the other marts' suites
def other_suite(name: str) -> dict:
    return json.loads(expectations.render(load_catalog(SMALL))[f"expectations/{name}.json"])


def good_credits() -> pd.DataFrame:
    rows = []
    # c1: two touches; first_touch gives all to t1, last_touch to t2. c2: no touch (unattributed)
    for model, shares in (("first_touch", (1.0, 0.0)), ("last_touch", (0.0, 1.0))):
        for touch, channel, share in (("t1", "email", shares[0]), ("t2", "paid_search", shares[1])):
            rows.append(("c1", model, touch, channel, share, 100.0 * share))
        rows.append(("c2", model, None, "unattributed", 1.0, 50.0))
    columns = [
        "conversion_id",
        "attribution_model",
        "touchpoint_id",
        "channel",
        "credit_share",
        "attributed_revenue",
    ]
    return pd.DataFrame(rows, columns=columns)


def good_mrr() -> pd.DataFrame:
    # start + new + reactivation + expansion - contraction - churned = mrr; next start = mrr
    return pd.DataFrame(
        {
            "month": [JAN, FEB, pd.Timestamp("2026-03-01")],
            "start_mrr": [0.0, 100.0, 130.0],
            "new_mrr": [100.0, 40.0, 0.0],
            "reactivation_mrr": [0.0, 0.0, 10.0],
            "expansion_mrr": [0.0, 10.0, 5.0],
            "contraction_mrr": [0.0, 5.0, 0.0],
            "churned_mrr": [0.0, 15.0, 45.0],
            "mrr": [100.0, 130.0, 100.0],
        }
    )


def good_dim_kpis() -> pd.DataFrame:
    return pd.DataFrame({"kpi": ["leads", "roas", "lead_to_mql_rate"]})


OTHER_MARTS: dict[str, Callable[[], pd.DataFrame]] = {
    "fct_attribution_credits": good_credits,
    "fct_mrr_monthly": good_mrr,
    "dim_kpis": good_dim_kpis,
}


def other_failures(name: str, frame: pd.DataFrame) -> set[str]:
    return {outcome.rule for outcome in run(other_suite(name), frame) if not outcome.success}


@pytest.mark.parametrize("name", list(OTHER_MARTS))
def test_other_marts_good_frames_pass(name: str) -> None:
    assert other_failures(name, OTHER_MARTS[name]()) == set()


OTHER_BROKEN = {
    "shares_do_not_sum_to_one": (
        "fct_attribution_credits",
        _set("credit_share", 0.9, conversion_id="c2", attribution_model="last_touch"),
        {"shares_sum_to_one"},
    ),
    "conversion_without_a_model": (
        "fct_attribution_credits",
        lambda frame: frame[~where(frame, conversion_id="c2", attribution_model="last_touch")],
        {"every_model_per_conversion"},
    ),
    "share_above_one": (
        "fct_attribution_credits",
        _chain(
            _set(
                "credit_share",
                1.5,
                conversion_id="c1",
                attribution_model="first_touch",
                touchpoint_id="t1",
            ),
            _set(
                "credit_share",
                -0.5,
                conversion_id="c1",
                attribution_model="first_touch",
                touchpoint_id="t2",
            ),
        ),
        {"credit_share_within_0_1"},
    ),
    "unknown_credit_model": (
        "fct_attribution_credits",
        lambda frame: pd.concat(
            [
                frame,
                frame[where(frame, conversion_id="c2", attribution_model="last_touch")].assign(
                    attribution_model="markov"
                ),
            ],
            ignore_index=True,
        ),
        {"attribution_model_known"},
    ),
    "bridge_does_not_close": (
        "fct_mrr_monthly",
        _set("expansion_mrr", 12.0, month=FEB),
        {"mrr_bridge_closes"},
    ),
    "month_does_not_start_where_last_ended": (
        "fct_mrr_monthly",
        # consistent bridge in March, but its start is not February's end
        _chain(
            _set("start_mrr", 120.0, month=pd.Timestamp("2026-03-01")),
            _set("mrr", 90.0, month=pd.Timestamp("2026-03-01")),
        ),
        {"starts_where_last_month_ended"},
    ),
    "negative_churn": (
        "fct_mrr_monthly",
        # the bridge still closes: 100 + 40 + 0 + 10 - 35 - (-15) = 130
        _chain(_set("churned_mrr", -15.0, month=FEB), _set("contraction_mrr", 35.0, month=FEB)),
        {"mrr_not_negative"},
    ),
    "kpi_missing_from_dim_kpis": (
        "dim_kpis",
        lambda frame: frame[frame["kpi"] != "roas"],
        {"every_catalog_kpi"},
    ),
    "kpi_twice_in_dim_kpis": (
        "dim_kpis",
        lambda frame: pd.concat([frame, frame.head(1)], ignore_index=True),
        {"key_unique"},
    ),
}


@pytest.mark.parametrize("case", list(OTHER_BROKEN))
def test_other_marts_broken_frames_fail_exactly_the_broken_rules(case: str) -> None:
    name, change, expected = OTHER_BROKEN[case]
    assert other_failures(name, change(OTHER_MARTS[name]()).reset_index(drop=True)) == expected


# ------------------------------------------------------------------------- the command
def _marts(kpis: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every mart a suite names: `kpis` as fct_kpis, the others good."""
    reconciliation = pd.DataFrame(
        {
            "source_table": list(validate_tables()),
            "raw_rows": 3,
            "clean_rows": 2,
            "rejected_rows": 1,
            "collapsed_duplicates": 0,
        }
    )
    issues = pd.DataFrame(
        {
            "source_table": ["leads"],
            "issue_type": ["rejected_row"],
            "issue": ["bad"],
            "affected_rows": [1],
        }
    )
    return {
        "fct_kpis": kpis,
        "fct_raw_row_reconciliation": reconciliation,
        "fct_data_quality_issues": issues,
        **{mart: make() for mart, make in OTHER_MARTS.items()},
    }


def _warehouse(path: Path, kpis: pd.DataFrame) -> None:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        for name, frame in _marts(kpis).items():
            connection.register("frame", frame)
            connection.execute(f"create table marts.{name} as select * from frame")
            connection.unregister("frame")


def validate_tables() -> tuple[str, ...]:
    from mkpi.raw_contract import raw_table_names

    return raw_table_names()


def _suites(tmp_path: Path) -> Path:
    folder = tmp_path / "suites"
    folder.mkdir()
    for relative, text in expectations.render(load_catalog(SMALL)).items():
        (folder / Path(relative).name).write_text(text)
    return folder


def _args(database: Path, suites: Path) -> argparse.Namespace:
    return argparse.Namespace(
        target="duckdb",
        duckdb_path=database,
        suite=None,
        suites_dir=suites,
        examples=3,
        no_write=False,
    )


def test_command_passes_writes_results_and_fails_on_a_broken_mart(tmp_path: Path, capsys) -> None:
    suites = _suites(tmp_path)
    good = tmp_path / "good.duckdb"
    _warehouse(good, good_kpis())
    assert validate.run(_args(good, suites)) == 0
    out = capsys.readouterr().out
    assert "validate: passed" in out
    with duckdb.connect(str(good), read_only=True) as connection:
        rows = connection.execute(
            "select suite, count(*), bool_and(success) from marts.data_validation_results "
            "group by suite order by suite"
        ).fetchall()
    assert [row[0] for row in rows] == [
        "dim_kpis",
        "fct_attribution_credits",
        "fct_data_quality_issues",
        "fct_kpis",
        "fct_mrr_monthly",
        "fct_raw_row_reconciliation",
    ]
    assert all(row[2] for row in rows)

    broken = tmp_path / "broken.duckdb"
    frame = _chain(_set("numerator", 15.0, **RATE_JAN), _set("value", 1.5, **RATE_JAN))(good_kpis())
    _warehouse(broken, frame)
    assert validate.run(_args(broken, suites)) == 1
    out = capsys.readouterr().out
    assert "FAIL [value_rate_bounds] kpi lead_to_mql_rate" in out
    assert "kpi=lead_to_mql_rate month=2026-01-01" in out
    assert "validate: FAILED - 1 of" in out
    with duckdb.connect(str(broken), read_only=True) as connection:
        failed = connection.execute(
            "select kpi, rule, unexpected_count, example from marts.data_validation_results "
            "where not success"
        ).fetchall()
    assert len(failed) == 1
    assert failed[0][:3] == ("lead_to_mql_rate", "value_rate_bounds", 1)
    assert "month=2026-01-01" in failed[0][3]


def test_command_reports_a_missing_database(tmp_path: Path, capsys) -> None:
    assert validate.run(_args(tmp_path / "absent.duckdb", _suites(tmp_path))) == 2
    assert "run dbt build first" in capsys.readouterr().err


# ----------------------------------------------- great-expectations, the oracle of the SQL
@functools.cache
def gx_context() -> Any:
    """One ephemeral GX context: nothing on disk, no usage statistics."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.enable_analytics(False)
    return context


_SOURCES = itertools.count(1)
Verdict = tuple[bool, int | None, int | None]


def gx_verdicts(suite: dict, frame: pd.DataFrame) -> list[Verdict]:
    """(success, element_count, unexpected_count) of every expectation as GX 1.x says, run on
    the suite's datasets as the warehouse computes them (fetched from DuckDB as dataframes)."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    with duckdb_mart(suite, frame) as session:
        frames = {
            name: session.connection.execute(f"select * from ({sql}) as d").df()
            for name, sql in validate.dataset_queries(suite).items()
        }
    source = gx_context().data_sources.add_pandas(f"oracle_{next(_SOURCES)}")
    verdicts: dict[int, Verdict] = {}
    for dataset, data in frames.items():
        gx_suite = gx.ExpectationSuite(name=f"{suite['name']}:{dataset}")
        for index, config in enumerate(suite["expectations"]):
            if config["meta"]["dataset"] == dataset:
                gx_suite.add_expectation(
                    ExpectationConfiguration(
                        type=config["type"], kwargs=config["kwargs"], meta={"index": index}
                    ).to_domain_obj()
                )
        if not gx_suite.expectations:
            continue
        batch = (
            source.add_dataframe_asset(dataset)
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": data})
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            validation = batch.validate(gx_suite, result_format={"result_format": "SUMMARY"})
        for item in validation.results:
            result = item.result or {}
            verdicts[item.expectation_config.meta["index"]] = (
                bool(item.success),
                result.get("element_count"),
                result.get("unexpected_count", result.get("missing_count")),
            )
    return [verdicts[index] for index in range(len(suite["expectations"]))]


def sql_verdicts(suite: dict, frame: pd.DataFrame) -> list[Verdict]:
    return [(o.success, o.element_count, o.unexpected_count) for o in run(suite, frame)]


def _edge_frames() -> dict[str, tuple[str, pd.DataFrame]]:
    """NULLs and repeats where GX's rules on them matter (row conditions, set and unique rules)."""
    kpis = good_kpis()
    kpis.loc[0, "kpi"] = None
    kpis.loc[1, "dimension"] = None
    kpis.loc[2, "attribution_model"] = "nonsense"
    kpis.loc[len(kpis) - 1, "dimension"] = None  # a roas channel row: `dimension != 'total'`
    return {
        "kpis_with_null_keys": ("fct_kpis", kpis),
        "dim_kpis_null_and_repeats": (
            "dim_kpis",
            pd.DataFrame({"kpi": ["leads", "roas", None, None, "zzz", "zzz"]}),
        ),
        "issues_all_null_keys": (
            "fct_data_quality_issues",
            pd.DataFrame(
                {
                    "source_table": [None, None, "leads", "leads", "nowhere"],
                    "issue_type": [None, None, "x", "x", "x"],
                    "issue": [None, None, "y", "y", None],
                    "affected_rows": [1, 0, 1, 1, 2],
                }
            ),
        ),
        "empty_credits": ("fct_attribution_credits", good_credits().head(0)),
    }


def oracle_cases() -> dict[str, tuple[str, pd.DataFrame]]:
    cases = {"good_kpis": ("fct_kpis", good_kpis())}
    cases |= {
        f"broken:{name}": ("fct_kpis", change(good_kpis())) for name, (change, _) in BROKEN.items()
    }
    cases |= {
        f"ok:{name}": ("fct_kpis", change(good_kpis())) for name, change in OK_CHANGES.items()
    }
    cases |= {f"good:{name}": (name, make()) for name, make in OTHER_MARTS.items()}
    cases |= {
        f"broken:{case}": (name, change(OTHER_MARTS[name]()).reset_index(drop=True))
        for case, (name, change, _) in OTHER_BROKEN.items()
    }
    return cases | _edge_frames()


@pytest.mark.parametrize("case", list(oracle_cases()))
def test_sql_gives_the_verdicts_of_great_expectations(case: str) -> None:
    name, frame = oracle_cases()[case]
    suite = other_suite(name)
    assert sql_verdicts(suite, frame) == gx_verdicts(suite, frame)


def test_gx_stays_offline_and_writes_nothing(
    suite: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No socket is opened and no GX folder appears while GX and the SQL checks run."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("great-expectations tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.chdir(tmp_path)
    assert all(verdict[0] for verdict in gx_verdicts(suite, good_kpis()))
    assert all(outcome.success for outcome in run(suite, good_kpis()))
    assert list(tmp_path.iterdir()) == []
    assert os.environ["GX_ANALYTICS_ENABLED"] == "false"


# ------------------------------------------------------------------------------ PostgreSQL
def _pg_type(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    values = series.dropna()
    if pd.api.types.is_float_dtype(series) or (
        len(values) and all(isinstance(v, int | float) for v in values)
    ):
        return "double precision"
    if len(values) and all(isinstance(v, pd.Timestamp) for v in values):
        return "date"
    return "text"


def _pg_value(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def pg_load(settings: PgSettings, schema: str, tables: dict[str, pd.DataFrame]) -> None:
    """Create `schema` afresh with one table per frame (types from the dtypes)."""
    connection = pg_connect(settings)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"drop schema if exists {schema} cascade")
            cursor.execute(f"create schema {schema}")
            for name, frame in tables.items():
                columns = ", ".join(f"{c} {_pg_type(frame[c])}" for c in frame.columns)
                cursor.execute(f"create table {schema}.{name} ({columns})")
                placeholders = ", ".join("%s" for _ in frame.columns)
                rows = [tuple(_pg_value(v) for v in row) for row in frame.itertuples(index=False)]
                cursor.executemany(f"insert into {schema}.{name} values ({placeholders})", rows)
        connection.commit()
    finally:
        connection.close()


@pytest.fixture
def pg_schema(pg_settings: PgSettings) -> Iterator[str]:
    schema = f"validate_test_{os.getpid()}"
    yield schema
    connection = pg_connect(pg_settings)
    with connection.cursor() as cursor:
        cursor.execute(f"drop schema if exists {schema} cascade")
    connection.commit()
    connection.close()


def _comparable(outcomes: list[validate.Outcome]) -> list[tuple]:
    return [
        (o.rule, o.kpi, o.success, o.element_count, o.unexpected_count, bool(o.examples))
        for o in outcomes
    ]


@pytest.mark.parametrize("case", list(oracle_cases()))
def test_postgres_gives_the_verdicts_of_duckdb(
    case: str, pg_settings: PgSettings, pg_schema: str
) -> None:
    """The same SQL on PostgreSQL: the same verdicts, counts and examples as on DuckDB."""
    name, frame = oracle_cases()[case]
    suite = other_suite(name)
    pg_suite = {**suite, "meta": {**suite["meta"], "schema": pg_schema}}
    pg_load(pg_settings, pg_schema, {name: frame})
    session = validate.Session(pg_connect(pg_settings), "postgres")
    session.connection.autocommit = True
    try:
        on_postgres = validate.run_suite(pg_suite, session)
    finally:
        session.close()
    assert _comparable(on_postgres) == _comparable(run(suite, frame))


def test_command_on_postgres_passes_and_fails_on_a_broken_mart(
    tmp_path: Path, pg_settings: PgSettings, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    database = f"validate_test_{os.getpid()}"
    admin = pg_connect(pg_settings)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"drop database if exists {database}")
        cursor.execute(f"create database {database}")
    settings = dataclasses.replace(pg_settings, database=database)
    monkeypatch.setenv("MKPI_PG_DATABASE", database)
    try:
        suites = _suites(tmp_path)
        args = argparse.Namespace(
            **{**vars(_args(tmp_path / "unused", suites)), "target": "postgres"}
        )
        pg_load(settings, "marts", _marts(good_kpis()))
        assert validate.run(args) == 0
        assert "validate: passed" in capsys.readouterr().out
        broken = _chain(_set("numerator", 15.0, **RATE_JAN), _set("value", 1.5, **RATE_JAN))
        pg_load(settings, "marts", _marts(broken(good_kpis())))
        assert validate.run(args) == 1
        out = capsys.readouterr().out
        assert "FAIL [value_rate_bounds] kpi lead_to_mql_rate" in out
        assert "kpi=lead_to_mql_rate month=2026-01-01" in out
        connection = pg_connect(settings)
        with connection.cursor() as cursor:
            cursor.execute(
                "select kpi, rule, unexpected_count, example from marts.data_validation_results "
                "where not success"
            )
            failed = cursor.fetchall()
        connection.close()
        assert len(failed) == 1
        assert failed[0][:3] == ("lead_to_mql_rate", "value_rate_bounds", 1)
        assert "month=2026-01-01" in failed[0][3]
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"drop database if exists {database} with (force)")
        admin.close()


def test_command_reports_an_unreachable_postgres(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("MKPI_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("MKPI_PG_PORT", "9")  # discard: nothing listens
    args = argparse.Namespace(
        **{**vars(_args(tmp_path / "unused", _suites(tmp_path))), "target": "postgres"}
    )
    assert validate.run(args) == 2
    err = capsys.readouterr().err
    assert "cannot connect to PostgreSQL at postgres@127.0.0.1:9/" in err
    assert len(err.strip().splitlines()) == 1
