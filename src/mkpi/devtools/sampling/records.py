"""Helpers for the generators' column-oriented records (dataclasses of equally long arrays)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

import numpy as np

Record = TypeVar("Record", bound=Any)


def concat(parts: Sequence[Record]) -> Record:
    """One record holding the rows of all `parts` (of one dataclass type), in order."""
    names = [f.name for f in fields(parts[0])]
    return replace(parts[0], **{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})


def take(record: Record, index: np.ndarray) -> Record:
    """The rows at `index` (positions or a boolean mask)."""
    return replace(record, **{f.name: getattr(record, f.name)[index] for f in fields(record)})
