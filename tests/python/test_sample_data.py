"""The sample generator (`mkpi sample`): deterministic, in contract shape, clean and realistic."""

from __future__ import annotations

import csv
import filecmp
import itertools
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from mkpi.cli import main
from mkpi.devtools.sample_data import write_sample
from mkpi.devtools.sampling.channels import CANONICAL_CHANNELS, PAID_CHANNELS, UNMAPPED_RAW_CHANNEL
from mkpi.devtools.sampling.generator import SampleConfig
from mkpi.devtools.sampling.reject_rules import RawTable, classify, load_fx
from mkpi.paths import project_root, sample_dir
from mkpi.raw_contract import load_contract, raw_table_names

RAW_TABLES = raw_table_names()

SMALL = SampleConfig(leads=3000, months=24, start="2025-01-01", seed=42)
FX_CURRENCIES = {"USD", "SEK", "NOK", "DKK", "GBP", "CHF"}

Rows = list[dict[str, str]]


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def _dicts(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(SMALL, out, "csv")
    return out


@pytest.fixture(scope="module")
def tables(sample: Path) -> dict[str, Rows]:
    return {name: _dicts(sample / f"{name}.csv") for name in RAW_TABLES}


@pytest.fixture(scope="module")
def fx() -> set[tuple[str, str]]:
    return load_fx(_dicts(project_root() / "seeds" / "fx_rates.csv"))


def _same_files(left: Path, right: Path) -> bool:
    names = sorted(p.name for p in left.iterdir())
    if names != sorted(p.name for p in right.iterdir()):
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, names, shallow=False)
    return not mismatch and not errors


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    config = SampleConfig(leads=400, months=3, seed=5)
    write_sample(config, tmp_path / "a", fmt)
    write_sample(config, tmp_path / "b", fmt)
    assert _same_files(tmp_path / "a", tmp_path / "b")


def test_different_seed_differs(tmp_path: Path) -> None:
    write_sample(SampleConfig(leads=400, months=3, seed=5), tmp_path / "a")
    write_sample(SampleConfig(leads=400, months=3, seed=6), tmp_path / "b")
    for name in ("leads", "touchpoints", "costs"):
        assert not filecmp.cmp(tmp_path / "a" / f"{name}.csv", tmp_path / "b" / f"{name}.csv")


def test_columns_are_the_contract_in_order(sample: Path) -> None:
    for name, table in load_contract().items():
        header, _ = _read_csv(sample / f"{name}.csv")
        assert header == table.column_names, name


def test_sample_is_entirely_clean_under_the_reject_rules(
    sample: Path, fx: set[tuple[str, str]]
) -> None:
    raw = {name: RawTable(*_read_csv(sample / f"{name}.csv")) for name in RAW_TABLES}
    for name, outcome in classify(load_contract(), raw, fx).items():
        assert outcome.rejects() == {}, name
        assert outcome.collapsed == 0, name
        assert outcome.raw_rows > 0, name


def test_keys_are_unique(tables: dict[str, Rows]) -> None:
    for name, table in load_contract().items():
        if table.key:
            keys = Counter(tuple(row[k] for k in table.key) for row in tables[name])
            assert keys.most_common(1)[0][1] == 1, name


def test_foreign_keys_resolve(tables: dict[str, Rows]) -> None:
    lead_ids = {row["lead_id"] for row in tables["leads"]}
    campaign_ids = {row["campaign_id"] for row in tables["campaigns"]}
    for name in ("deals", "subscriptions", "orders"):
        assert {row["lead_id"] for row in tables[name]} <= lead_ids, name
    assert {row["lead_id"] for row in tables["touchpoints"]} - {""} <= lead_ids
    for name, column in (
        ("costs", "campaign_id"),
        ("touchpoints", "campaign_id"),
        ("leads", "original_campaign_id"),
    ):
        assert {row[column] for row in tables[name]} - {""} <= campaign_ids, name


def test_funnel_rates_are_realistic(tables: dict[str, Rows]) -> None:
    leads = tables["leads"]
    mqls = [row for row in leads if row["mql_at"]]
    sqls = [row for row in leads if row["sql_at"]]
    won = [row for row in sqls if row["customer_at"]]
    assert 0.35 <= len(mqls) / len(leads) <= 0.45
    assert 0.35 <= len(sqls) / len(mqls) <= 0.50
    assert 0.20 <= len(won) / len(sqls) <= 0.30
    assert all(row["mql_at"] for row in sqls)
    assert any(row["customer_at"] and not row["mql_at"] for row in leads)  # skipped to customer
    assert all(row["created_at"] <= row["mql_at"] for row in mqls)
    assert all(row["mql_at"] <= row["sql_at"] <= row["customer_at"] for row in won)


def test_money_rows_have_a_rate(tables: dict[str, Rows], fx: set[tuple[str, str]]) -> None:
    dated = {
        "costs": "cost_date",
        "subscriptions": "valid_from",
        "orders": "ordered_at",
    }
    for name, column in dated.items():
        for row in tables[name]:
            assert row["currency"] == "EUR" or (row["currency"], row[column][:7]) in fx, name
    for row in tables["deals"]:
        month = (row["closed_at"] or row["created_at"])[:7]
        assert row["currency"] == "EUR" or (row["currency"], month) in fx
    currencies = {row["currency"] for name in dated for row in tables[name]}
    assert {"EUR", "USD", "SEK", "NOK", "DKK", "GBP"} <= currencies


def test_raw_channels_are_mapped_except_the_deliberate_one(tables: dict[str, Rows]) -> None:
    mapping = {row["raw_channel"] for row in _dicts(project_root() / "seeds/channel_mapping.csv")}
    used = Counter(row["channel"] for row in tables["touchpoints"])
    used.update(row["channel"] for row in tables["costs"])
    used.update(row["channel"] for row in tables["campaigns"])
    used.update(row["original_channel"] for row in tables["leads"])
    assert set(used) - mapping == {UNMAPPED_RAW_CHANNEL}
    assert 0 < used[UNMAPPED_RAW_CHANNEL] <= 10


def test_channel_mapping_seed() -> None:
    rows = _dicts(project_root() / "seeds" / "channel_mapping.csv")
    assert list(rows[0]) == ["raw_channel", "channel"]
    raw = [row["raw_channel"] for row in rows]
    assert len(raw) == len(set(raw))
    assert {row["channel"] for row in rows} == set(CANONICAL_CHANNELS)
    folded: dict[str, str] = {}
    for row in rows:  # the trimmed case-insensitive rule must not be ambiguous
        key = row["raw_channel"].strip().lower()
        assert folded.setdefault(key, row["channel"]) == row["channel"], key
        if key in CANONICAL_CHANNELS:
            assert row["channel"] == key
    assert UNMAPPED_RAW_CHANNEL.strip().lower() not in folded


def test_fx_rates_seed() -> None:
    rows = _dicts(project_root() / "seeds" / "fx_rates.csv")
    assert list(rows[0]) == ["currency", "month", "rate_to_reporting"]
    months = [f"{year}-{month:02d}-01" for year in range(2022, 2028) for month in range(1, 13)]
    pairs = Counter((row["currency"], row["month"]) for row in rows)
    assert set(pairs) == {(c, m) for c in FX_CURRENCIES for m in months}
    assert max(pairs.values()) == 1
    nominal = {"USD": 0.92, "SEK": 0.088, "NOK": 0.087, "DKK": 0.134, "GBP": 1.16, "CHF": 1.04}
    for row in rows:
        assert len(row["rate_to_reporting"].split(".")[1]) == 6
        assert 0.85 < float(row["rate_to_reporting"]) / nominal[row["currency"]] < 1.15


def test_lead_sources_and_journeys(tables: dict[str, Rows]) -> None:
    mapping = {
        r["raw_channel"]: r["channel"] for r in _dicts(project_root() / "seeds/channel_mapping.csv")
    }
    for row in tables["leads"]:
        paid = mapping[row["original_channel"]] in PAID_CHANNELS
        assert paid == bool(row["original_campaign_id"])
    touches = tables["touchpoints"]
    created = Counter(row["lead_id"] for row in touches if row["created_lead"] == "true")
    assert set(created) == {row["lead_id"] for row in tables["leads"]}
    assert max(created.values()) == 1
    by_visitor: dict[str, set[str]] = {}
    for row in touches:
        by_visitor.setdefault(row["visitor_id"], set()).add(row["lead_id"])
    assert all(len(leads - {""}) <= 1 for leads in by_visitor.values())  # one lead per visitor
    stitched = [v for v, leads in by_visitor.items() if "" in leads and len(leads) == 2]
    anonymous = [v for v, leads in by_visitor.items() if leads == {""}]
    assert len(stitched) > 100
    assert len(anonymous) > len(tables["leads"])
    assert any(not row["pageviews"] for row in touches)
    assert any(not row["engaged_seconds"] for row in touches)


def test_revenue_tables_are_realistic(tables: dict[str, Rows]) -> None:
    stages = Counter(row["stage"] for row in tables["deals"])
    assert set(stages) == {"won", "lost", "open"}
    assert all(bool(row["closed_at"]) == (row["stage"] != "open") for row in tables["deals"])
    subs = tables["subscriptions"]
    versions = Counter(row["subscription_id"] for row in subs)
    assert max(versions.values()) >= 3  # upgrades and downgrades
    assert len({row["lead_id"] for row in subs}) < len(versions)  # some customers have two
    last = {row["subscription_id"]: row for row in subs}  # rows are ordered by valid_from
    assert any(row["valid_to"] for row in last.values())  # churned
    for sub_id in versions:
        rows = [r for r in subs if r["subscription_id"] == sub_id]
        for earlier, later in itertools.pairwise(rows):
            assert earlier["valid_to"] == later["valid_from"]
    orders_per_lead = Counter(row["lead_id"] for row in tables["orders"])
    assert max(orders_per_lead.values()) >= 2
    assert any(not row["cogs"] for row in tables["orders"])
    kw = tables["keyword_rankings"]
    assert len({row["keyword"] for row in kw}) == 40
    assert len({row["keyword"] for row in kw if row["is_money_keyword"] == "true"}) == 15


def test_costs_cover_every_category(tables: dict[str, Rows]) -> None:
    costs = tables["costs"]
    assert {row["cost_category"] for row in costs} == {"media", "marketing_other", "sales"}
    assert all(row["campaign_id"] for row in costs if row["cost_category"] == "media")
    assert not any(row["campaign_id"] for row in costs if row["cost_category"] == "sales")
    assert all(float(row["amount"]) > 0 for row in costs)


def test_parquet_has_the_same_rows_as_csv(tmp_path: Path, sample: Path) -> None:
    write_sample(SMALL, tmp_path, "parquet")
    con = duckdb.connect()
    for name, table in load_contract().items():
        path = tmp_path / f"{name}.parquet"
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()]
        assert columns == table.column_names, name
        (rows,) = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()
        assert rows == len(_read_csv(sample / f"{name}.csv")[1]), name
    assert not list(tmp_path.glob("*.csv"))


def test_switching_format_removes_the_stale_file(tmp_path: Path) -> None:
    config = SampleConfig(leads=50, months=1)
    write_sample(config, tmp_path, "parquet")
    write_sample(config, tmp_path, "csv")
    assert not list(tmp_path.glob("*.parquet"))


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--out", str(tmp_path), "--leads", "60", "--months", "2"]) == 0
    assert sorted(p.stem for p in tmp_path.glob("*.csv")) == sorted(RAW_TABLES)
    assert "touchpoints" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["sample", "--out", str(tmp_path), "--start", "2025-02-30"])


def test_bundled_sample_is_the_default_output(tmp_path: Path) -> None:
    write_sample(SampleConfig(), tmp_path, "csv")
    assert _same_files(tmp_path, sample_dir()), "regenerate: mkpi sample --out data/sample"
