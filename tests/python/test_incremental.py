"""An incremental run after one more day of data gives the fct_kpis of a full refresh.

The raw data is split by `mkpi hold-back` into what the sources held at the start of the last day
and the whole data: the last day, a few touchpoints and orders from inside the lookback window that
arrive late, a visitor first identified on the new day (its older anonymous touches move onto a
lead that converted), an anonymous touch of a visitor identified earlier, a new row that reuses an
older touch's key (both rows turn into `duplicate_key` rejects), an exact copy of a new touch,
and old touches whose lead arrives or is rejected on the new day (`orphan_lead_id` changes).
One database is built on the first snapshot and then incrementally on the whole data; a second is
built from scratch on the whole data, and a third once more from scratch. On DuckDB the incremental
build equals the full refresh exactly, and two full builds give fct_kpis bit for bit (sums are
exact decimal sums, DECISIONS.md "Identical rebuilds"). The same incremental sequence runs on
PostgreSQL too, compared with DuckDB's full refresh to 1e-9 (two databases, two float libraries).
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from compare_builds import same_number
from dbt_runner import fresh_pg_database, mkpi, run_dbt
from marts_fingerprint import rows_digest

from mkpi.pg import PgSettings, connect

pytestmark = pytest.mark.dbt

BUILD = ["build", "--exclude-resource-type", "unit_test"]
KPI_KEYS = ["kpi", "month", "dimension", "dimension_value", "attribution_model"]


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    mkpi("sample", "--leads", "400", "--months", "6", "--seed", "11", "--out", str(root / "full"))
    mkpi(
        "hold-back",
        "--raw",
        str(root / "full"),
        "--before",
        str(root / "before"),
        "--after",
        str(root / "after"),
        "--edge-rows",
    )
    return root


@pytest.fixture(scope="module")
def builds(raw: Path) -> dict[str, Path]:
    first, database = run_dbt(BUILD, raw / "before", raw, "incremental")
    assert first.returncode == 0, first.stdout[-3000:]
    second, _ = run_dbt(BUILD, raw / "after", raw, "incremental")
    assert second.returncode == 0, second.stdout[-3000:]
    full, full_database = run_dbt(BUILD, raw / "after", raw, "full")
    assert full.returncode == 0, full.stdout[-3000:]
    again, again_database = run_dbt(BUILD, raw / "after", raw, "full-again")
    assert again.returncode == 0, again.stdout[-3000:]
    return {"incremental": database, "full": full_database, "full_again": again_database}


def rows(database: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(query).fetchall()


def test_lead_status_changes_reread_old_touches(raw: Path, builds: dict[str, Path]) -> None:
    """Touches dated long before the re-read window whose lead arrived or was rejected on the
    new day: the first run judged them against the old leads, the second re-read them (newest
    batch), so their verdicts and journeys are those of a full build."""
    first_run = rows(
        builds["incremental"],
        "select min(batch_loaded_at) from staging.base_marketing__touchpoints",
    )[0][0]
    changed = {"tp_edge_lead_later"} | (orphan_touches(raw / "after") - {"tp_edge_unknown_lead"})
    found = rows(
        builds["incremental"],
        "select touchpoint_id, reject_reason, batch_loaded_at, occurred_at"
        " from staging.base_marketing__touchpoints",
    )
    by_id = {row[0]: row[1:] for row in found}
    newest = max(row[2] for row in found)
    window_start = max(row[3] for row in found if row[1] is None) - timedelta(days=4)
    for touch in changed:
        reason, loaded, occurred = by_id[touch]
        assert loaded == newest > first_run, (touch, loaded)
        assert occurred < window_start, (touch, occurred)  # not re-read for its date
        assert reason == (None if touch == "tp_edge_lead_later" else "orphan_lead_id"), touch


def test_the_second_run_was_incremental(builds: dict[str, Path]) -> None:
    """Rows of the first run survive in the base table; only some journeys were rebuilt."""
    database = builds["incremental"]
    loads = rows(
        database,
        "select batch_loaded_at, count(*) from staging.base_marketing__touchpoints"
        " group by 1 order by 1",
    )
    assert len(loads) == 2, loads
    kept, reread = loads[0][1], loads[1][1]
    assert kept > 5 * reread > 0, loads
    changed = dict(
        rows(
            database,
            "select journey_type, count(*) from intermediate.int_journeys_changed group by 1",
        )
    )
    visitors = rows(
        database, "select count(distinct visitor_id) from staging.stg_marketing__touchpoints"
    )
    assert 0 < changed["visitor"] < visitors[0][0] / 5, (changed, visitors)
    assert changed["lead"] > 0, changed


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def orphan_touches(raw_dir: Path) -> set[str]:
    """Touches of the raw data whose lead_id is filled but no clean lead (a lead id that occurs
    on two different lead rows is a duplicate_key reject); touch keys that occur twice are
    duplicate_key rejects first."""
    lead_ids = Counter(row["lead_id"] for row in read_csv(raw_dir / "leads.csv"))
    touches = read_csv(raw_dir / "touchpoints.csv")
    touch_ids = Counter(row["touchpoint_id"] for row in touches)
    return {
        row["touchpoint_id"]
        for row in touches
        if row["lead_id"] and lead_ids[row["lead_id"]] != 1 and touch_ids[row["touchpoint_id"]] == 1
    }


def test_the_hard_cases_arrived(raw: Path, builds: dict[str, Path]) -> None:
    """The edge rows are in both builds, rejected or stitched the same way."""
    orphans = orphan_touches(raw / "after")
    # the edge touch whose lead never arrives, and the touches of the lead rejected on the new day
    assert "tp_edge_unknown_lead" in orphans and len(orphans) > 1, orphans
    for database in builds["incremental"], builds["full"]:
        rejects = rows(
            database,
            "select reject_reason, count(*) from staging.base_marketing__touchpoints"
            " where reject_reason is not null group by 1",
        )
        assert dict(rejects) == {"duplicate_key": 2, "orphan_lead_id": len(orphans)}, rejects
        found = rows(
            database,
            "select touchpoint_id from staging.base_marketing__touchpoints"
            " where reject_reason = 'orphan_lead_id'",
        )
        assert {row[0] for row in found} == orphans
        # the touch whose lead arrived on the new day is clean, and its visitor's anonymous
        # touches moved onto that lead
        later = rows(
            database,
            "select lead_source, count(*) from intermediate.int_touchpoints_stitched"
            " where lead_id = 'ld_edge_later' group by 1",
        )
        assert dict(later).get("own") == 1 and dict(later).get("visitor", 0) > 0, later
        copies = rows(
            database,
            "select count(*) from staging.base_marketing__touchpoints where is_collapsed_duplicate",
        )
        assert copies == [(1,)]
        moved = rows(
            database,
            "select count(*) from intermediate.int_touchpoints_stitched"
            " where lead_source = 'visitor' and visitor_id in (select visitor_id from"
            " intermediate.int_touchpoints_stitched where touchpoint_id = 'tp_edge_identified')",
        )
        assert moved[0][0] > 0


def by_key(found: list[tuple]) -> list[tuple]:
    """fct_kpis rows with numbers as floats, sorted by key in one order for both databases."""
    plain = [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in found]
    return sorted(plain, key=lambda row: [(v is None, str(v)) for v in row[: len(KPI_KEYS)]])


def same_rows(
    left: list[tuple], right: list[tuple], key_positions: list[int], exact: bool = False
) -> list[tuple]:
    """Pairs of rows (both sorted by key) whose keys or values differ; numbers to 1e-9, or
    bit for bit if `exact`."""
    assert len(left) == len(right) > 100, (len(left), len(right))
    return [
        (one, other)
        for one, other in zip(left, right, strict=True)
        if [one[i] for i in key_positions] != [other[i] for i in key_positions]
        or not all(
            a == b
            if exact or not (isinstance(a, float) or isinstance(b, float))
            else same_number(a, b)
            for a, b in zip(one, other, strict=True)
        )
    ]


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        ("marts.fct_kpis", KPI_KEYS),
        ("marts.fct_attribution_credits", ["conversion_id", "attribution_model", "touchpoint_id"]),
        ("intermediate.int_markov_transitions_counted", ["from_state", "to_state"]),
    ],
)
def test_incremental_equals_full_refresh(
    builds: dict[str, Path], table: str, keys: list[str]
) -> None:
    order = ", ".join(keys)
    incremental = rows(builds["incremental"], f"select * from {table} order by {order}")
    full = rows(builds["full"], f"select * from {table} order by {order}")
    with duckdb.connect(str(builds["full"]), read_only=True) as connection:
        columns = [row[0] for row in connection.sql(f"describe {table}").fetchall()]
    differences = same_rows(incremental, full, [columns.index(key) for key in keys], exact=True)
    assert not differences, differences[:3]


KPIS_IN_ORDER = "select * from marts.fct_kpis order by all"


def kpis_digest(database: Path) -> tuple[str, int]:
    """md5 of fct_kpis exported as CSV in one order (every column, doubles written with all 17
    significant digits so one bit of difference shows), and its row count."""
    return digest_and_count(rows(database, KPIS_IN_ORDER))


def digest_and_count(found: list[tuple]) -> tuple[str, int]:
    """marts_fingerprint.rows_digest as (md5, rows)."""
    digest = rows_digest(found)
    return str(digest["md5"]), int(str(digest["rows"]))


@pytest.mark.parametrize(
    ("left", "right"), [("full", "full_again"), ("incremental", "full")], ids=["two-full", "incr"]
)
def test_fct_kpis_is_identical_byte_for_byte(
    builds: dict[str, Path], left: str, right: str
) -> None:
    """Two full builds of the same data, and an incremental run and a full refresh, give the
    same fct_kpis bit for bit (before exact decimal sums, some hundred attribution and cost rows
    differed in their last bits between two full builds)."""
    left_digest, left_rows = kpis_digest(builds[left])
    right_digest, right_rows = kpis_digest(builds[right])
    assert left_rows == right_rows > 1000, (left_rows, right_rows)
    assert left_digest == right_digest
    # the attribution KPIs that used to differ are there, with real values
    assert (
        rows(
            builds[left],
            "select count(*) from marts.fct_kpis"
            " where kpi in ('attributed_revenue', 'roas', 'romi')"
            " and attribution_model in ('markov', 'time_decay') and value > 0",
        )[0][0]
        > 50
    )


def test_incremental_on_postgres_equals_the_full_refresh(
    raw: Path, builds: dict[str, Path], pg_settings: PgSettings
) -> None:
    """Load the first snapshot, build, load the whole data, build again: fct_kpis as DuckDB's
    full refresh (the two adapters agree on a full build: test_cross_database.py)."""
    settings, env = fresh_pg_database(pg_settings, "marketing_incremental_test")
    for snapshot in ("before", "after"):
        mkpi("load-postgres", "--dir", str(raw / snapshot), extra_env=env)
        result, _ = run_dbt([*BUILD, "--target", "postgres"], raw / snapshot, raw, "pg", env)
        assert result.returncode == 0, result.stdout[-3000:]
    keys = ", ".join(KPI_KEYS)
    connection = connect(settings)
    with connection.cursor() as cursor:
        cursor.execute(
            "select count(distinct batch_loaded_at) from staging.base_marketing__touchpoints"
        )
        assert cursor.fetchone()[0] == 2  # the second build was incremental
        cursor.execute(f"select {keys}, numerator, denominator, value from marts.fct_kpis")
        postgres = by_key(cursor.fetchall())
    connection.close()
    full = by_key(
        rows(builds["full"], f"select {keys}, numerator, denominator, value from marts.fct_kpis")
    )
    differences = same_rows(postgres, full, list(range(len(KPI_KEYS))))
    assert not differences, differences[:3]
    # on PostgreSQL too: the incremental build equals a full refresh, and two full builds agree,
    # bit for bit
    digests = [pg_kpis_digest(settings)]
    for _ in range(2):
        result, _ = run_dbt(
            [*BUILD, "--full-refresh", "--target", "postgres"], raw / "after", raw, "pg", env
        )
        assert result.returncode == 0, result.stdout[-3000:]
        digests.append(pg_kpis_digest(settings))
    assert digests[0][1] > 1000, digests
    assert digests[0] == digests[1] == digests[2], digests


def pg_kpis_digest(settings: PgSettings) -> tuple[str, int]:
    """The digest of PostgreSQL's fct_kpis, in the order of KPIS_IN_ORDER (text compared byte
    by byte, NULLs last, as DuckDB orders)."""
    connection = connect(settings)
    with connection.cursor() as cursor:
        cursor.execute(
            "select * from marts.fct_kpis order by"
            ' kpi collate "C", month, dimension collate "C", dimension_value collate "C",'
            ' attribution_model collate "C", numerator, denominator, value'
        )
        found = cursor.fetchall()
    connection.close()
    return digest_and_count(found)


def test_a_row_older_than_the_lookback_fails_the_reconciliation(
    raw: Path, builds: dict[str, Path]
) -> None:
    """Rows dated before the re-read window are not picked up; the raw-row test says so."""
    late = raw / "late"
    shutil.copytree(raw / "after", late, dirs_exist_ok=True)
    path = late / "touchpoints.csv"
    header, first = path.read_text().splitlines()[:2]
    values = first.split(",")
    values[header.split(",").index("touchpoint_id")] = "tp_far_too_late"
    path.write_text(path.read_text() + ",".join(values) + "\n")
    database = builds["incremental"]
    copy = raw / "late.duckdb"
    shutil.copy(database, copy)
    result, _ = run_dbt(BUILD, late, raw, "late")
    # run_dbt builds into <work>/late.duckdb: the copy of the incremental database
    assert result.returncode != 0
    assert "assert_raw_rows_reconcile" in result.stdout, result.stdout[-3000:]
    assert rows(
        copy,
        "select count(*) from staging.base_marketing__touchpoints"
        " where touchpoint_id = 'tp_far_too_late'",
    ) == [(0,)]
