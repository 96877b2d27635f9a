"""The KPI catalog (catalog/kpis.yml): load it, validate it, and hand out typed entries.

A bad entry fails with one line naming the KPI and the field, e.g.
`catalog/kpis.yml: kpi 'cpl' field 'unit': must be one of count, currency, ...`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mkpi.paths import project_root

Kind = Literal["count", "sum", "ratio", "median", "derived"]
# `rate`: a share that must lie within [0, 1]; `ratio`: a multiplier that may exceed 1.
Unit = Literal["count", "currency", "rate", "ratio", "days", "months", "seconds", "position"]
Dimension = Literal["total", "channel", "campaign"]
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
Tier = Literal["top", "middle", "bottom"]
Family = Literal["acquisition", "attribution", "retention", "orders", "traffic"]
Operator = Literal["gt", "gte", "lt", "lte"]

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# SQL words a formula may use besides its inputs.
FORMULA_FUNCTIONS = {"median", "power"}
# Kinds whose values add up over months and dimension values.
ADDITIVE = ("count", "sum")


class CatalogError(ValueError):
    """A catalog problem, as one line that names the KPI and the field."""


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    op: Operator
    value: float | dict[str, float]


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    healthy: Threshold | None = None
    critical: Threshold | None = None
    source: str

    def resolved(self, business_model: str) -> dict[str, tuple[str, float] | None]:
        """(operator, value) per level, with business-model-specific values picked."""
        out: dict[str, tuple[str, float] | None] = {}
        for level in ("healthy", "critical"):
            threshold: Threshold | None = getattr(self, level)
            if threshold is None:
                out[level] = None
                continue
            value = threshold.value
            if isinstance(value, dict):
                value = value[business_model]
            out[level] = (threshold.op, float(value))
        return out


class Kpi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    family: Family
    description: str = Field(min_length=10)
    kind: Kind
    unit: Unit
    inputs: list[str] = Field(min_length=1)
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None
    dimensions: list[Dimension] = Field(min_length=1)
    # Where each input comes from: the column of the family's wide measures model
    # (int_<family>_measures_by_dimension) it reads; an input not listed reads the column of its
    # own name, e.g. {cohort_leads: leads}.
    measures: dict[str, str] = Field(default_factory=dict)
    # The grid rule (conventions.grid): a dimension value other than the total gets rows for this
    # KPI, in every month, when any of these measure columns adds up to more than 0 over all months
    # (e.g. [marketing_cost_lines, leads]: a cost line of 0 is activity). Default: the measures
    # the inputs read.
    rows_when: list[str] = Field(default_factory=list)
    attributed: bool = False
    # The value (and, for a ratio, the numerator) may be below 0, e.g. romi or a growth rate.
    # Without it the generated expectations require value, numerator and denominator >= 0.
    may_be_negative: bool = False
    # Sum of this KPI's channel rows (per month and attribution model) = the named KPI's total
    # row: every event has exactly one channel, so the split adds up. Becomes an expectation.
    reconciles_to: str | None = None
    direction: Direction
    funnel_tier: Tier
    thresholds: Thresholds | None = None

    @model_validator(mode="after")
    def _formula_matches_kind(self) -> Kpi:
        if self.kind == "ratio":
            for side in ("numerator", "denominator"):
                if not getattr(self, side):
                    raise ValueError(f"{side}: a ratio needs a numerator and a denominator")
            if self.value:
                raise ValueError("value: a ratio's value is numerator / denominator; drop it")
        else:
            if not self.value:
                raise ValueError(f"value: a {self.kind} KPI needs a value expression")
            if self.numerator or self.denominator:
                raise ValueError(f"numerator: a {self.kind} KPI has no numerator/denominator")
        for field in ("numerator", "denominator", "value"):
            expression = getattr(self, field)
            if not expression:
                continue
            unknown = sorted(
                {
                    token
                    for token in IDENTIFIER.findall(expression)
                    if token not in self.inputs and token not in FORMULA_FUNCTIONS
                }
            )
            if unknown:
                raise ValueError(f"{field}: uses {', '.join(unknown)}, which is not in inputs")
        unknown_inputs = sorted(set(self.measures) - set(self.inputs))
        if unknown_inputs:
            raise ValueError(f"measures: maps {', '.join(unknown_inputs)}, which is not in inputs")
        for field in ("measures", "rows_when"):
            columns = getattr(self, field)
            names = columns.values() if isinstance(columns, dict) else columns
            bad = sorted(name for name in names if not IDENTIFIER.fullmatch(name))
            if bad:
                raise ValueError(f"{field}: {', '.join(bad)} is not a column name")
        if self.unit == "rate" and self.may_be_negative:
            raise ValueError("may_be_negative: a rate lies within [0, 1]")
        if self.reconciles_to and ("channel" not in self.dimensions or self.kind not in ADDITIVE):
            raise ValueError("reconciles_to: only a count or sum with a channel dimension adds up")
        return self

    def measure_of(self, name: str) -> str:
        """The measures-model column an input reads."""
        return self.measures.get(name, name)

    def activity_measures(self) -> list[str]:
        """The measure columns whose activity gives a dimension value rows (the grid rule)."""
        if self.rows_when:
            return list(self.rows_when)
        return list(dict.fromkeys(self.measure_of(name) for name in self.inputs))

    def formula(self) -> str:
        """The formula as a person reads it."""
        if self.kind == "ratio":
            return f"({self.numerator}) / ({self.denominator})"
        return str(self.value)


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    conventions: dict[str, str] = Field(default_factory=dict)
    # The attribution models every attributed KPI has rows for (channel and campaign rows), and
    # the one the semantic layer's by-channel / by-campaign metrics use (= dbt var
    # default_attribution_model).
    attribution_models: list[str] = Field(min_length=1)
    default_attribution_model: str
    kpis: list[Kpi]

    @model_validator(mode="after")
    def _default_model_is_listed(self) -> Catalog:
        if self.default_attribution_model not in self.attribution_models:
            raise ValueError(
                "default_attribution_model: "
                f"{self.default_attribution_model} is not in attribution_models"
            )
        return self

    def by_name(self) -> dict[str, Kpi]:
        return {kpi.name: kpi for kpi in self.kpis}

    def family(self, family: str) -> list[Kpi]:
        return [kpi for kpi in self.kpis if kpi.family == family]


def default_path() -> Path:
    return project_root() / "catalog" / "kpis.yml"


def _describe(error: ValidationError, raw: dict[str, Any], source: str) -> str:
    first = error.errors()[0]
    location = list(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if location[:1] == ["kpis"] and len(location) >= 2 and isinstance(location[1], int):
        index = location[1]
        entry = raw.get("kpis", [])[index]
        name = entry.get("name", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        field_path = ".".join(str(part) for part in location[2:])
        if ":" in message and not field_path:
            field_path, message = (part.strip() for part in message.split(":", 1))
        return f"{source}: kpi '{name}' field '{field_path or '(entry)'}': {message}"
    field_path = ".".join(str(part) for part in location)
    if ":" in message and not field_path:
        field_path, message = (part.strip() for part in message.split(":", 1))
    return f"{source}: field '{field_path}': {message}"


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate the catalog; raise CatalogError with one line on any problem."""
    path = path or default_path()
    source = path.name if path.parent.name != "catalog" else f"catalog/{path.name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CatalogError(f"{source}: not valid YAML ({error.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{source}: expected a mapping with 'version' and 'kpis'")
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as error:
        raise CatalogError(_describe(error, raw, source)) from None
    seen: set[str] = set()
    for kpi in catalog.kpis:
        if kpi.name in seen:
            raise CatalogError(f"{source}: kpi '{kpi.name}' field 'name': defined twice")
        seen.add(kpi.name)
    _check_references(catalog, source)
    return catalog


def _check_references(catalog: Catalog, source: str) -> None:
    """Checks across entries: a reconciliation target must be a KPI with a total row."""
    kpis = catalog.by_name()
    for kpi in catalog.kpis:
        if not kpi.reconciles_to:
            continue
        target = kpis.get(kpi.reconciles_to)
        if target is None:
            raise CatalogError(
                f"{source}: kpi '{kpi.name}' field 'reconciles_to': "
                f"{kpi.reconciles_to} is not a KPI of the catalog"
            )
        if "total" not in target.dimensions or target.unit != kpi.unit:
            raise CatalogError(
                f"{source}: kpi '{kpi.name}' field 'reconciles_to': "
                f"{target.name} needs a total dimension and the same unit ({kpi.unit})"
            )
