"""GA4 connector (docs/connectors.md section 7): a hand-written landing of sessions and
rejects (tests/python/ga4_landing.py) whose touchpoints are worked out by hand below; the dbt
contract rows equal the hand values and the Python reference (reference/ga4.py); the nested
export (Parquet file, folder of Parquet files, newline-delimited JSON) gives the same rows as the
flat table; a missing required column stops the build with one line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt
from ga4_landing import EVENTS, T0, event, write_landing
from reference.connectors import parse_timestamp
from reference.ga4 import landing_to_touchpoints
from reference.privacy import mask

pytestmark = pytest.mark.dbt

RAW_INPUTS = {"raw_inputs": {"touchpoints": ["ga4"]}}
BUILD = [
    "build", "--resource-type", "model", "--resource-type", "seed",
    "--select", "+contract_ga4__touchpoints", "fct_connector_reconciliation",
]  # fmt: skip
COLUMNS = [
    "touchpoint_id", "visitor_id", "lead_id", "occurred_at", "channel", "campaign_id",
    "landing_page", "pageviews", "engaged_seconds", "created_lead", "landed_rows",
]  # fmt: skip

# worked out by hand from ga4_landing.EVENTS
EXPECTED = [
    # A: the page_view before session_start decides the landing page; param pair of session_start;
    # the copied page_view counts once (pageviews 2, engagement 1500 + 2600 + 0 -> 4 s); 5 landed
    ("ga4:v1.1:100", "v1.1", "ld_1", datetime(2024, 6, 1, 10), "google / cpc", "cmp_spring",
     "/pricing", 2, 4, True, 5),
    # B: over midnight; manual pair beats cross-channel, empty medium -> (not set); utm_id
    # (not set) is empty, so the Google Ads id 9001 -> google_ads:9001; 999 ms -> 0 s
    ("ga4:v1.1:200", "v1.1", None, datetime(2024, 6, 1, 23, 59, 59, 123456),
     "newsletter / (not set)", "google_ads:9001", "/", None, 0, False, 2),
    # C: cross-channel beats the params; at one time page_view sorts before session_start;
    # lead ld_9 only on session_start (a session value; the contract rejects it as an orphan)
    ("ga4:v2.2:300", "v2.2", "ld_9", datetime(2024, 6, 1, 10, 0, 0, 5), "bing / (not set)", None,
     "/a/b", 1, None, False, 2),
    # D: no pair -> (direct) / (none); campaign id zzz matches nothing; the path holds an address
    ("ga4:v3.3:400", "v3.3", None, datetime(2024, 6, 1, 10, 0, 0, 7), "(direct) / (none)", None,
     mask("/u/jane@example.com"), None, None, False, 1),
]  # fmt: skip
EXPECTED_REJECTS = [
    ("ga4.events_flat", "no_session_id", 1),
    ("ga4.events_flat", "no_visitor_id", 1),
    ("ga4.events_flat", "no_visitor_id", 2),
]
# landed 14 = 4 sessions + (4 + 1 + 1 + 0) collapsed + 4 rejected
EXPECTED_RECONCILIATION = ("ga4", "events_flat", 14, 4, 6, 4)


def typed(row: tuple) -> tuple:
    """A contract row (text) as the hand values hold it."""
    values = dict(zip(COLUMNS, row, strict=True))
    values["occurred_at"] = parse_timestamp(values["occurred_at"])
    for column in ("pageviews", "engaged_seconds"):
        values[column] = None if values[column] is None else int(values[column])
    values["created_lead"] = {"true": True, "false": False}[values["created_lead"]]
    return tuple(values.values())


def contract_rows(database: Path) -> tuple[list[tuple], list[tuple], list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        kept = connection.sql(
            f"select {', '.join(COLUMNS)} from staging.contract_ga4__touchpoints"
            " where reject_reason is null order by touchpoint_id"
        ).fetchall()
        rejects = connection.sql(
            "select source_table, reject_reason, landed_rows, landed_key"
            " from staging.contract_ga4__touchpoints where reject_reason is not null order by all"
        ).fetchall()
        reconciliation = connection.sql(
            "select input_name, landed_table, landed_rows, contract_rows, collapsed_rows,"
            " rejected_rows from marts.fct_connector_reconciliation"
        ).fetchall()
    return [typed(row) for row in kept], rejects, reconciliation


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("ga4")
    databases = {}
    for form in ("flat", "parquet", "folder", "jsonl"):
        landing = write_landing(work / form, form)
        result, database = run_dbt(BUILD, landing, work, form, extra_vars=RAW_INPUTS)
        assert result.returncode == 0, result.stdout[-4000:]
        databases[form] = database
    return databases


def test_reference_equals_the_hand_values(tmp_path: Path) -> None:
    reference = landing_to_touchpoints(write_landing(tmp_path, "flat"))
    assert [tuple(row.values()) for row in reference.touchpoints] == EXPECTED
    assert sorted(reference.rejected) == EXPECTED_REJECTS
    assert reference.reconciliation == EXPECTED_RECONCILIATION
    assert dict(reference.unmatched) == {("zzz", None): 1}


def test_contract_rows_equal_the_hand_values(builds: dict[str, Path]) -> None:
    kept, rejects, reconciliation = contract_rows(builds["flat"])
    assert kept == EXPECTED
    assert [row[:3] for row in rejects] == EXPECTED_REJECTS
    # one reject per distinct event, keyed by visitor | session | time | name
    assert [row[3] for row in rejects] == [
        "v4.4||1717236000000011|page_view",
        "||1717236000000012|page_view",
        "|500|1717236000000009|page_view",
    ]
    assert reconciliation == [EXPECTED_RECONCILIATION]


@pytest.mark.parametrize("form", ["parquet", "folder", "jsonl"])
def test_nested_export_gives_the_rows_of_the_flat_table(builds: dict[str, Path], form: str) -> None:
    assert contract_rows(builds[form]) == contract_rows(builds["flat"])


def test_missing_required_column_is_one_line(tmp_path: Path) -> None:
    flat = write_landing(tmp_path / "flat", "flat")
    path = flat / "ga4" / "events_flat.csv"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * exclude (ga_session_id) from read_csv('{path}', all_varchar = true))"
            f" to '{path}' (header)"
        )
    result, _ = run_dbt(
        ["run", "--select", "stg_ga4__events"], flat, tmp_path, "missing", extra_vars=RAW_INPUTS
    )
    assert result.returncode != 0
    assert "ga4: table 'events_flat' is missing column 'ga_session_id'" in result.stdout

    nested = write_landing(tmp_path / "nested", "parquet")
    path = nested / "ga4" / "events.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * exclude (user_pseudo_id) from read_parquet('{path}'))"
            f" to '{path}.tmp' (format parquet)"
        )
    Path(f"{path}.tmp").replace(path)
    result, _ = run_dbt(
        ["run", "--select", "stg_ga4__events"], nested, tmp_path, "missing2", extra_vars=RAW_INPUTS
    )
    assert result.returncode != 0
    assert "ga4: table 'events' is missing column 'user_pseudo_id'" in result.stdout


def test_older_export_without_session_attribution(tmp_path: Path) -> None:
    """An export without session_traffic_source_last_click (before mid-2023) reads its session
    columns as empty (and user_id, absent too, as no lead): session B, which had only session
    attribution, is direct; session C falls back to its session_start params."""
    landing = write_landing(tmp_path / "old", "parquet")
    path = landing / "ga4" / "events.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * exclude (session_traffic_source_last_click, user_id)"
            f" from read_parquet('{path}')) to '{path}.tmp' (format parquet)"
        )
    Path(f"{path}.tmp").replace(path)
    result, database = run_dbt(BUILD, landing, tmp_path, "old", extra_vars=RAW_INPUTS)
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select touchpoint_id, lead_id, channel, campaign_id"
            " from staging.contract_ga4__touchpoints"
            " where reject_reason is null order by touchpoint_id"
        ).fetchall()
    assert rows == [
        ("ga4:v1.1:100", None, "google / cpc", "cmp_spring"),
        ("ga4:v1.1:200", None, "(direct) / (none)", None),
        ("ga4:v2.2:300", None, "facebook / social", None),
        ("ga4:v3.3:400", None, "(direct) / (none)", None),
    ]


def test_events_are_the_landing_module_s() -> None:
    # guards the hand values above against an edit of the landing
    assert len(EVENTS) == 14


def touchpoint_table(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(
            "select * exclude (batch_loaded_at) from staging.base_marketing__touchpoints"
            " order by all"
        ).fetchall()


def test_a_late_event_lands_in_its_session_on_an_incremental_run(tmp_path: Path) -> None:
    """GA4 rewrites a day's table for up to three days: an event that arrives a day after its
    session was first built (a second page_view of session A, landed late) changes that
    session's touchpoint on the next ordinary (incremental) run, exactly as a full rebuild does.
    The GA4 sessions are rebuilt from every landed event on each run (DECISIONS.md D27)."""
    select = ["build", "--select", "+base_marketing__touchpoints", "--exclude", "test_type:data"]
    landing = write_landing(tmp_path / "landing", "flat")
    first, database = run_dbt(
        ["build", "--full-refresh", *select[1:]], landing, tmp_path, "run", extra_vars=RAW_INPUTS
    )
    assert first.returncode == 0, first.stdout[-4000:]
    before = {row[0]: row for row in touchpoint_table(database)}
    session_a = before["ga4:v1.1:100"]

    late = event(
        "20240601", T0 + 60_000_000, "page_view", "v1.1", "100",
        page_location="https://www.example.com/checkout", engagement_time_msec="4200",
    )  # fmt: skip
    write_landing(landing, "flat", [*EVENTS, late])
    second, _ = run_dbt(select, landing, tmp_path, "run", extra_vars=RAW_INPUTS)
    assert second.returncode == 0, second.stdout[-4000:]
    after = {row[0]: row for row in touchpoint_table(database)}

    # session A: pageviews 2 -> 3, engaged seconds 4 (1500 + 2600 ms) -> 8 (+ 4200 ms)
    columns = ["touchpoint_id", "pageviews", "engaged_seconds"]
    with duckdb.connect(str(database), read_only=True) as connection:
        names = [c[0] for c in connection.sql(
            "select * exclude (batch_loaded_at) from staging.base_marketing__touchpoints limit 0"
        ).description]  # fmt: skip
    index = [names.index(column) for column in columns]
    assert [session_a[i] for i in index] == ["ga4:v1.1:100", 2, 4]
    assert [after["ga4:v1.1:100"][i] for i in index] == ["ga4:v1.1:100", 3, 8]
    assert {key: row for key, row in after.items() if key != "ga4:v1.1:100"} == {
        key: row for key, row in before.items() if key != "ga4:v1.1:100"
    }

    rebuilt, full = run_dbt(
        ["build", "--full-refresh", *select[1:]], landing, tmp_path, "full", extra_vars=RAW_INPUTS
    )
    assert rebuilt.returncode == 0, rebuilt.stdout[-4000:]
    assert touchpoint_table(full) == touchpoint_table(database)
