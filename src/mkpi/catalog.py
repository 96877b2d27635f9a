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
Unit = Literal["count", "currency", "ratio", "percent", "days", "months", "seconds", "position"]
Dimension = Literal["total", "channel", "campaign"]
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
Tier = Literal["top", "middle", "bottom"]
Family = Literal["acquisition", "attribution", "retention", "orders", "traffic"]
Operator = Literal["gt", "gte", "lt", "lte"]

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# SQL words a formula may use besides its inputs.
FORMULA_FUNCTIONS = {"median", "power"}


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
    attributed: bool = False
    direction: Direction
    funnel_tier: Tier
    thresholds: Thresholds | None = None

    @model_validator(mode="after")
    def _formula_matches_kind(self) -> Kpi:
        if self.kind == "ratio":
            if not (self.numerator and self.denominator):
                raise ValueError("numerator: a ratio needs a numerator and a denominator")
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
        return self

    def formula(self) -> str:
        """The formula as a person reads it."""
        if self.kind == "ratio":
            return f"({self.numerator}) / ({self.denominator})"
        return str(self.value)


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    conventions: dict[str, str] = Field(default_factory=dict)
    kpis: list[Kpi]

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
    return f"{source}: field '{'.'.join(str(p) for p in location)}': {message}"


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
    return catalog
