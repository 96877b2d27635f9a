"""The raw data contract, read from the dbt sources YAML (its one home).

The loader, the catalog's expectation generator and the developer tools (sample and dirty data)
all take the contract's tables and columns from here, so the list of raw tables is written once,
in `models/staging/marketing/_marketing__sources.yml`. (dbt's own `raw_table_names()` macro has to
repeat it because models loop over it at parse time; tests/python/test_raw_contract.py checks that
the two agree.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mkpi.paths import project_root

SOURCES_YAML = Path("models") / "staging" / "marketing" / "_marketing__sources.yml"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def sources_yaml_path() -> Path:
    return project_root() / SOURCES_YAML


def _parse_table(raw: dict[str, Any]) -> Table:
    meta = raw.get("meta") or {}
    columns = tuple(
        Column(
            name=column["name"],
            data_type=column["data_type"],
            nullable=bool((column.get("meta") or {}).get("nullable", False)),
        )
        for column in raw["columns"]
    )
    return Table(name=raw["name"], key=tuple(meta.get("key") or ()), columns=columns)


def _source_tables(path: Path | None) -> list[dict[str, Any]]:
    """The `marketing` source's table entries, in file order."""
    yaml_path = path or sources_yaml_path()
    document = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    for source in document["sources"]:
        if source["name"] == "marketing":
            return list(source["tables"])
    raise ValueError(f"{yaml_path}: no source named 'marketing'")


def _is_optional(raw: dict[str, Any]) -> bool:
    return bool((raw.get("meta") or {}).get("optional", False))


@cache
def raw_table_names(path: Path | None = None) -> tuple[str, ...]:
    """The contract's required raw tables, in contract order (optional lookups such as
    `campaign_mapping`, marked `meta.optional: true`, are not among them)."""
    return tuple(raw["name"] for raw in _source_tables(path) if not _is_optional(raw))


@cache
def load_contract(path: Path | None = None) -> dict[str, Table]:
    """Table name -> Table for every required raw table, in the order of `raw_table_names()`."""
    return {raw["name"]: _parse_table(raw) for raw in _source_tables(path) if not _is_optional(raw)}
