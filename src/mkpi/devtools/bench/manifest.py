"""Read what the raw-SQL baseline needs out of dbt's artifacts (manifest.json, run_results.json).

Everything here is pure: dicts in, plain values out, so it is tested on tiny fake manifests.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Build stages in order. A model belongs to the stage named by its top folder under models/;
# models in any other folder (e.g. utilities/) are built with the marts.
MODEL_STAGES: tuple[str, ...] = ("staging", "intermediate", "marts")
RAW_SOURCE_NAME = "marketing"


@dataclass(frozen=True)
class ModelNode:
    unique_id: str
    name: str
    database: str
    schema: str
    alias: str
    materialized: str
    language: str
    stage: str
    depends_on: tuple[str, ...]
    compiled_code: str | None
    original_file_path: str
    package_name: str

    @property
    def relation(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.alias)}"


@dataclass(frozen=True)
class SeedSpec:
    name: str
    schema: str
    alias: str
    path: str  # relative to the project root
    column_types: Mapping[str, str]
    delimiter: str


@dataclass(frozen=True)
class RawSource:
    name: str  # the file stem in the raw directory and the view name (as the on-run-start hook)
    schema: str
    optional: bool = False  # meta.optional (campaign_mapping): registered only when its file exists


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def stage_of(fqn: list[str]) -> str:
    """The build stage of a model from its fqn (`[project, top folder, ..., name]`)."""
    top = fqn[1] if len(fqn) > 2 else ""
    return top if top in MODEL_STAGES else "marts"


def topological_order(dependencies: Mapping[str, Iterable[str]]) -> list[str]:
    """Every key after all the keys it depends on; ties broken by name, so the order is stable.

    Dependencies that are not keys (sources, seeds, macros) are ignored. A cycle is a ValueError.
    """
    parents = {
        node: {dep for dep in deps if dep in dependencies} for node, deps in dependencies.items()
    }
    children: dict[str, list[str]] = {node: [] for node in parents}
    for node, deps in parents.items():
        for dep in deps:
            children[dep].append(node)
    waiting = {node: len(deps) for node, deps in parents.items()}
    ready = [node for node, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(parents):
        stuck = sorted(node for node, count in waiting.items() if count > 0)
        raise ValueError(f"dependency cycle among: {', '.join(stuck)}")
    return order


def model_nodes(manifest: Mapping[str, Any]) -> list[ModelNode]:
    """The enabled model nodes of the manifest in topological order."""
    raw = {
        uid: node for uid, node in manifest["nodes"].items() if node.get("resource_type") == "model"
    }
    order = topological_order({uid: node["depends_on"]["nodes"] for uid, node in raw.items()})
    return [_model_node(raw[uid]) for uid in order]


def _model_node(node: Mapping[str, Any]) -> ModelNode:
    return ModelNode(
        unique_id=node["unique_id"],
        name=node["name"],
        database=node.get("database") or "",
        schema=node["schema"],
        alias=node.get("alias") or node["name"],
        materialized=node["config"]["materialized"],
        language=node.get("language") or "sql",
        stage=stage_of(node["fqn"]),
        depends_on=tuple(node["depends_on"]["nodes"]),
        compiled_code=node.get("compiled_code") or None,
        original_file_path=node["original_file_path"],
        package_name=node["package_name"],
    )


def seed_specs(manifest: Mapping[str, Any]) -> list[SeedSpec]:
    """The seeds, by name, with the column types and delimiter dbt loads them with."""
    seeds = [node for node in manifest["nodes"].values() if node.get("resource_type") == "seed"]
    return [
        SeedSpec(
            name=node["name"],
            schema=node["schema"],
            alias=node.get("alias") or node["name"],
            path=node["original_file_path"],
            column_types=dict(node["config"].get("column_types") or {}),
            delimiter=node["config"].get("delimiter") or ",",
        )
        for node in sorted(seeds, key=lambda node: node["name"])
    ]


def raw_sources(manifest: Mapping[str, Any], source_name: str = RAW_SOURCE_NAME) -> list[RawSource]:
    """The raw tables the on-run-start hook registers: the tables of the `marketing` source."""
    return [
        RawSource(
            name=node["name"],
            schema=node["schema"],
            optional=bool((node.get("meta") or {}).get("optional")),
        )
        for node in sorted(manifest["sources"].values(), key=lambda node: node["name"])
        if node.get("source_name") == source_name
    ]


def create_statement(node: ModelNode, sql: str) -> str | None:
    """`create or replace table|view <schema>.<alias> as <sql>`; None for ephemeral models,
    which dbt inlines into the compiled SQL of the models that use them."""
    if node.materialized == "ephemeral":
        return None
    kind = "view" if node.materialized == "view" else "table"
    body = sql.strip().rstrip(";").rstrip()
    return f"create or replace {kind} {node.relation} as\n{body}\n"


def seed_statement(seed: SeedSpec, csv_path: str) -> str:
    """Load a seed CSV the way dbt does: declared column types, the rest detected."""
    options = [f"header = true, delim = {quote_literal(seed.delimiter)}"]
    if seed.column_types:
        types = ", ".join(
            f"{quote_literal(column)}: {quote_literal(kind)}"
            for column, kind in seed.column_types.items()
        )
        options.append(f"types = {{{types}}}")
    return (
        f"create or replace table {quote_ident(seed.schema)}.{quote_ident(seed.alias)} as "
        f"select * from read_csv({quote_literal(csv_path)}, {', '.join(options)})"
    )


def raw_view_statement(source: RawSource, parquet: str | None, csv: str | None) -> str:
    """The view the on-run-start hook creates (register_file_view): Parquet if present, else CSV,
    every column as text, plus a NULL `mkpi_malformed_row` (the hook's collection of malformed
    CSV rows is left out: generated data has none)."""
    if parquet:
        reader = f"(select columns(*)::varchar from read_parquet({quote_literal(parquet)}))"
    elif csv:
        reader = f"read_csv({quote_literal(csv)}, header = true, all_varchar = true)"
    else:
        raise ValueError(f"raw table '{source.name}' has neither a .parquet nor a .csv file")
    return (
        f"create or replace view {quote_ident(source.schema)}.{quote_ident(source.name)} as "
        f"select *, cast(null as varchar) as mkpi_malformed_row from {reader}"
    )


# ------------------------------------------------------------------------------ run_results
@dataclass(frozen=True)
class NodeTiming:
    unique_id: str
    status: str
    seconds: float  # run_results execution_time
    started: datetime | None  # first timing step start
    finished: datetime | None  # last timing step end


def node_timings(run_results: Mapping[str, Any]) -> list[NodeTiming]:
    timings = []
    for result in run_results.get("results", []):
        steps = result.get("timing", [])
        starts = [moment for step in steps if (moment := _parse_time(step.get("started_at")))]
        ends = [moment for step in steps if (moment := _parse_time(step.get("completed_at")))]
        timings.append(
            NodeTiming(
                unique_id=result["unique_id"],
                status=str(result.get("status")),
                seconds=float(result.get("execution_time") or 0.0),
                started=min(starts) if starts else None,
                finished=max(ends) if ends else None,
            )
        )
    return timings


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def busy_seconds(timings: Iterable[NodeTiming]) -> float:
    """Seconds during which at least one node was compiling or executing (union of intervals).

    With two dbt threads, node times overlap; the union is the part of a stage's wall time the
    nodes account for, and wall minus it is dbt's own overhead (start-up, parsing, hooks)."""
    intervals = sorted(
        (timing.started, timing.finished)
        for timing in timings
        if timing.started and timing.finished and timing.finished >= timing.started
    )
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in intervals:
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total


def compiled_code_by_node(run_results: Mapping[str, Any]) -> dict[str, str]:
    """Compiled SQL of the nodes a run executed (run_results keeps it even when the manifest,
    loaded from partial parsing, does not)."""
    return {
        result["unique_id"]: result["compiled_code"]
        for result in run_results.get("results", [])
        if result.get("compiled_code")
    }
