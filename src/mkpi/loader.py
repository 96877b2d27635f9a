"""`mkpi load-postgres`: land a raw directory in PostgreSQL the way an EL tool would.

A contract directory: for each of the eight raw tables, `<dir>/<table>.parquet` (if present) else
`<dir>/<table>.csv` replaces the table `<schema>.<table>` (and the optional `campaign_mapping`
when present). A connector landing (docs/connectors.md: `<dir>/<input>/<table>` for connector
inputs, `<dir>/files/<table>` for the contract's own tables): every table file of every input
folder replaces `<input>.<table>`, the `files` folder's go to `<schema>`. Each table: every
column of the file, including unknown extra ones, becomes a `text` column, and every value
arrives as the text in the file (an empty CSV cell is NULL; Parquet values are cast to text by
DuckDB; a warehouse connector lands typed columns, which staging reads as text alike). Files
are read exactly like the DuckDB build reads them (macros/raw/register_raw_tables.sql: an
explicit dialect, with the delimiter and encoding of the dbt vars `csv_delimiter` and
`csv_encoding`, taken from dbt_project.yml and `--vars` as dbt takes them), so both targets see
the same raw rows: a line that is not valid in the encoding stops the load with one line naming
file and line; a contract file's malformed rows (a wrong number of fields) are loaded as rows
whose only value is `mkpi_malformed_row` (JSON of line number and text), which staging rejects
as `malformed_row`; a connector file's stop the load; a zero-byte file is an empty table with
the declared columns. Column names are lower-cased, as EL tools do (PostgreSQL folds unquoted
names; DuckDB ignores case).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import duckdb
import yaml

from mkpi.duckdb_rows import one_row
from mkpi.paths import CONNECTOR_INPUTS, project_root
from mkpi.pg import PgSettings, connect
from mkpi.raw_contract import load_contract, raw_table_names

if TYPE_CHECKING:
    from psycopg2.extensions import cursor as PgCursor

COPY_BUFFER_BYTES = 1 << 20
# GA4's nested event export, which only the DuckDB build reads (a warehouse gets the flat
# one-row-per-event table `ga4.events_flat` instead: docs/connectors.md)
NESTED_ONLY_TABLES = {("ga4", "events")}


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


ENCODINGS: tuple[str, ...] = ("utf-8", "latin-1", "utf-16")
ENCODING_ALIASES = {
    "utf8": "utf-8",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "utf16": "utf-16",
}
MALFORMED_COLUMN = "mkpi_malformed_row"


@dataclass(frozen=True)
class CsvDialect:
    """The dialect of raw CSV files: vars csv_delimiter and csv_encoding (macro csv_dialect)."""

    delimiter: str = ","
    encoding: str = "utf-8"

    @classmethod
    def from_vars(cls, variables: dict[str, Any]) -> CsvDialect:
        delimiter = str(variables.get("csv_delimiter", ","))
        delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
        encoding = str(variables.get("csv_encoding", "utf-8")).lower().replace("_", "-")
        encoding = ENCODING_ALIASES.get(encoding, encoding)
        if len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
            raise LoadError(
                "var csv_delimiter must be one character other than a quote or a line break,"
                f" got '{delimiter}'",
                exit_code=2,
            )
        if encoding not in ENCODINGS:
            raise LoadError(
                f"var csv_encoding must be utf-8, latin-1 or utf-16, got '{encoding}' (save a"
                " Windows-1252 file as latin-1 only if it has no euro sign or curly quotes,"
                " else as UTF-8)",
                exit_code=2,
            )
        return cls(delimiter, encoding)

    def reader(self, path: Path, extra: str = "") -> str:
        """read_csv() in this dialect, skipping malformed rows (macro csv_reader)."""
        return (
            f"read_csv({_duck_literal(str(path))}, header = true,"
            f" delim = {_duck_literal(self.delimiter)}, quote = '\"', escape = '\"',"
            f" encoding = '{self.encoding}', all_varchar = true, ignore_errors = true{extra})"
        )


def project_vars(overrides: str | None = None) -> dict[str, Any]:
    """The dbt vars: dbt_project.yml's, with `--vars` (YAML, as dbt takes it) on top."""
    project = yaml.safe_load((project_root() / "dbt_project.yml").read_text(encoding="utf-8"))
    variables = dict(project.get("vars") or {})
    if overrides:
        extra = yaml.safe_load(overrides)
        if not isinstance(extra, dict):
            raise LoadError(f"--vars must be a YAML mapping, got {overrides!r}", exit_code=2)
        variables.update(extra)
    return variables


def first_non_latin1_line(path: Path) -> int | None:
    """The 1-based line of the first byte 0x80-0x9F (no latin-1 character), or None."""
    line = 1
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(COPY_BUFFER_BYTES), b""):
            for index, byte in enumerate(chunk):
                if 0x80 <= byte <= 0x9F:
                    return line + chunk.count(b"\n", 0, index)
            line += chunk.count(b"\n")
    return None


def declared_columns(raw: RawFile, schema: str) -> list[str]:
    """The columns a table declares (contract or connector sources YAML), for a zero-byte file."""
    if raw.schema == schema:
        contract = load_contract()
        if raw.table in contract:
            return contract[raw.table].column_names
        return []
    path = project_root() / "models" / "staging" / raw.schema / f"_{raw.schema}__sources.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for source in (document or {}).get("sources", []):
        for table in source.get("tables", []):
            if table.get("identifier", table["name"]) == raw.table:
                return [column["name"] for column in table.get("columns", [])]
    return []


def add_load_arguments(parser: argparse.ArgumentParser, warehouse: str) -> None:
    """The arguments of a load command (`mkpi load-postgres`, `mkpi load-spark`)."""
    parser.add_argument(
        "--dir",
        required=True,
        type=Path,
        help="raw data directory with <table>.csv or <table>.parquet for each raw table",
    )
    parser.add_argument(
        "--schema", default="raw", help=f"{warehouse} schema to load into (default: raw)"
    )
    parser.add_argument(
        "--vars",
        default=None,
        help="dbt vars as YAML, as given to dbt (csv_delimiter, csv_encoding are read)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_load_arguments(parser, "PostgreSQL")


def find_raw_files(folder: Path, tables: tuple[str, ...] | None = None) -> list[RawFile]:
    """The file for each table (default: the contract's raw tables; Parquet wins over CSV);
    LoadError (exit 2) if one is missing."""
    if not folder.is_dir():
        raise LoadError(f"raw data directory not found: {folder}", exit_code=2)
    found = []
    for table in raw_table_names() if tables is None else tables:
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
            if (input_name, table) in NESTED_ONLY_TABLES:
                continue
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


def csv_select(
    duck: duckdb.DuckDBPyConnection,
    raw: RawFile,
    dialect: CsvDialect,
    keep_malformed: bool,
    columns: list[str],
) -> str:
    """The select that reads one CSV file as the DuckDB build's view does (macro
    csv_view_select): LoadError for a line not valid in the encoding, or (keep_malformed false)
    a malformed row; else every row, malformed ones as `mkpi_malformed_row` only."""
    label = f"raw table '{raw.table}'" if keep_malformed else f"{raw.schema}: table '{raw.table}'"
    if raw.path.stat().st_size == 0:
        nulls = "".join(f"cast(null as varchar) as {_duck_ident(c)}, " for c in columns)
        return f"select {nulls}cast(null as varchar) as {MALFORMED_COLUMN} where false"
    if dialect.encoding == "latin-1":
        bad_line = first_non_latin1_line(raw.path)
        if bad_line is not None:
            raise LoadError(
                f"{label}: {raw.path} line {bad_line} is not valid latin-1 (a byte 0x80-0x9F,"
                " e.g. a Windows-1252 euro sign): save the file as UTF-8 and set var"
                " csv_encoding: utf-8",
                exit_code=2,
            )
    # DuckDB's rejects tables, one pair per file (a name is never scanned into twice)
    (number,) = one_row(duck, "select count(*) from duckdb_tables() where temporary")
    rejects = f"mkpi_rejects_{number}"
    extra = f", store_rejects = true, rejects_table = '{rejects}', rejects_scan = '{rejects}_scans'"
    # fetched, so the scan runs to the end before its rejects are read; every column counted,
    # so every value is read (and checked against the encoding)
    duck.execute(f"select count(columns(*)) from {dialect.reader(raw.path, extra)}").fetchall()
    # a scan without errors may leave no table
    duck.execute(
        f"create temp table if not exists {rejects}"
        " (line ubigint, error_type varchar, csv_line varchar)"
    )
    duck.execute(
        "create or replace temp table mkpi_malformed as"
        " select line, min(cast(error_type as varchar)) as error_type,"
        " cast(json_object('line', line, 'text', min(csv_line)) as varchar)"
        f" as {MALFORMED_COLUMN} from temp.{rejects} group by line"
    )
    bad_encoding, malformed, error_type = one_row(
        duck,
        "select (select min(line) from mkpi_malformed where error_type = 'INVALID ENCODING'),"
        " (select min(line) from mkpi_malformed where error_type != 'INVALID ENCODING'),"
        " (select min(error_type) from mkpi_malformed where error_type != 'INVALID ENCODING')",
    )
    if bad_encoding is not None:
        raise LoadError(
            f"{label}: {raw.path} line {bad_encoding} is not valid {dialect.encoding}"
            " (set var csv_encoding: utf-8, latin-1 or utf-16)",
            exit_code=2,
        )
    if malformed is not None and not keep_malformed:
        raise LoadError(
            f"{label}: {raw.path} line {malformed} is malformed ({error_type.lower()}; delimiter"
            f" '{dialect.delimiter}', var csv_delimiter)",
            exit_code=2,
        )
    duck.execute(
        "create or replace temp table mkpi_malformed_rows as"
        f" select {MALFORMED_COLUMN} from mkpi_malformed order by line"
    )
    return (
        f"select *, cast(null as varchar) as {MALFORMED_COLUMN} from {dialect.reader(raw.path)}"
        f" union all by name select {MALFORMED_COLUMN} from mkpi_malformed_rows"
    )


def _raw_reader(
    duck: duckdb.DuckDBPyConnection, raw: RawFile, dialect: CsvDialect, schema: str
) -> tuple[str, list[str]]:
    """The parenthesised select that reads `raw` as the DuckDB build does, and its columns."""
    if raw.is_parquet:
        reader = f"(select * from read_parquet({_duck_literal(str(raw.path))}))"
    else:
        keep = raw.schema in ("", schema)
        reader = f"({csv_select(duck, raw, dialect, keep, declared_columns(raw, schema))})"
    columns = [row[0] for row in duck.execute(f"describe select * from {reader}").fetchall()]
    return reader, columns


def _export(
    duck: duckdb.DuckDBPyConnection,
    raw: RawFile,
    target: Path,
    dialect: CsvDialect | None,
    schema: str,
    copy_options: str,
    rename: bool,
) -> tuple[list[str], int]:
    """Copy `raw`, every column as text (renamed as `_pg_column_names` does when `rename`), to
    `target` with DuckDB's COPY `copy_options`; return (column names, row count)."""
    try:
        reader, columns = _raw_reader(duck, raw, dialect or CsvDialect(), schema)
        names = _pg_column_names(columns) if rename else columns
        select = ", ".join(
            f"cast({_duck_ident(c)} as varchar) as {_duck_ident(n)}"
            for c, n in zip(columns, names, strict=True)
        )
        (count,) = one_row(
            duck,
            f"copy (select {select} from {reader}) to {_duck_literal(str(target))}"
            f" ({copy_options})",
        )
    except duckdb.Error as error:
        raise LoadError(f"cannot read {raw.path}: {_first_line(error)}", exit_code=2) from None
    return names, int(count)


def export_csv(
    duck: duckdb.DuckDBPyConnection,
    raw: RawFile,
    target: Path,
    dialect: CsvDialect | None = None,
    schema: str = "raw",
) -> tuple[list[str], int]:
    """Write `raw` as header-less CSV text to `target`; return (column names, row count).

    Every value is quoted and NULL is the only unquoted empty field, which is exactly how
    PostgreSQL's CSV COPY tells NULL from an empty string.
    """
    options = "format csv, header false, delimiter ',', quote '\"', force_quote *"
    return _export(duck, raw, target, dialect, schema, options, rename=False)


def export_parquet(
    duck: duckdb.DuckDBPyConnection,
    raw: RawFile,
    target: Path,
    dialect: CsvDialect | None = None,
    schema: str = "raw",
) -> tuple[list[str], int]:
    """Write `raw` to the Parquet file `target`, every column as text under its lower-cased,
    unique name (as `load_table` names PostgreSQL's columns); return (column names, row count)."""
    return _export(duck, raw, target, dialect, schema, "format parquet", rename=True)


def run_load(
    args: argparse.Namespace, load_into: Callable[..., dict[str, int]], where: Callable[[], str]
) -> int:
    """A load command: `load_into(dir, schema, dialect=...)`, then one line of what it loaded
    (`where()` says into what); a LoadError is one line on stderr and its exit code."""
    try:
        dialect = CsvDialect.from_vars(project_vars(args.vars))
        counts = load_into(args.dir, args.schema, dialect=dialect)
    except LoadError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    schemas = sorted({name.split(".")[0] for name in counts})
    print(f"loaded {len(counts)} raw tables into {', '.join(schemas)} {where()}")
    return 0


def _existing_columns(cursor: PgCursor, schema: str, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    )
    return [(name, data_type) for name, data_type in cursor.fetchall()]


def load_table(
    cursor: PgCursor, schema: str, raw: RawFile, columns: list[str], csv_path: Path
) -> int:
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


def load(
    folder: Path,
    schema: str,
    settings: PgSettings | None = None,
    out: TextIO | None = None,
    dialect: CsvDialect | None = None,
) -> dict[str, int]:
    """Load every raw table of `folder`; return {schema.table: rows}. Raises LoadError."""
    import psycopg2
    from psycopg2 import sql

    out = out or sys.stdout
    dialect = dialect or CsvDialect.from_vars(project_vars())
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
                source_columns, exported = export_csv(duck, raw, csv_path, dialect, schema)
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
    return run_load(args, load, lambda: f"at {PgSettings.from_env().describe()}")
