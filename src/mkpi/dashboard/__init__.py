"""`mkpi dashboard`: one self-contained HTML file a CMO opens from disk.

Reads the built DuckDB file read-only (env DBT_DUCKDB_PATH, default target/marketing.duckdb) and
writes target/dashboard/index.html: inline CSS, inline SVG charts drawn in Python and a few lines
of inline JavaScript for tabs, so it opens offline with no server, CDN or web font.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mkpi.dashboard.data import load_dashboard_data
from mkpi.dashboard.render import Options, render_dashboard

__all__ = ["add_arguments", "build_dashboard", "run"]


def _default_database() -> Path:
    from mkpi.paths import duckdb_path

    try:
        return duckdb_path()
    except FileNotFoundError:
        return Path("target") / "marketing.duckdb"


def _default_out() -> Path:
    from mkpi.paths import project_root

    try:
        return project_root() / "target" / "dashboard" / "index.html"
    except FileNotFoundError:
        return Path("target") / "dashboard" / "index.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="DuckDB file with the marts (default: env DBT_DUCKDB_PATH or target/marketing.duckdb)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="HTML file to write (default target/dashboard/index.html)",
    )
    parser.add_argument("--currency", default="EUR", help="reporting currency label (default EUR)")
    parser.add_argument(
        "--top-campaigns", type=int, default=10, help="campaigns in the ROI chart (default 10)"
    )
    parser.add_argument(
        "--attribution-model",
        default=None,
        help="model for channel charts of attributed KPIs (default: the scorecard's)",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        help="also save a PNG screenshot of the page (needs chromium)",
    )


def build_dashboard(database: Path, out: Path, options: Options | None = None) -> Path:
    """Read `database`, write the page to `out`, return its path."""
    data = load_dashboard_data(database)
    html = render_dashboard(data, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def _screenshot(page: Path, target: Path) -> None:
    from mkpi.dashboard.browser import find_chromium, inspect_page

    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("error: --screenshot needs chromium (bash scripts/install_chromium.sh)")
    report = inspect_page(page.resolve().as_uri(), chromium=chromium, screenshot=True)
    assert report.screenshot is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(report.screenshot)
    print(f"screenshot: {target}")


def run(args: argparse.Namespace) -> int:
    database = args.db or _default_database()
    out = args.out or _default_out()
    options = Options(
        currency=args.currency,
        top_campaigns=args.top_campaigns,
        attribution_model=args.attribution_model,
    )
    try:
        path = build_dashboard(database, out, options)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(path)
    if args.screenshot:
        _screenshot(path, args.screenshot)
    return 0
