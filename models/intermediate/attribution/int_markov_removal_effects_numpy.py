"""Markov-chain removal effects per channel, solved exactly with numpy (DuckDB target).

Input: `int_markov_transitions_counted` (from_state, to_state, transition_count) with states START,
the canonical channels, CONVERSION and NULL. Output: one row per channel with the chain's
P(conversion), P(conversion) with the channel removed and the removal effect
1 - P(without) / P(conversion).

P(conversion from each channel) solves (I - Q) x = r, where Q holds channel -> channel transition
probabilities and r the channel -> CONVERSION probabilities; P(conversion) = s . x with s the
START -> channel probabilities. Removing a channel sends every transition into it to NULL, which is
the same as fixing x[channel] = 0. Exact linear algebra, no simulation. PostgreSQL runs the same
math in plpgsql (macros/attribution/markov_solver.sql); the two must agree.

This file is self-contained on purpose (dbt Python models cannot import the project package);
tests/python/test_markov.py loads it and checks it against hand-computed and exact-fraction answers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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


def chain_arrays(
    transitions: pd.DataFrame,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Sorted channels; probabilities Q (channel -> channel), r (-> CONVERSION), s (START ->)."""
    states = set(transitions["from_state"]) | set(transitions["to_state"])
    channels = sorted(states - {START, CONVERSION, NULL})
    index = {channel: position for position, channel in enumerate(channels)}
    size = len(channels)
    q = np.zeros((size, size))
    r = np.zeros(size)
    s = np.zeros(size)
    out_totals = np.zeros(size)
    start_total = 0.0
    for from_state, to_state, count in transitions[
        ["from_state", "to_state", "transition_count"]
    ].itertuples(index=False):
        count = float(count)
        if from_state == START:
            start_total += count
            if to_state in index:
                s[index[to_state]] += count
        elif from_state in index:
            row = index[from_state]
            out_totals[row] += count
            if to_state in index:
                q[row, index[to_state]] += count
            elif to_state == CONVERSION:
                r[row] += count
    if start_total > 0:
        s /= start_total
    nonzero = out_totals > 0
    q[nonzero] /= out_totals[nonzero, None]
    r[nonzero] /= out_totals[nonzero]
    return channels, q, r, s


def conversion_probability(
    q: np.ndarray, r: np.ndarray, s: np.ndarray, removed: int | None = None
) -> float:
    """P(absorbed in CONVERSION from START), optionally with channel `removed` sent to NULL."""
    size = len(r)
    matrix = np.eye(size) - q
    target = r.copy()
    if removed is not None:
        matrix[removed, :] = 0.0
        matrix[removed, removed] = 1.0
        target[removed] = 0.0
    absorption = np.linalg.solve(matrix, target)
    return float(s @ absorption)


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
        effect = max(0.0, 1.0 - without / overall) if overall > 0 else 0.0
        rows.append((channel, overall, without, effect))
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def model(dbt: Any, session: Any) -> pd.DataFrame:
    dbt.config(materialized="table")
    transitions = dbt.ref("int_markov_transitions_counted").df()
    return removal_effects(transitions)
