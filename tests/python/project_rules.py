"""The rules the project holds its own dbt graph to, checked on `manifest.json`.

Each rule returns its violations as (rule, node, detail) triples; tests/structure_exceptions.yml
lists the known exceptions, each with its reason. Layers and areas come from the file path:
models/<layer>/<area>/..., so a model's place in the tree is its role.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]
# a dispatch implementation (`duckdb__x`) or a private helper (`_x`) is not a public macro
PRIVATE_MACRO = re.compile(r"^(_|[a-z0-9]+__)")
KEY_TESTS = frozenset({"unique", "unique_combination"})


@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    node: str
    detail: str


def load_manifest(path: Path) -> Manifest:
    return json.loads(path.read_text(encoding="utf-8"))


def _models(manifest: Manifest) -> dict[str, dict[str, Any]]:
    return {
        key: node
        for key, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == manifest_project(manifest)
    }


def manifest_project(manifest: Manifest) -> str:
    return str(manifest["metadata"].get("project_name") or "marketing_kpis")


def _place(node: dict[str, Any]) -> tuple[str, str]:
    """(layer, area) of a model: models/<layer>/<area>/<file>."""
    parts = node["original_file_path"].split("/")
    return parts[1], parts[2] if len(parts) > 3 else ""


def _entity(name: str) -> str:
    """The entity a staging model is about: `base_marketing__deals` and `stg_marketing__deals`
    are one entity (`marketing__deals`)."""
    return name.split("_", 1)[1] if "__" in name else name


def _table(node: dict[str, Any]) -> str:
    """The contract table a staging model is about: `contract_hubspot__leads` -> `leads`."""
    return str(node["name"]).rsplit("__", 1)[-1]


def sources_only_in_staging(manifest: Manifest) -> Iterable[Violation]:
    for node in _models(manifest).values():
        sources = [key for key in node["depends_on"]["nodes"] if key.startswith("source.")]
        if sources and _place(node)[0] != "staging":
            yield Violation("source_outside_staging", node["name"], ", ".join(sorted(sources)))


def staging_reads_no_other_entity(manifest: Manifest) -> Iterable[Violation]:
    """A staging model reads its own entity (base_ -> stg_), seeds and the seed lookups
    (staging/seeds); a connector's contract_ models read their own connector's staging, and a
    base model reads the contract_ models of its table."""
    models = _models(manifest)
    for node in models.values():
        layer, area = _place(node)
        if layer != "staging" or area == "seeds":
            continue
        for key in node["depends_on"]["nodes"]:
            upstream = models.get(key)
            if upstream is None:
                continue  # a seed or a source
            up_area = _place(upstream)[1]
            same_entity = _entity(upstream["name"]) == _entity(node["name"])
            own_connector = node["name"].startswith("contract_") and up_area == area
            # a connector's contract rows of a table come in front of that table's base model
            same_table = upstream["name"].startswith("contract_") and _table(upstream) == _table(
                node
            )
            if up_area == "seeds" or same_entity or own_connector or same_table:
                continue
            yield Violation("staging_reads_other_entity", node["name"], upstream["name"])


def marts_contracted_and_key_tested(manifest: Manifest) -> Iterable[Violation]:
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and node.get("attached_node"):
            tested.setdefault(node["attached_node"], set()).add(metadata.get("name", ""))
    for key, node in _models(manifest).items():
        if _place(node)[0] != "marts":
            continue
        if not node["config"].get("contract", {}).get("enforced"):
            yield Violation("mart_without_contract", node["name"], "contract not enforced")
        if not tested.get(key, set()) & KEY_TESTS:
            yield Violation("mart_without_key_test", node["name"], "no unique test")


def models_described(manifest: Manifest) -> Iterable[Violation]:
    for node in _models(manifest).values():
        if not node["description"].strip():
            yield Violation("model_without_description", node["name"], "")
        if _place(node)[0] == "marts":
            for column, spec in node["columns"].items():
                if not spec["description"].strip():
                    yield Violation("mart_column_without_description", node["name"], column)


def public_macros_described(manifest: Manifest) -> Iterable[Violation]:
    project = manifest_project(manifest)
    for macro in manifest["macros"].values():
        if macro["package_name"] != project or PRIVATE_MACRO.match(macro["name"]):
            continue
        if macro["original_file_path"].startswith("macros/generated/"):
            continue  # generated from the catalog, described there
        if not macro["description"].strip():
            yield Violation("macro_without_description", macro["name"], "")


def models_tested(manifest: Manifest) -> Iterable[Violation]:
    """Every model has a data test or a unit test."""
    covered = set()
    for node in [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]:
        if node["resource_type"] in ("test", "unit_test"):
            covered.update(node["depends_on"]["nodes"])
    for key, node in _models(manifest).items():
        if key not in covered:
            yield Violation("model_without_tests", node["name"], "")


def _signature(macro: dict[str, Any]) -> list[str]:
    """The argument names of a macro, from its code (defaults dropped)."""
    found = re.search(
        r"\{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%\}", macro["macro_sql"], re.DOTALL
    )
    if not found:
        return []
    names, depth, current = [], 0, ""
    for char in found.group(1) + ",":
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            if current.strip():
                names.append(current.split("=")[0].strip())
            current = ""
        else:
            current += char
    return names


def macro_arguments_documented(manifest: Manifest) -> Iterable[Violation]:
    """A documented macro lists exactly its real arguments, in order."""
    project = manifest_project(manifest)
    for macro in manifest["macros"].values():
        if macro["package_name"] != project or not macro["description"].strip():
            continue
        documented = [argument["name"] for argument in macro.get("arguments", [])]
        real = _signature(macro)
        if documented != real:
            yield Violation("macro_arguments_differ", macro["name"], f"{documented} != {real}")


def marts_read_only_their_area(manifest: Manifest) -> Iterable[Violation]:
    """A mart reads intermediate models of its own area (and intermediate/common) only."""
    models = _models(manifest)
    for node in models.values():
        layer, area = _place(node)
        if layer != "marts":
            continue
        for key in node["depends_on"]["nodes"]:
            upstream = models.get(key)
            if upstream is None:
                continue
            up_layer, up_area = _place(upstream)
            if up_layer == "intermediate" and up_area not in (area, "common"):
                yield Violation("mart_reads_other_area", node["name"], upstream["name"])


RULES: tuple[Callable[[Manifest], Iterable[Violation]], ...] = (
    sources_only_in_staging,
    staging_reads_no_other_entity,
    marts_contracted_and_key_tested,
    models_described,
    models_tested,
    public_macros_described,
    macro_arguments_documented,
    marts_read_only_their_area,
)


def violations(manifest: Manifest) -> list[Violation]:
    return sorted(violation for rule in RULES for violation in rule(manifest))


def load_exceptions(path: Path) -> dict[tuple[str, str, str], str]:
    """(rule, node, detail) -> reason; a reason is required; detail "*" covers every detail."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["exceptions"]
    exceptions = {}
    for entry in entries:
        reason = str(entry.get("reason") or "").strip()
        if not reason:
            raise ValueError(f"{path}: exception {entry} has no reason")
        exceptions[(entry["rule"], entry["node"], str(entry.get("detail", "")))] = reason
    return exceptions


def is_excused(violation: Violation, exceptions: dict[tuple[str, str, str], str]) -> bool:
    return any(
        (violation.rule, violation.node, detail) in exceptions for detail in (violation.detail, "*")
    )


def unexcused(manifest: Manifest, exceptions: dict[tuple[str, str, str], str]) -> list[Violation]:
    return [
        violation for violation in violations(manifest) if not is_excused(violation, exceptions)
    ]
