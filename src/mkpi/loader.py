"""`mkpi load-postgres`: land a raw directory in PostgreSQL the way an EL tool would.

A contract directory: for each of the eight raw tables, `<dir>/<table>.parquet` (if present) else
`<dir>/<table>.csv` replaces the table `<schema>.<table>` (and the optional `campaign_mapping`
when present). A connector landing (docs/connectors.md: `<dir>/<input>/<table>` for connector
inputs, `<dir>/files/<table>` for the contract's own tables): every table file of every input
folder replaces `<input>.<table>`, the `files` folder's go to `<schema>`. Each table: every
column of the file, including unknown extra ones, becomes a `text` column, and every value
arrives as the text in the file (an empty CSV cell is NULL; Parquet values are cast to text by
DuckDB; a warehouse connector lands typed columns, which staging reads as text alike). Files
are read exactly like the DuckDB build reads them (`read_csv(..., header = true,
all_varchar = true)`, see macros/raw/), so both targets see the same raw rows. Column names
are lower-cased, as EL tools do (PostgreSQL folds unquoted names; DuckDB ignores case).

Columns are not checked against the contract here: dbt's on-run-start hook does that and names
what is missing. Files are streamed (DuckDB writes a temporary CSV, PostgreSQL COPYs it), so
large tables never sit in Python memory. All tables load in one transaction: a failure leaves
the previous load in place. If the columns are unchanged the table is truncated and refilled
(views built on it survive); otherwise it is dropped (with dependent views, which the next
dbt build recreates) and created anew.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mkpi.paths import CONNECTOR_INPUTS, RAW_TABLES
from mkpi.pg import PgSettings, connect

COPY_BUFFER_BYTES = 1 << 20


class LoadError(Exception):
    """A problem worth one line to the user (no stack trace)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# contract-side lookups that are loaded when present
OPTIONAL_TABLES: tuple[str, ...] = ("campaign_mapping", "money_keywords")


@dataclass(frozen=True)
class RawFile:
    table: str
    path: Path
    schema: str = ""

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix == ".parquet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        required=True,
        type=Path,
        help="raw data directory with <table>.csv or <table>.parquet for each raw table",
    )
    parser.add_argument(
        "--schema", default="raw", help="PostgreSQL schema to load into (default: raw)"
    )


def find_raw_files(folder: Path, tables: tuple[str, ...] = RAW_TABLES) -> list[RawFile]:
    """The file for each table (Parquet wins over CSV); LoadError (exit 2) if one is missing."""
    if not folder.is_dir():
        raise LoadError(f"raw data directory not found: {folder}", exit_code=2)
    found = []
    for table in tables:
        parquet, csv = folder / f"{table}.parquet", folder / f"{table}.csv"
        if parquet.is_file():
            found.append(RawFile(table, parquet))
        elif csv.is_file():
            found.append(RawFile(table, csv))
        else:
            raise LoadError(
                f"raw table '{table}' not found: expected {folder}/{table}.csv or .parquet",
                exit_code=2,
            )
    return found


def _table_files(folder: Path) -> dict[str, Path]:
    """Every `<table>.parquet` / `<table>.csv` in `folder`, Parquet winning over CSV."""
    files: dict[str, Path] = {}
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.parquet")):
        files[path.stem] = path
    return files


def is_connector_landing(folder: Path) -> bool:
    """A connector landing has a `files/` folder or a folder named after a connector input."""
    return any((folder / name).is_dir() for name in ("files", *CONNECTOR_INPUTS))


def plan_load(folder: Path, schema: str) -> list[RawFile]:
    """The files to load, each with its schema (LoadError, exit 2, if a contract one is missing)."""
    if not folder.is_dir():
        raise LoadError(f"raw data directory not found: {folder}", exit_code=2)
    if not is_connector_landing(folder):
        optional = _table_files(folder)
        return [RawFile(raw.table, raw.path, schema) for raw in find_raw_files(folder)] + [
            RawFile(table, optional[table], schema)
            for table in OPTIONAL_TABLES
            if table in optional
        ]
    planned: list[RawFile] = []
    for input_name in ("files", *CONNECTOR_INPUTS):
        target_schema = schema if input_name == "files" else input_name
        for table, path in _table_files(folder / input_name).items():
            planned.append(RawFile(table, path, target_schema))
    return planned


def _duck_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duck_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pg_column_names(names: list[str]) -> list[str]:
    """Lower-cased, and made unique again if lower-casing made two names equal."""
    result: list[str] = []
    taken: set[str] = set()
    for name in names:
        candidate, n = name.lower(), 0
        while candidate in taken:
            n += 1
            candidate = f"{name.lower()}_{n}"
        taken.add(candidate)
        result.append(candidate)
    return result


def export_csv(
    duck: duckdb.DuckDBPyConnection, raw: RawFile, target: Path
) -> tuple[list[str], int]:
    """Write `raw` as header-less CSV text to `target`; return (column names, row count).

    Every value is quoted and NULL is the only unquoted empty field, which is exactly how
    PostgreSQL's CSV COPY tells NULL from an empty string.
    """
    if raw.is_parquet:
        reader = f"read_parquet({_duck_literal(str(raw.path))})"
    else:
        reader = f"read_csv({_duck_literal(str(raw.path))}, header = true, all_varchar = true)"
    try:
        columns = [row[0] for row in duck.execute(f"describe select * from {reader}").fetchall()]
        select = ", ".join(f"cast({_duck_ident(c)} as varchar)" for c in columns)
        (count,) = duck.execute(
            f"copy (select {select} from {reader}) to {_duck_literal(str(target))}"
            " (format csv, header false, delimiter ',', quote '\"', force_quote *)"
        ).fetchone()
    except duckdb.Error as error:
        raise LoadError(f"cannot read {raw.path}: {_first_line(error)}", exit_code=2) from None
    return columns, int(count)


def _existing_columns(cursor, schema: str, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    )
    return [(name, data_type) for name, data_type in cursor.fetchall()]


def load_table(cursor, schema: str, raw: RawFile, columns: list[str], csv_path: Path) -> int:
    """Replace `schema.table` with the CSV at `csv_path`; return the rows PostgreSQL stored."""
    from psycopg2 import sql

    table = sql.Identifier(schema, raw.table)
    if _existing_columns(cursor, schema, raw.table) == [(c, "text") for c in columns]:
        cursor.execute(sql.SQL("truncate table {}").format(table))
    else:
        cursor.execute(sql.SQL("drop table if exists {} cascade").format(table))
        cursor.execute(
            sql.SQL("create table {} ({})").format(
                table,
                sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns),
            )
        )
    copy = sql.SQL("copy {} ({}) from stdin with (format csv, header false)").format(
        table, sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with csv_path.open("rb") as handle:
        cursor.copy_expert(copy.as_string(cursor), handle, size=COPY_BUFFER_BYTES)
    return cursor.rowcount


@contextmanager
def _duckdb_connection(tmp: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """In-memory DuckDB with bounded memory (it spills to `tmp`), UTC and no progress bar."""
    duck = duckdb.connect()
    try:
        duck.execute("set memory_limit = '512MB'")
        duck.execute(f"set temp_directory = {_duck_literal(str(tmp / 'duckdb-spill'))}")
        duck.execute("set enable_progress_bar = false")
        duck.execute("set TimeZone = 'UTC'")
        yield duck
    finally:
        duck.close()


def _first_line(error: BaseException) -> str:
    text = (getattr(error, "pgerror", None) or str(error)).strip()
    return text.splitlines()[0] if text else type(error).__name__


def load(folder: Path, schema: str, settings: PgSettings | None = None, out=None) -> dict[str, int]:
    """Load every raw table of `folder`; return {schema.table: rows}. Raises LoadError."""
    import psycopg2
    from psycopg2 import sql

    out = out or sys.stdout
    settings = settings or PgSettings.from_env()
    raw_files = plan_load(folder, schema)
    try:
        connection = connect(settings)
    except psycopg2.OperationalError as error:
        raise LoadError(
            f"cannot connect to PostgreSQL at {settings.describe()}: {_first_line(error)}"
            " (start the local server with: bash scripts/postgres.sh start)"
        ) from None
    counts: dict[str, int] = {}
    step = f"creating schema {schema}"
    try:
        with (
            tempfile.TemporaryDirectory(prefix="mkpi-load-") as tmp,
            _duckdb_connection(Path(tmp)) as duck,
            connection.cursor() as cur,
        ):
            for target_schema in sorted({schema, *(raw.schema for raw in raw_files)}):
                cur.execute(
                    sql.SQL("create schema if not exists {}").format(sql.Identifier(target_schema))
                )
            for raw in raw_files:
                csv_path = Path(tmp) / f"{raw.schema}.{raw.table}.csv"
                source_columns, exported = export_csv(duck, raw, csv_path)
                step = f"loading {raw.path} into {raw.schema}.{raw.table}"
                try:
                    loaded = load_table(
                        cur, raw.schema, raw, _pg_column_names(source_columns), csv_path
                    )
                finally:
                    csv_path.unlink(missing_ok=True)
                if loaded != exported:
                    raise LoadError(f"{step}: read {exported} rows but PostgreSQL stored {loaded}")
                counts[f"{raw.schema}.{raw.table}"] = loaded
                print(f"{raw.schema}.{raw.table}: {loaded} rows from {raw.path}", file=out)
            step = "committing"
            connection.commit()
        # Fresh statistics so the first dbt build on the new data gets sensible plans.
        step = "analyzing the loaded tables"
        connection.autocommit = True
        with connection.cursor() as cur:
            for raw in raw_files:
                cur.execute(sql.SQL("analyze {}").format(sql.Identifier(raw.schema, raw.table)))
    except psycopg2.Error as error:
        raise LoadError(f"{step} failed: {_first_line(error)}") from None
    finally:
        connection.close()  # closing without commit rolls back: the previous load stays
    return counts


def run(args: argparse.Namespace) -> int:
    try:
        counts = load(args.dir, args.schema)
    except LoadError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    settings = PgSettings.from_env()
    schemas = sorted({name.split(".")[0] for name in counts})
    print(f"loaded {len(counts)} raw tables into {', '.join(schemas)} at {settings.describe()}")
    return 0
