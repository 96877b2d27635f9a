"""Bad input: a dirty raw directory in which every reason code occurs builds successfully, every
bad row lands in rejects with the right reason, nothing is lost, and rejects show as warnings.

The expected counts come from `mkpi dirty`'s manifests, which its own rule engine computes
independently of the dbt models (and checks against the reason each row was injected for).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from dbt_runner import mkpi, run_dbt

pytestmark = pytest.mark.dbt

REASONS = {
    "missing_key",
    "duplicate_key",
    "missing_value",
    "bad_timestamp",
    "implausible_date",
    "bad_number",
    "bad_boolean",
    "negative_amount",
    "end_before_start",
    "invalid_stage",
    "invalid_category",
    "unknown_currency",
    "orphan_lead_id",
    "overlapping_version",
}


@pytest.fixture(scope="module")
def dirty_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    work = tmp_path_factory.mktemp("dirty")
    raw = work / "raw"
    mkpi("dirty", "--out", str(raw))
    selection = "+fct_raw_row_reconciliation +fct_data_quality_issues"
    result, database = run_dbt(["build", "--select", selection], raw, work, "dirty")
    assert result.returncode == 0, result.stdout[-3000:]
    return raw, database, result.stdout


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_reason_code_occurs(dirty_build) -> None:
    raw, _, _ = dirty_build
    reasons = {row["reason"] for row in read_csv(raw / "expected_rejects.csv")}
    assert reasons == REASONS


def test_rejects_match_the_manifest_by_table_and_reason(dirty_build) -> None:
    raw, database, _ = dirty_build
    expected = {
        (row["source_table"], row["reason"]): int(row["count"])
        for row in read_csv(raw / "expected_rejects.csv")
    }
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select source_table, reject_reason, count(*) from staging.stg_marketing__rejected_rows"
            " group by source_table, reject_reason"
        ).fetchall()
    assert {(table, reason): count for table, reason, count in rows} == expected


def test_nothing_is_lost(dirty_build) -> None:
    raw, database, _ = dirty_build
    expected = {
        row["source_table"]: (
            int(row["raw_rows"]),
            int(row["clean_rows"]),
            int(row["rejected_rows"]),
            int(row["collapsed_duplicates"]),
        )
        for row in read_csv(raw / "expected_counts.csv")
    }
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select source_table, raw_rows, clean_rows, rejected_rows, collapsed_duplicates"
            " from marts.fct_raw_row_reconciliation"
        ).fetchall()
    assert {row[0]: tuple(row[1:]) for row in rows} == expected
    for raw_rows, clean, rejected, collapsed in expected.values():
        assert raw_rows == clean + rejected + collapsed


def test_rejects_are_reported_as_warnings_not_failures(dirty_build) -> None:
    _, _, output = dirty_build
    assert "WARN" in output and "warn_rejected_raw_rows" in output
    assert "ERROR=0" in output


def test_rejected_rows_carry_the_raw_row_without_raw_emails(dirty_build) -> None:
    _, database, _ = dirty_build
    with duckdb.connect(str(database), read_only=True) as connection:
        raw_rows = [
            row[0]
            for row in connection.sql(
                "select raw_row from staging.stg_marketing__rejected_rows"
                " where source_table = 'leads'"
            ).fetchall()
        ]
    assert raw_rows
    for raw_row in raw_rows:
        parsed = json.loads(raw_row)
        assert "lead_id" in parsed
        assert "@" not in (parsed.get("email") or "")
