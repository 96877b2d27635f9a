"""The same raw data as typed Parquet and as CSV text builds the same fct_kpis, value for value.

Parquet arrives typed (dates, timestamps, decimals, booleans) and CSV as text; staging must read
both into the same clean rows, so every KPI downstream agrees.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from compare_builds import same_number
from dbt_runner import mkpi, run_dbt

pytestmark = pytest.mark.dbt


def build(raw: Path, work: Path, name: str) -> Path:
    arguments = ["build", "--select", "+fct_kpis", "--resource-type", "model"]
    result, database = run_dbt([*arguments, "--resource-type", "seed"], raw, work, name)
    assert result.returncode == 0, result.stdout[-3000:]
    return database


def kpi_rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql("select * from marts.fct_kpis order by all").fetchall()


def test_parquet_and_csv_give_the_same_kpis(tmp_path: Path) -> None:
    sample = ["sample", "--leads", "400", "--months", "6", "--seed", "11"]
    for fmt in ("csv", "parquet"):
        mkpi(*sample, "--format", fmt, "--out", str(tmp_path / fmt))
    assert sorted(path.suffix for path in (tmp_path / "parquet").iterdir()) == [".parquet"] * 8
    csv_rows = kpi_rows(build(tmp_path / "csv", tmp_path, "csv"))
    parquet_rows = kpi_rows(build(tmp_path / "parquet", tmp_path, "parquet"))
    assert len(csv_rows) == len(parquet_rows) > 1000
    differences = [
        (left, right)
        for left, right in zip(csv_rows, parquet_rows, strict=True)
        if left[:5] != right[:5]
        or not all(same_number(a, b) for a, b in zip(left[5:], right[5:], strict=True))
    ]
    assert not differences, differences[:3]
