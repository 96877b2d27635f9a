"""An exact first-order Markov chain over channels, by Gauss-Jordan elimination on fractions.

Independent of the project's solvers (numpy on DuckDB, plpgsql on PostgreSQL): the tests compare
those against this. Paths are (channels in order, converted?); each adds the transitions
START -> first channel -> ... -> last channel -> CONVERSION or NULL.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from itertools import pairwise

ChannelPath = tuple[list[str], bool]


def conversion_probability(paths: list[ChannelPath], removed: str | None = None) -> Fraction:
    """P(absorbed in CONVERSION from START); with `removed`, its inbound transitions go to NULL."""
    counts: Counter[tuple[str, str]] = Counter()
    totals: Counter[str] = Counter()
    for channels, converted in paths:
        states = ["START", *channels, "CONVERSION" if converted else "NULL"]
        for source, target in pairwise(states):
            counts[(source, target)] += 1
            totals[source] += 1
    channels = sorted({channel for path, _ in paths for channel in path})
    size = len(channels)
    index = {channel: i for i, channel in enumerate(channels)}
    rows = []
    for channel in channels:
        row = [Fraction(0)] * (size + 1)
        row[index[channel]] = Fraction(1)
        if channel != removed:
            for other in channels:
                row[index[other]] -= Fraction(counts[(channel, other)], totals[channel])
            row[size] = Fraction(counts[(channel, "CONVERSION")], totals[channel])
        rows.append(row)
    for column in range(size):
        pivot = next(r for r in range(column, size) if rows[r][column] != 0)
        rows[column], rows[pivot] = rows[pivot], rows[column]
        rows[column] = [value / rows[column][column] for value in rows[column]]
        for r in range(size):
            if r != column and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
    return sum(
        (
            Fraction(counts[("START", channel)], totals["START"]) * rows[index[channel]][size]
            for channel in channels
            if channel != removed
        ),
        Fraction(0),
    )


def removal_effects(paths: list[ChannelPath]) -> dict[str, Fraction]:
    """1 - P(conversion without the channel) / P(conversion), per channel; 0 if nothing converts."""
    channels = sorted({channel for path, _ in paths for channel in path})
    overall = conversion_probability(paths)
    return {
        channel: (1 - conversion_probability(paths, channel) / overall if overall else Fraction(0))
        for channel in channels
    }
