"""`dbt source freshness` on the contract's tables: an event table is as fresh as its latest
plausible event day (vars freshness_warn_after_hours 36 / freshness_error_after_hours 84), and a
sentinel date (9999-12-31) never makes a table look fresh."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dbt_runner import run_dbt
from ga4_landing import event, write_landing
from test_raw_contract_errors import TABLES, write_raw

pytestmark = pytest.mark.dbt


def test_tables_are_as_fresh_as_their_latest_plausible_event(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    old = today - timedelta(days=10)
    lead_header = TABLES["leads"].splitlines()[0]
    touch_header = TABLES["touchpoints"].splitlines()[0]
    cost_header = TABLES["costs"].splitlines()[0]
    write_raw(
        tmp_path / "raw",
        {
            **TABLES,
            # today's touch: fresh; costs ten days old: stale; leads ten days old plus a sentinel
            "touchpoints": f"{touch_header}\nt1,v1,,{today}T00:30:00,Google Ads,,/,1,10,true\n",
            "costs": f"{cost_header}\n{old},Google Ads,c1,media,10,EUR,,\n",
            "leads": (
                f"{lead_header}\nL1,{old}T10:00:00,,Google Ads,,,,\n"
                "L2,9999-12-31T00:00:00,,Google Ads,,,,\n"
            ),
        },
    )
    selection = ["source:marketing.touchpoints", "source:marketing.costs", "source:marketing.leads"]
    result, _ = run_dbt(["source", "freshness", "--select", *selection], tmp_path / "raw", tmp_path)
    assert result.returncode != 0, result.stdout[-3000:]  # a stale table is an error
    sources = json.loads((tmp_path / "target-dbt" / "sources.json").read_text())
    status = {row["unique_id"].rsplit(".", 1)[-1]: row["status"] for row in sources["results"]}
    assert status == {"touchpoints": "pass", "costs": "error", "leads": "error"}
    ages = {row["unique_id"].rsplit(".", 1)[-1]: row["max_loaded_at"] for row in sources["results"]}
    assert ages["leads"].startswith(str(old))


@pytest.mark.parametrize(("days_ago", "status"), [(0, "pass"), (10, "error")])
def test_ga4_events_are_as_fresh_as_their_latest_event_day(
    tmp_path: Path, days_ago: int, status: str
) -> None:
    """Google's export has no load time: the end of the latest event_date counts (today's events:
    fresh; ten days old: stale, an error)."""
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    micros = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1_000_000
    events = [
        event(day.strftime("%Y%m%d"), micros, "session_start", "v1.1", "1"),
        event("20240101", 1704067200000000, "page_view", "v1.1", "2"),
    ]
    landing = write_landing(tmp_path / "landing", "flat", events)
    result, _ = run_dbt(
        ["source", "freshness", "--select", "source:ga4.events_flat"],
        landing,
        tmp_path,
        extra_vars={"raw_inputs": {"touchpoints": ["ga4"]}},
    )
    assert (result.returncode == 0) == (status == "pass"), result.stdout[-3000:]
    sources = json.loads((tmp_path / "target-dbt" / "sources.json").read_text())
    (found,) = sources["results"]
    assert found["status"] == status
    assert found["max_loaded_at"].startswith(str(day + timedelta(days=1)))
