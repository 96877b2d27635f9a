"""Hostile raw files (tests/python/fixtures/hostile): read on DuckDB and on PostgreSQL alike.

Each fixture folder is built once per engine (DuckDB reads the files; PostgreSQL gets them from
`mkpi load-postgres` with the same vars). Every case of `expected.csv` must come out as stated
there (a clean row's value or its reject reason), the reject counts of every table must equal
the independent classifier (mkpi.devtools.sampling.reject_rules, with malformed rows found by
Python's csv module), and the two engines must classify every row identically. Files that cannot
be read in the configured encoding stop both with one line naming the file and the line.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from dbt_runner import fresh_pg_database, run_dbt

from mkpi.devtools.sampling.reject_rules import CLEAN, RawTable, classify, load_fx
from mkpi.loader import MALFORMED_COLUMN
from mkpi.paths import project_root
from mkpi.pg import PgSettings, connect
from mkpi.raw_contract import load_contract, raw_table_names

RAW_TABLES = raw_table_names()

pytestmark = pytest.mark.dbt

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
VARS = {
    "main": {},
    "nordic": {"csv_encoding": "latin-1", "csv_delimiter": ";", "decimal_mark": ","},
}
ENCODING = {"main": "utf-8", "nordic": "latin-1"}
DELIMITER = {"main": ",", "nordic": ";"}
LATE_QUOTE_ROWS = 20_500
BUILD = [
    "build",
    "--exclude-resource-type",
    "unit_test",
    "--indirect-selection",
    "cautious",
    "--select",
    "+stg_marketing__rejected_rows",
    "+fct_raw_row_reconciliation",
    "+fct_data_quality_issues",
    "assert_raw_rows_reconcile",
    "assert_rejected_share_below_limit",
]
# the column that names a row in expected.csv: the key, or the first column of a keyless table
ROW_COLUMN = {
    "campaigns": "campaign_id",
    "costs": "cost_date",
    "leads": "lead_id",
    "touchpoints": "touchpoint_id",
    "deals": "deal_id",
    "subscriptions": "subscription_id",
    "orders": "order_id",
    "keyword_rankings": "ranked_on",
}
CLEAN_MODEL_COLUMN = {**ROW_COLUMN, "costs": "cost_date"}


def write_touchpoints(folder: Path) -> None:
    """20,500 plain rows, then the first quoted field (DuckDB sniffs 20,480 rows), NULL ids."""
    header = "touchpoint_id,visitor_id,lead_id,occurred_at,channel,campaign_id,landing_page,"
    lines = [header + "pageviews,engaged_seconds,created_lead"]
    lines += [
        f"T{n:05d},V{n},,2024-03-01T10:00:00,Google Ads,,/,1,5,false"
        for n in range(1, LATE_QUOTE_ROWS + 1)
    ]
    lines += [
        'T20501,V1,,2024-03-01T10:00:00,Google Ads,,"/a,""b""",1,5,false',
        "T20502,V9,NULL,2024-03-01T10:00:00,Google Ads,,/,1,5,false",
        "T20503,None,,2024-03-01T10:00:00,Google Ads,,/,1,5,false",
        "T20504,V9, n/a ,2024-03-01T10:00:00,Google Ads,,/,1,5,false",
    ]
    (folder / "touchpoints.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def raw_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("hostile")
    folders = {}
    for name in VARS:
        folder = work / name
        shutil.copytree(FIXTURES / name, folder)
        if name == "main":
            write_touchpoints(folder)
        folders[name] = folder
    return folders


def expected_cases() -> list[dict[str, str]]:
    with (FIXTURES / "expected.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def oracle(folder: Path, name: str) -> dict[str, Counter]:
    """Outcome counts per table, computed in Python: csv splits the lines (a row with the wrong
    number of fields is malformed_row), mkpi.devtools.sampling.reject_rules classifies the rest."""
    contract = load_contract()
    tables, malformed = {}, {}
    for table in RAW_TABLES:
        path = folder / f"{table}.csv"
        with path.open(encoding=ENCODING[name], newline="") as handle:
            rows = [row for row in csv.reader(handle, delimiter=DELIMITER[name]) if row]
        header = rows[0] if rows else contract[table].column_names
        body = rows[1:]
        good = [row for row in body if len(row) == len(header)]
        malformed[table] = len(body) - len(good)
        tables[table] = RawTable(header=header, rows=good)
    with (project_root() / "seeds" / "fx_rates.csv").open(encoding="utf-8") as handle:
        fx = load_fx(csv.DictReader(handle))
    mark = VARS[name].get("decimal_mark", ".")
    outcomes = classify(contract, tables, fx, decimal_mark=mark)
    result = {}
    for table, outcome in outcomes.items():
        counts = Counter(outcome.verdicts)
        if malformed[table]:
            counts["malformed_row"] = malformed[table]
        result[table] = +counts
    return result


def collect(query) -> dict:
    """What a build made of the files: rejects, reconciliation, clean values of every case."""
    rejects = [
        (table, reason, json.dumps(json.loads(raw_row), sort_keys=True))
        for table, reason, raw_row in query(
            "select source_table, reject_reason, raw_row from staging.stg_marketing__rejected_rows"
        )
    ]
    reconciliation = {
        row[0]: tuple(row[1:])
        for row in query(
            "select source_table, raw_rows, clean_rows, rejected_rows, collapsed_duplicates,"
            " is_reconciled from marts.fct_raw_row_reconciliation"
        )
    }
    values = {}
    for case in expected_cases():
        if case["outcome"] == CLEAN:
            rows = query(
                f"select cast({case['column']} as varchar) from staging.stg_marketing__"
                f"{case['table']} where cast({ROW_COLUMN[case['table']]} as varchar)"
                f" like '{case['row']}%'"
            )
            values[(case["folder"], case["table"], case["row"], case["column"])] = rows
    return {"rejects": sorted(rejects), "reconciliation": reconciliation, "values": values}


def check(name: str, folder: Path, found: dict) -> None:
    expected = [case for case in expected_cases() if case["folder"] == name]
    # every clean case: the one row, with its value
    for case in expected:
        if case["outcome"] != CLEAN:
            continue
        key = (name, case["table"], case["row"], case["column"])
        value = case["value"] or None
        got = [row[0] for row in found["values"][key]]
        assert len(got) == 1, (key, got)
        if value is not None and got[0] is not None and "." in value and value[0].isdigit():
            assert float(got[0]) == float(value), (key, got)
        else:
            assert got[0] == value, (key, got)
    # every reject case: its reason, found by its row's value or its line
    for case in expected:
        if case["outcome"] == CLEAN:
            continue
        matches = []
        for table, reason, raw_row in found["rejects"]:
            row = json.loads(raw_row)
            if table != case["table"]:
                continue
            if case["row"].startswith("line "):
                hit = row.get("line") == int(case["row"].split()[1]) or (
                    row.get(ROW_COLUMN[table]) is None and "line" not in row
                )
            else:
                hit = row.get(ROW_COLUMN[table]) == case["row"]
            if hit:
                matches.append(reason)
        assert case["outcome"] in matches, (case, matches)
    # malformed rows keep their line (the email in it masked)
    malformed = [
        json.loads(raw) for _, reason, raw in found["rejects"] if reason == "malformed_row"
    ]
    assert all(set(row) == {"line", "text"} for row in malformed)
    assert not any("@example.com" in row["text"] for row in malformed)
    # every table: counts as the independent classifier gives them, and reconciled
    reference = oracle(folder, name)
    for table in RAW_TABLES:
        reasons = Counter(t_reason for t, t_reason, _ in found["rejects"] if t == table)
        raw_rows, clean_rows, _, collapsed, reconciled = found["reconciliation"][table]
        assert reconciled, table
        got = +Counter({**reasons, CLEAN: clean_rows, "collapsed": collapsed})
        assert got == reference[table], (table, got, reference[table])
        assert raw_rows == sum(reference[table].values())


def duckdb_results(name: str, folder: Path, work: Path) -> dict:
    result, database = run_dbt(BUILD, folder, work, f"duck-{name}", extra_vars=VARS[name])
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        return collect(lambda sql: connection.sql(sql).fetchall())


def pg_results(name: str, folder: Path, work: Path, pg_settings: PgSettings) -> dict:
    settings, env = fresh_pg_database(pg_settings, f"marketing_hostile_{name}")
    load = load_postgres(folder, env, VARS[name])
    assert load.returncode == 0, load.stderr
    result, _ = run_dbt(
        [*BUILD, "--target", "postgres"], folder, work, f"pg-{name}", env, VARS[name]
    )
    assert result.returncode == 0, result.stdout[-3000:]
    connection = connect(settings)
    try:
        with connection.cursor() as cursor:

            def query(sql: str) -> list[tuple]:
                cursor.execute(sql.replace("as varchar)", "as text)"))
                return cursor.fetchall()

            return collect(query)
    finally:
        connection.close()


def load_postgres(folder: Path, env: dict[str, str], variables: dict):
    import os
    import subprocess

    from dbt_runner import BIN

    return subprocess.run(
        [str(BIN / "mkpi"), "load-postgres", "--dir", str(folder), "--vars", json.dumps(variables)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


@pytest.fixture(scope="module")
def duckdb_found(raw_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("hostile-duckdb")
    return {name: duckdb_results(name, folder, work) for name, folder in raw_dirs.items()}


@pytest.mark.parametrize("name", list(VARS))
def test_duckdb_reads_every_hostile_case(name: str, raw_dirs, duckdb_found) -> None:
    check(name, raw_dirs[name], duckdb_found[name])


@pytest.mark.parametrize("name", list(VARS))
def test_postgres_classifies_every_row_as_duckdb(
    name: str, raw_dirs, duckdb_found, pg_settings: PgSettings, tmp_path: Path
) -> None:
    found = pg_results(name, raw_dirs[name], tmp_path, pg_settings)
    check(name, raw_dirs[name], found)
    assert found["rejects"] == duckdb_found[name]["rejects"]
    assert found["reconciliation"] == duckdb_found[name]["reconciliation"]


def test_the_malformed_column_is_the_loaders() -> None:
    # the dbt view and the loader name the column alike (macros/raw, src/mkpi/loader.py)
    macro = (project_root() / "macros" / "raw" / "register_raw_tables.sql").read_text()
    assert f"as {MALFORMED_COLUMN}" in macro


UNREADABLE = [
    ({"csv_delimiter": ";"}, "line 2 is not valid utf-8"),
    ({"csv_encoding": "latin-1", "csv_delimiter": ";"}, "line 3 is not valid latin-1"),
]


def unreadable_folder(raw_dirs: dict[str, Path], tmp_path: Path) -> Path:
    """The Nordic folder with a costs file holding a Windows-1252 euro sign (not UTF-8, not
    latin-1) and an ASCII campaigns file."""
    folder = tmp_path / "raw"
    shutil.copytree(raw_dirs["nordic"], folder)
    shutil.copy(FIXTURES / "unreadable" / "costs.csv", folder / "costs.csv")
    campaigns = "campaign_id;campaign_name;channel;started_on;ended_on\nc1;Brand;Google Ads;;\n"
    (folder / "campaigns.csv").write_text(campaigns, encoding="ascii")
    return folder


@pytest.mark.parametrize(("variables", "message"), UNREADABLE)
def test_a_file_not_in_the_encoding_is_one_line_on_duckdb(
    variables: dict, message: str, raw_dirs, tmp_path: Path
) -> None:
    folder = unreadable_folder(raw_dirs, tmp_path)
    result, _ = run_dbt(
        ["run", "--select", "stg_seeds__fx_rates"], folder, tmp_path, "duck", None, variables
    )
    assert result.returncode != 0
    lines = [line for line in result.stdout.splitlines() if message in line]
    assert lines and f"raw table 'costs': {folder}/costs.csv {message}" in lines[0], result.stdout[
        -2000:
    ]


@pytest.mark.parametrize(("variables", "message"), UNREADABLE)
def test_a_file_not_in_the_encoding_is_one_line_in_the_loader(
    variables: dict, message: str, raw_dirs, tmp_path: Path, pg_settings: PgSettings
) -> None:
    folder = unreadable_folder(raw_dirs, tmp_path)
    _, env = fresh_pg_database(pg_settings, "marketing_hostile_unreadable")
    result = load_postgres(folder, env, variables)
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines() == [result.stderr.strip()]
        and f"raw table 'costs': {folder}/costs.csv {message}" in result.stderr
    )


def test_a_table_nearly_all_rejected_stops_the_build(raw_dirs, tmp_path: Path) -> None:
    # main's campaigns: 3 of 4 rows rejected, two reasons tie at 1: the first by name wins
    result, _ = run_dbt(
        BUILD,
        raw_dirs["main"],
        tmp_path,
        "share",
        None,
        {"rejected_share_min_rows": 4, "max_rejected_share": 0.5},
    )
    assert result.returncode != 0
    assert (
        "raw table 'campaigns': 3 of 4 rows rejected, most as implausible_date (1), over var"
        " max_rejected_share 0.5"
    ) in result.stdout
