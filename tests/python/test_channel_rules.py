"""Channel classification in the built project: every raw value of the corpus
(fixtures/channel_values.csv, 450+ real-world spellings with the channel GA4's default channel
group gives, mapped to the canonical channels) arrives as a touchpoint's channel and comes out of
staging with the expected channel, and flagged as unmapped exactly when no step classifies it.

The expected values are the corpus's, worked out by hand and checked against the independent
Python classifier (reference/channels.py, test_channel_reference.py); here the SQL of
macros/staging/channel_rules.sql and the seed lookups answer for the same values.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt
from test_raw_contract_errors import TABLES, write_raw

pytestmark = pytest.mark.dbt

BUILD_UPSTREAM = ["build", "--resource-type", "model", "--resource-type", "seed", "--select"]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "channel_values.csv"
HEADER = (
    "touchpoint_id,visitor_id,lead_id,occurred_at,channel,campaign_id,landing_page,"
    "pageviews,engaged_seconds,created_lead"
)


def corpus() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_corpus_value_gets_its_channel(tmp_path: Path) -> None:
    rows = corpus()
    raw = tmp_path / "raw"
    tables = dict(TABLES)
    with (tmp_path / "touchpoints.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.split(","))
        for number, row in enumerate(rows):
            touch = [f"t{number}", f"v{number}", "", "2026-01-02T10:00:00", row["raw_channel"]]
            writer.writerow([*touch, "", "/", "1", "10", "false"])
    tables["touchpoints"] = (tmp_path / "touchpoints.csv").read_text(encoding="utf-8")
    write_raw(raw, tables)
    result, database = run_dbt(
        [*BUILD_UPSTREAM, "+stg_marketing__touchpoints"],
        raw,
        tmp_path,
        "channels",
    )
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        found = dict(
            connection.sql(
                "select touchpoint_id, (channel, is_channel_mapped)"
                " from staging.stg_marketing__touchpoints"
            ).fetchall()
        )
    assert len(found) == len(rows) >= 220
    wrong = []
    for number, row in enumerate(rows):
        expected_mapped = not (row["expected_channel"] == "other" and "unclassified" in row["note"])
        channel, mapped = found[f"t{number}"]
        if (channel, mapped) != (row["expected_channel"], expected_mapped):
            wrong.append((row["raw_channel"], channel, mapped, row["expected_channel"]))
    assert not wrong, wrong[:20]
