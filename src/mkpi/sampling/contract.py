"""The raw data contract as the generators see it, read from the dbt sources YAML (its one home)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from mkpi.paths import RAW_TABLES, project_root

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


def _parse_table(raw: dict) -> Table:
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


@cache
def load_contract(path: Path | None = None) -> dict[str, Table]:
    """Table name -> Table, in the order of `mkpi.paths.RAW_TABLES`."""
    document = yaml.safe_load((path or sources_yaml_path()).read_text(encoding="utf-8"))
    source = next(s for s in document["sources"] if s["name"] == "marketing")
    tables = {raw["name"]: _parse_table(raw) for raw in source["tables"]}
    missing = [name for name in RAW_TABLES if name not in tables]
    if missing:
        raise ValueError(f"sources YAML lacks raw tables: {', '.join(missing)}")
    return {name: tables[name] for name in RAW_TABLES}
