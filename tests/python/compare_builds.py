"""Comparing numbers of two builds: equal to 1e-9, relative or absolute (sums of doubles may add
up in another order on another run or database)."""

from __future__ import annotations

import math


def same_number(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
