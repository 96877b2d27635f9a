"""Column encodings of generated tables and the DuckDB writer that renders them in contract shape.

Generated tables stay numeric until the last moment (ids as integers, strings as category codes),
so ten million rows cost a few hundred MB; DuckDB renders the text while it writes the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from mkpi.raw_contract import Table

FORMATS = ("csv", "parquet")
CSV_OPTIONS = (
    "HEADER, DELIMITER ',', QUOTE '\"', DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S'"
)
SQL_TYPES = {
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "numeric": "DECIMAL(18, 2)",
    "int": "BIGINT",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
}


@dataclass(frozen=True)
class Ids:
    """Integers rendered as `prefix` + zero-padded number + `suffix`; a negative value is NULL."""

    values: np.ndarray
    prefix: str
    width: int = 0
    suffix: str = ""


@dataclass(frozen=True)
class Labels:
    """Codes into `labels`; -1 is NULL."""

    codes: np.ndarray
    labels: Sequence[str]


ColumnData = Ids | Labels | np.ndarray
TableData = Mapping[str, ColumnData]


def row_count(data: TableData) -> int:
    first = next(iter(data.values()))
    if isinstance(first, Ids):
        return len(first.values)
    if isinstance(first, Labels):
        return len(first.codes)
    return len(first)


def _frame_column(values: ColumnData) -> tuple[object, str]:
    """The pandas column DuckDB scans, and a SQL template rendering `{c}` as the raw value."""
    if isinstance(values, Ids):
        numbers = np.asarray(values.values, dtype=np.int64)
        # never narrower than the largest number: lpad truncates
        width = values.width
        if width and len(numbers):
            width = max(width, len(str(int(numbers.max()))))
        digits = f"lpad(CAST({{c}} AS VARCHAR), {width}, '0')" if width else "CAST({c} AS VARCHAR)"
        text = f"'{values.prefix}' || {digits} || '{values.suffix}'"
        return numbers, f"CASE WHEN {{c}} < 0 THEN NULL ELSE {text} END"
    if isinstance(values, Labels):
        codes = np.asarray(values.codes, dtype=np.int32)
        return pd.Categorical.from_codes(codes, categories=list(values.labels)), "{c}"
    return values, "{c}"


def _select_sql(table: Table, data: TableData, frame_name: str) -> tuple[pd.DataFrame, str]:
    names = table.column_names
    if list(data) != names:
        raise ValueError(
            f"{table.name}: generated columns {list(data)} differ from contract {names}"
        )
    frame: dict[str, object] = {}
    selects: list[str] = []
    for position, column in enumerate(table.columns):
        internal = f"c{position}"
        frame[internal], template = _frame_column(data[column.name])
        expression = template.format(c=internal)
        selects.append(f'CAST({expression} AS {SQL_TYPES[column.data_type]}) AS "{column.name}"')
    sql = f"SELECT {', '.join(selects)} FROM {frame_name}"
    return pd.DataFrame(frame, copy=False), sql


def write_table(
    con: duckdb.DuckDBPyConnection, table: Table, data: TableData, out_dir: Path, fmt: str
) -> Path:
    """Write `<out_dir>/<table>.<fmt>`: columns in contract order, typed as the contract says."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    frame, sql = _select_sql(table, data, "generated_frame")
    path = out_dir / f"{table.name}.{fmt}"
    options = CSV_OPTIONS if fmt == "csv" else "FORMAT PARQUET, COMPRESSION ZSTD"
    con.register("generated_frame", frame)
    try:
        con.execute(f"COPY ({sql}) TO '{_sql_path(path)}' ({options})")
    finally:
        con.unregister("generated_frame")
    return path


def write_text_parquet(
    con: duckdb.DuckDBPyConnection, header: Sequence[str], rows: Sequence[Sequence[str]], path: Path
) -> None:
    """Write all-text rows as a parquet file of VARCHAR columns (empty string = NULL)."""
    frame = pd.DataFrame(
        {
            name: pd.Series([row[i] if row[i] != "" else None for row in rows], dtype=object)
            for i, name in enumerate(header)
        }
    )
    casts = ", ".join(f'CAST("{name}" AS VARCHAR) AS "{name}"' for name in header)
    con.register("text_frame", frame)
    try:
        con.execute(
            f"COPY (SELECT {casts} FROM text_frame) TO '{_sql_path(path)}' (FORMAT PARQUET)"
        )
    finally:
        con.unregister("text_frame")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
