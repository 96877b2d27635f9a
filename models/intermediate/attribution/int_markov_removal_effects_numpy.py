"""Markov-chain removal effects per channel, solved exactly with numpy (DuckDB target).

Input: `int_markov_transitions_counted` (from_state, to_state, transition_count) with states START,
the canonical channels, CONVERSION and NULL. Output: one row per channel with the chain's
P(conversion), P(conversion) with the channel removed and the removal effect
1 - P(without) / P(conversion).

P(conversion from each channel) solves (I - Q) x = r, where Q holds channel -> channel transition
probabilities and r the channel -> CONVERSION probabilities; P(conversion) = s . x with s the
START -> channel probabilities. Removing a channel sends every transition into it to NULL, which is
the same as fixing x[channel] = 0. Exact linear algebra, no simulation: the counts are integers,
so the system is solved over fractions (Gauss-Jordan, at most a dozen states) and only the
answers become floats. That also makes every build give the same bits (LAPACK's float solve
could differ in the last bit from run to run). PostgreSQL runs the same math in plpgsql
(macros/attribution/markov_solver.sql); the two must agree.

This file is self-contained on purpose (dbt Python models cannot import the project package);
tests/python/test_markov.py loads it and checks it against hand-computed and exact-fraction answers.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pandas as pd

START = "START"
CONVERSION = "CONVERSION"
NULL = "NULL"
OUTPUT_COLUMNS = [
    "channel",
    "conversion_probability",
    "conversion_probability_without_channel",
    "removal_effect",
]


Matrix = list[list[Fraction]]
Vector = list[Fraction]


def chain_arrays(transitions: pd.DataFrame) -> tuple[list[str], Matrix, Vector, Vector]:
    """Sorted channels; exact probabilities Q (channel -> channel), r (-> CONVERSION), s (START)."""
    states = set(transitions["from_state"]) | set(transitions["to_state"])
    channels = sorted(states - {START, CONVERSION, NULL})
    index = {channel: position for position, channel in enumerate(channels)}
    size = len(channels)
    q = [[0] * size for _ in range(size)]
    r = [0] * size
    s = [0] * size
    out_totals = [0] * size
    start_total = 0
    for from_state, to_state, count in transitions[
        ["from_state", "to_state", "transition_count"]
    ].itertuples(index=False):
        count = int(count)
        if from_state == START:
            start_total += count
            if to_state in index:
                s[index[to_state]] += count
        elif from_state in index:
            row = index[from_state]
            out_totals[row] += count
            if to_state in index:
                q[row][index[to_state]] += count
            elif to_state == CONVERSION:
                r[row] += count
    start = [Fraction(value, start_total) if start_total else Fraction(0) for value in s]
    q_exact = [
        [Fraction(value, out_totals[row]) if out_totals[row] else Fraction(0) for value in q[row]]
        for row in range(size)
    ]
    r_exact = [
        Fraction(r[row], out_totals[row]) if out_totals[row] else Fraction(0) for row in range(size)
    ]
    return channels, q_exact, r_exact, start


def solve(matrix: Matrix, target: Vector) -> Vector:
    """x with matrix . x = target, by Gauss-Jordan elimination over fractions (pivot: the first
    non-zero entry of the column; I - Q of an absorbing chain is invertible)."""
    size = len(target)
    rows = [[*matrix[i], target[i]] for i in range(size)]
    for column in range(size):
        pivot = next(i for i in range(column, size) if rows[i][column] != 0)
        rows[column], rows[pivot] = rows[pivot], rows[column]
        lead = rows[column][column]
        rows[column] = [value / lead for value in rows[column]]
        for i in range(size):
            factor = rows[i][column]
            if i != column and factor != 0:
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[column], strict=True)]
    return [rows[i][size] for i in range(size)]


def conversion_probability(q: Matrix, r: Vector, s: Vector, removed: int | None = None) -> Fraction:
    """P(absorbed in CONVERSION from START), optionally with channel `removed` sent to NULL."""
    size = len(r)
    matrix = [[Fraction(int(i == j)) - q[i][j] for j in range(size)] for i in range(size)]
    target = list(r)
    if removed is not None:
        matrix[removed] = [Fraction(int(j == removed)) for j in range(size)]
        target[removed] = Fraction(0)
    absorption = solve(matrix, target)
    return sum((weight * value for weight, value in zip(s, absorption, strict=True)), Fraction(0))


def removal_effects(transitions: pd.DataFrame) -> pd.DataFrame:
    """One row per channel of the chain: P(conversion), P(without the channel), removal effect."""
    channels, q, r, s = chain_arrays(transitions)
    if not channels:
        return pd.DataFrame(
            {
                "channel": pd.Series([], dtype="object"),
                "conversion_probability": pd.Series([], dtype="float64"),
                "conversion_probability_without_channel": pd.Series([], dtype="float64"),
                "removal_effect": pd.Series([], dtype="float64"),
            }
        )
    overall = conversion_probability(q, r, s)
    rows = []
    for position, channel in enumerate(channels):
        without = conversion_probability(q, r, s, removed=position)
        effect = max(Fraction(0), 1 - without / overall) if overall > 0 else Fraction(0)
        rows.append((channel, float(overall), float(without), float(effect)))
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def model(dbt: Any, session: Any) -> pd.DataFrame:
    dbt.config(materialized="table")
    transitions = dbt.ref("int_markov_transitions_counted").df()
    return removal_effects(transitions)
