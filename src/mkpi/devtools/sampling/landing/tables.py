"""Landed tables as text, the way connectors land them, and the DuckDB writer for them.

A landed table is a list of named columns of text (None = NULL) with a landing type. CSV files
hold the text exactly as built (so timestamp spellings vary as they do in real exports); Parquet
files hold typed columns (BIGINT ids, BOOLEAN flags, DECIMAL money, DATE, and TIMESTAMP in UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

# landing type -> SQL type of the Parquet column (CSV columns are all text)
PARQUET_TYPES = {
    "text": "VARCHAR",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "money": "DECIMAL(18, 2)",
    "money6": "DECIMAL(18, 6)",
    "number": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
CSV_OPTIONS = "HEADER, DELIMITER ',', QUOTE '\"'"

# Timestamp spellings (all the same instant): see `format_timestamps`.
SPACE, ZULU_MILLIS, UTC_OFFSET, PLUS_ONE, MINUS_FIVE, ZULU = range(6)
ONE_HOUR = np.timedelta64(3600, "s")


@dataclass
class LandedTable:
    """A landed table: column name -> (landing type, values as text or None)."""

    name: str
    columns: dict[str, tuple[str, Sequence[str | None]]] = field(default_factory=dict)

    def add(self, name: str, kind: str, values: Sequence[str | None]) -> None:
        if kind not in PARQUET_TYPES:
            raise ValueError(f"{self.name}.{name}: unknown landing type {kind!r}")
        if self.columns and len(values) != len(self):
            raise ValueError(f"{self.name}.{name}: {len(values)} values, table has {len(self)}")
        self.columns[name] = (kind, values)

    def __len__(self) -> int:
        first = next(iter(self.columns.values()), None)
        return 0 if first is None else len(first[1])

    def column(self, name: str) -> Sequence[str | None]:
        return self.columns[name][1]


def write_landed(
    con: duckdb.DuckDBPyConnection, table: LandedTable, folder: Path, fmt: str
) -> Path:
    """Write `<folder>/<table>.<fmt>`; removes the same table in the other format."""
    folder.mkdir(parents=True, exist_ok=True)
    for other in ("csv", "parquet"):
        stale = folder / f"{table.name}.{other}"
        if other != fmt and stale.exists():
            stale.unlink()
    frame = pd.DataFrame(
        {
            f"c{i}": pd.Series(list(values), dtype=object)
            for i, (_, values) in enumerate(table.columns.values())
        }
    )
    selects = []
    for i, (name, (kind, _)) in enumerate(table.columns.items()):
        text = f"CAST(c{i} AS VARCHAR)"
        if fmt == "csv" or kind == "text":
            expression = text
        elif kind == "timestamp":  # offsets are honoured by TIMESTAMPTZ (session zone: UTC)
            expression = f"CAST(CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)"
        else:
            expression = f"CAST({text} AS {PARQUET_TYPES[kind]})"
        selects.append(f'{expression} AS "{name}"')
    path = folder / f"{table.name}.{fmt}"
    options = CSV_OPTIONS if fmt == "csv" else "FORMAT PARQUET, COMPRESSION ZSTD"
    con.register("landed_frame", frame)
    try:
        con.execute(
            f"COPY (SELECT {', '.join(selects)} FROM landed_frame) TO '{_sql_path(path)}'"
            f" ({options})"
        )
    finally:
        con.unregister("landed_frame")
    return path


def landing_connection() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def format_timestamps(values: np.ndarray, styles: np.ndarray | int = SPACE) -> np.ndarray:
    """datetime64 values as text in the given spellings; NaT -> None.

    SPACE '2024-11-01 09:08:23', ZULU_MILLIS '2024-11-01T09:08:23.000Z', UTC_OFFSET
    '2024-11-01T09:08:23+00:00', PLUS_ONE '2024-11-01T10:08:23+01:00', MINUS_FIVE
    '2024-11-01T04:08:23-05:00', ZULU '2024-11-01T09:08:23Z'.
    """
    instants = np.asarray(values, dtype="datetime64[s]")
    styles = np.broadcast_to(np.asarray(styles), instants.shape)
    out = np.full(instants.shape, None, dtype=object)
    known = ~np.isnat(instants)
    spellings = {
        SPACE: (np.timedelta64(0, "s"), " ", ""),
        ZULU_MILLIS: (np.timedelta64(0, "s"), "T", ".000Z"),
        UTC_OFFSET: (np.timedelta64(0, "s"), "T", "+00:00"),
        PLUS_ONE: (ONE_HOUR, "T", "+01:00"),
        MINUS_FIVE: (-5 * ONE_HOUR, "T", "-05:00"),
        ZULU: (np.timedelta64(0, "s"), "T", "Z"),
    }
    for style, (shift, separator, suffix) in spellings.items():
        mask = known & (styles == style)
        if not mask.any():
            continue
        text = np.datetime_as_string(instants[mask] + shift, unit="s").astype(object)
        if separator != "T":
            text = np.array([t.replace("T", separator) for t in text], dtype=object)
        out[mask] = text + suffix
    return out


def format_dates(values: np.ndarray) -> np.ndarray:
    days = np.asarray(values, dtype="datetime64[D]")
    out = np.full(days.shape, None, dtype=object)
    known = ~np.isnat(days)
    out[known] = np.datetime_as_string(days[known], unit="D").astype(object)
    return out


def pick_styles(rng: np.random.Generator, n: int, weights: dict[int, float]) -> np.ndarray:
    """A spelling per value, drawn with the given weights."""
    styles = np.array(list(weights), dtype=np.int64)
    p = np.array(list(weights.values()), dtype=float)
    return rng.choice(styles, size=n, p=p / p.sum())


def cents_text(cents: int, trim: bool = False) -> str:
    """Exact decimal text of an amount in cents ('12.30'; with `trim` '12.3', '12')."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(int(cents)), 100)
    text = f"{sign}{whole}.{fraction:02d}"
    if trim:
        text = text.rstrip("0").rstrip(".")
    return text


def boolean_text(flag: bool | None) -> str | None:
    return None if flag is None else ("true" if flag else "false")


def int_text(value: float | int | None) -> str | None:
    """An integer count as text; None or NaN -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(int(value))
