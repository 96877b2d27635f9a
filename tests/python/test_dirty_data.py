"""The dirty data writer (`mkpi dirty`): exact, consistent, deterministic manifests."""

from __future__ import annotations

import csv
import filecmp
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from mkpi.cli import main
from mkpi.devtools.dirty_data import COUNTS_FILE, ODD_CHANNEL, REJECTS_FILE, write_dirty
from mkpi.devtools.sampling.reject_rules import (
    CLEAN,
    COLLAPSED,
    REASONS,
    RawTable,
    TableOutcome,
    classify,
    classify_table,
    load_fx,
)
from mkpi.paths import project_root
from mkpi.raw_contract import load_contract, raw_table_names

RAW_TABLES = raw_table_names()

FX = {("USD", "2025-01"), ("SEK", "2025-01")}


def _dicts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _text_rows(directory: Path, name: str) -> tuple[list[str], list[list[str]]]:
    parquet = directory / f"{name}.parquet"
    if parquet.exists():
        con = duckdb.connect()
        header = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()]
        rows = con.execute(f"SELECT * FROM '{parquet}'").fetchall()
        return header, [["" if value is None else value for value in row] for row in rows]
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    write_dirty(out)
    return out


@pytest.fixture(scope="module")
def counts(dirty: Path) -> dict[str, dict[str, int]]:
    return {
        row["source_table"]: {k: int(v) for k, v in row.items() if k != "source_table"}
        for row in _dicts(dirty / COUNTS_FILE)
    }


@pytest.fixture(scope="module")
def rejects(dirty: Path) -> list[dict[str, str]]:
    return _dicts(dirty / REJECTS_FILE)


def test_counts_reconcile(counts: dict[str, dict[str, int]]) -> None:
    assert list(counts) == list(RAW_TABLES)
    for name, c in counts.items():
        assert c["raw_rows"] == c["clean_rows"] + c["rejected_rows"] + c["collapsed_duplicates"]
        assert c["clean_rows"] > 0, name


def test_rejects_sum_to_rejected_rows(
    counts: dict[str, dict[str, int]], rejects: list[dict[str, str]]
) -> None:
    per_table = Counter()
    for row in rejects:
        assert row["reason"] in REASONS
        assert int(row["count"]) > 0
        per_table[row["source_table"]] += int(row["count"])
    assert {name: c["rejected_rows"] for name, c in counts.items()} == {
        name: per_table[name] for name in counts
    }
    pairs = Counter((row["source_table"], row["reason"]) for row in rejects)
    assert max(pairs.values()) == 1


def test_every_reason_appears_at_least_twice(rejects: list[dict[str, str]]) -> None:
    totals = Counter()
    for row in rejects:
        totals[row["reason"]] += int(row["count"])
    assert {reason: totals[reason] >= 2 for reason in REASONS} == dict.fromkeys(REASONS, True)


def test_duplicates_are_injected(counts: dict[str, dict[str, int]]) -> None:
    collapsed = [name for name, c in counts.items() if c["collapsed_duplicates"]]
    assert len(collapsed) >= 4
    assert sum(c["collapsed_duplicates"] for c in counts.values()) >= 6


def test_raw_rows_match_the_files(dirty: Path, counts: dict[str, dict[str, int]]) -> None:
    for name in RAW_TABLES:
        _, rows = _text_rows(dirty, name)
        assert len(rows) == counts[name]["raw_rows"], name


def test_manifests_match_a_fresh_classification_of_the_files(
    dirty: Path, counts: dict[str, dict[str, int]], rejects: list[dict[str, str]]
) -> None:
    fx = load_fx(_dicts(project_root() / "seeds" / "fx_rates.csv"))
    raw = {name: RawTable(*_text_rows(dirty, name)) for name in RAW_TABLES}
    outcomes = classify(load_contract(), raw, fx)
    for name, outcome in outcomes.items():
        assert outcome.clean_rows == counts[name]["clean_rows"], name
        assert outcome.collapsed == counts[name]["collapsed_duplicates"], name
    assert {
        (name, reason): count
        for name, outcome in outcomes.items()
        for reason, count in outcome.rejects().items()
    } == {(row["source_table"], row["reason"]): int(row["count"]) for row in rejects}


def test_file_layout(dirty: Path) -> None:
    assert (dirty / "keyword_rankings.parquet").exists()
    assert not (dirty / "keyword_rankings.csv").exists()
    con = duckdb.connect()
    types = {
        row[1]
        for row in con.execute(
            f"DESCRIBE SELECT * FROM '{dirty / 'keyword_rankings.parquet'}'"
        ).fetchall()
    }
    assert types == {"VARCHAR"}
    header, _ = _text_rows(dirty, "leads")
    assert header == [*load_contract()["leads"].column_names, "_fivetran_synced"]
    for name in RAW_TABLES:
        if name != "leads":
            assert _text_rows(dirty, name)[0] == load_contract()[name].column_names, name


def test_odd_but_valid_spellings_are_present(dirty: Path) -> None:
    touch = (dirty / "touchpoints.csv").read_text(encoding="utf-8")
    deals = (dirty / "deals.csv").read_text(encoding="utf-8")
    leads = (dirty / "leads.csv").read_text(encoding="utf-8")
    for spelling in (",YES\n", ",t\n", ",0\n", "+02:00,", "Z,", ODD_CHANNEL):
        assert spelling in touch, spelling
    assert ",Won ," in deals
    assert "+02:00," in leads and ODD_CHANNEL in leads


def test_deterministic(tmp_path: Path, dirty: Path) -> None:
    write_dirty(tmp_path)
    names = sorted(p.name for p in dirty.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(dirty, tmp_path, names, shallow=False)
    assert not mismatch and not errors


def test_cli(tmp_path: Path) -> None:
    assert main(["dirty", "--out", str(tmp_path)]) == 0
    assert (tmp_path / COUNTS_FILE).exists() and (tmp_path / REJECTS_FILE).exists()


# The reference rules the manifests are computed with, on hand-made rows.


def _deals(*rows: dict[str, str]) -> RawTable:
    header = load_contract()["deals"].column_names
    return RawTable(header, [[row.get(name, "") for name in header] for row in rows])


DEAL = {
    "deal_id": "d1",
    "lead_id": "l1",
    "created_at": "2025-01-05T10:00:00",
    "closed_at": "2025-01-20T10:00:00",
    "stage": "won",
    "amount": "100.00",
    "currency": "USD",
}


@pytest.mark.parametrize(
    ("changes", "verdict"),
    [
        ({}, CLEAN),
        ({"stage": "Won "}, CLEAN),
        ({"closed_at": "2025-01-20T12:00:00+02:00"}, CLEAN),
        ({"closed_at": "2025-01-20T10:00:00Z"}, CLEAN),
        ({"deal_id": ""}, "missing_key"),
        ({"closed_at": ""}, "missing_value"),
        ({"closed_at": "", "stage": "open"}, CLEAN),
        ({"closed_at": "2025-02-30T10:00:00"}, "bad_timestamp"),
        ({"created_at": "01/05/2025"}, "bad_timestamp"),
        ({"amount": "12,50"}, "bad_number"),
        ({"amount": "-1"}, "negative_amount"),
        ({"closed_at": "2025-01-01T00:00:00"}, "end_before_start"),
        ({"stage": "pending"}, "invalid_stage"),
        ({"currency": "XYZ"}, "unknown_currency"),
        ({"closed_at": "2025-02-03T00:00:00"}, "unknown_currency"),  # no USD rate for February
        (
            {"currency": "EUR", "closed_at": "2019-02-03T00:00:00", "created_at": "2019-01-01"},
            CLEAN,
        ),
        ({"lead_id": "l2"}, "orphan_lead_id"),
        ({"amount": "-1", "stage": "pending"}, "negative_amount"),  # first match wins
    ],
)
def test_rules_on_a_deal(changes: dict[str, str], verdict: str) -> None:
    outcome = classify_one(_deals({**DEAL, **changes}))
    assert outcome.verdicts == [verdict]


def classify_one(raw: RawTable) -> TableOutcome:
    return classify_table(load_contract()["deals"], raw, FX, clean_leads={"l1"})


def test_rules_on_duplicates() -> None:
    other = {**DEAL, "deal_id": "d2"}
    assert classify_one(_deals(DEAL, DEAL, other)).verdicts == [CLEAN, COLLAPSED, CLEAN]
    conflict = {**DEAL, "amount": "200.00"}
    assert classify_one(_deals(DEAL, conflict, DEAL)).verdicts == [
        "duplicate_key",
        "duplicate_key",
        COLLAPSED,
    ]


def _rows(table: str, *rows: dict[str, str]) -> RawTable:
    header = load_contract()[table].column_names
    return RawTable(header, [[row.get(name, "") for name in header] for row in rows])


def _version(
    valid_from: str, valid_to: str, subscription_id: str = "s1", **extra: str
) -> dict[str, str]:
    return {
        "subscription_id": subscription_id,
        "lead_id": "l1",
        "mrr": "100",
        "currency": "EUR",
        "valid_from": valid_from,
        "valid_to": valid_to,
        **extra,
    }


@pytest.mark.parametrize(
    ("versions", "verdicts"),
    [
        # 100 to March, 200 from February: both rejected, none picked
        (
            [_version("2025-01-01", "2025-03-01"), _version("2025-02-01", "")],
            ["overlapping_version", "overlapping_version"],
        ),
        # a hand-over on the same day, and another subscription on the same days
        (
            [
                _version("2025-01-01", "2025-02-01"),
                _version("2025-02-01", ""),
                _version("2025-01-01", "", "s2"),
            ],
            [CLEAN, CLEAN, CLEAN],
        ),
        # a nested version; the one after both stays; a version valid on no day overlaps nothing
        (
            [
                _version("2025-01-01", "2025-04-01"),
                _version("2025-02-01", "2025-03-01"),
                _version("2025-04-01", ""),
                _version("2025-05-10", "2025-05-10"),
            ],
            ["overlapping_version", "overlapping_version", CLEAN, CLEAN],
        ),
        # 9999-12-31 is no end; a version rejected for another reason overlaps nothing
        (
            [
                _version("2025-01-01", "9999-12-31"),
                _version("2025-06-01", "2025-07-01"),
                _version("2025-03-01", "2025-04-01", mrr="1,00"),
            ],
            ["overlapping_version", "overlapping_version", "bad_number"],
        ),
    ],
)
def test_rules_on_overlapping_subscription_versions(
    versions: list[dict[str, str]], verdicts: list[str]
) -> None:
    table = load_contract()["subscriptions"]
    raw = _rows("subscriptions", *versions)
    assert classify_table(table, raw, FX, clean_leads={"l1"}).verdicts == verdicts


def test_rules_on_touchpoint_leads() -> None:
    """A filled lead_id must be a clean lead; an empty one is an anonymous touch."""
    touch = {
        "touchpoint_id": "t1",
        "visitor_id": "v1",
        "occurred_at": "2025-01-05T10:00:00",
        "channel": "google / cpc",
    }
    raw = _rows(
        "touchpoints",
        {**touch, "lead_id": "l1"},
        {**touch, "touchpoint_id": "t2", "lead_id": "l2"},
        {**touch, "touchpoint_id": "t3", "lead_id": ""},
        {**touch, "touchpoint_id": "t4", "lead_id": "l2", "pageviews": "-1"},
    )
    outcome = classify_table(load_contract()["touchpoints"], raw, FX, clean_leads={"l1"})
    assert outcome.verdicts == [CLEAN, "orphan_lead_id", CLEAN, "negative_amount"]
