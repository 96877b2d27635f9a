"""`mkpi sample`: write a deterministic, seeded sample raw data set in the raw contract's shape.

`--shape connectors` writes the same simulated company as a Fivetran connector landing instead
(HubSpot, Google Ads, Meta Ads, LinkedIn Ads, GA4, Search Console, Stripe, Shopify and a `files`
folder; `mkpi.devtools.sampling.landing`).
Same seed and arguments give byte-identical files. Generation is vectorised (numpy) and files are
written by DuckDB, so a million leads (~10 million touchpoints) take minutes, not hours.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from mkpi.devtools.sampling.frame import FORMATS, row_count, write_table
from mkpi.devtools.sampling.generator import SampleConfig, generate
from mkpi.devtools.sampling.landing.writer import write_landing
from mkpi.paths import project_root
from mkpi.raw_contract import load_contract

DEFAULTS = SampleConfig()
SHAPES = ("contract", "connectors")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _iso_day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from error


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="directory to write the tables to")
    parser.add_argument(
        "--leads", type=_positive_int, default=DEFAULTS.leads, help="number of leads"
    )
    parser.add_argument(
        "--months", type=_positive_int, default=DEFAULTS.months, help="months of history"
    )
    parser.add_argument("--start", type=_iso_day, default=DEFAULTS.start, help="first day")
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="random seed")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="file format")
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default="contract",
        help="contract: the eight raw tables; connectors: a Fivetran landing of the same company",
    )


def write_sample(config: SampleConfig, out_dir: Path, fmt: str = "csv") -> dict[str, int]:
    """Generate and write all raw tables; returns rows per table.

    A file of the same table in the other format is removed: staging prefers .parquet, so a stale
    one would shadow the new data.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    contract = load_contract()
    tables = generate(config)
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        for name, table in contract.items():
            for other in FORMATS:
                stale = out_dir / f"{name}.{other}"
                if other != fmt and stale.exists():
                    stale.unlink()
            write_table(con, table, tables[name], out_dir, fmt)
            counts[name] = row_count(tables[name])
    finally:
        con.close()
    return counts


def fx_coverage_gap(config: SampleConfig) -> str | None:
    """A warning if the generated months reach outside the months of the fx_rates seed."""
    seed = project_root() / "seeds" / "fx_rates.csv"
    if not seed.is_file():
        return None
    with seed.open(encoding="utf-8", newline="") as handle:
        months = {row["month"][:7] for row in csv.DictReader(handle)}
    wanted = {str(month)[:7] for month in config.span.month_starts}
    missing = sorted(wanted - months)
    if not missing:
        return None
    return (
        f"months {missing[0]}..{missing[-1]} have no rate in seeds/fx_rates.csv: their non-EUR"
        " money rows will be rejected as unknown_currency"
    )


def run(args: argparse.Namespace) -> int:
    config = SampleConfig(leads=args.leads, months=args.months, start=args.start, seed=args.seed)
    warning = fx_coverage_gap(config)
    if warning:
        print(f"mkpi sample: warning: {warning}", file=sys.stderr)
    started = time.perf_counter()
    try:
        if args.shape == "connectors":
            counts = write_landing(config, args.out, args.format)
        else:
            counts = write_sample(config, args.out, args.format)
    except ValueError as error:
        print(f"mkpi sample: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    width = max(17, *(len(name) for name in counts))
    for name, rows in counts.items():
        print(f"{name:>{width}}: {rows:>10,} rows")
    print(f"wrote {args.out}/ ({args.format}) in {elapsed:.1f}s")
    return 0
