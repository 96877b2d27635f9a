"""The Markov attribution solve: published examples, exact-fraction cross-checks, and an end-to-end
dbt build of the published examples.

The dbt Python model `int_markov_removal_effects_numpy` is self-contained (dbt Python models
cannot import the project package), so these tests load that very file and call its functions.
Expected numbers are computed by hand (the published examples) or by an independent exact method
(Gaussian elimination over fractions, written here).
"""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd
import pytest
from dbt_runner import run_dbt
from reference.markov import conversion_probability

from mkpi.paths import project_root

MODEL_FILE = (
    project_root()
    / "models"
    / "intermediate"
    / "attribution"
    / "int_markov_removal_effects_numpy.py"
)

Path_ = tuple[list[str], bool]  # (channels in order, converted?)


def load_solver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("int_markov_removal_effects_numpy", MODEL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


solver = load_solver()


def transitions_of(paths: list[Path_]) -> pd.DataFrame:
    """Transition counts START -> c1 -> ... -> cn -> CONVERSION / NULL (the model's input shape)."""
    counts: Counter[tuple[str, str]] = Counter()
    for channels, converted in paths:
        states = ["START", *channels, "CONVERSION" if converted else "NULL"]
        counts.update(pairwise(states))
    return pd.DataFrame(
        [(source, target, count) for (source, target), count in counts.items()],
        columns=["from_state", "to_state", "transition_count"],
    )


def effects_by_channel(paths: list[Path_]) -> dict[str, tuple[float, float, float]]:
    result = solver.removal_effects(transitions_of(paths))
    return {
        row.channel: (
            row.conversion_probability,
            row.conversion_probability_without_channel,
            row.removal_effect,
        )
        for row in result.itertuples(index=False)
    }


# ------------------------------------------------------------------- published examples (by hand)

EXAMPLE_ONE: list[Path_] = [
    (["A", "B", "A", "B", "B", "A"], True),
    (["A", "B", "B", "A", "A"], True),
    (["A", "A"], True),
]

EXAMPLE_TWO: list[Path_] = [
    (["google ads"], True),
    (["google ads"], True),
    (["mailing"], True),
    (["google ads", "mailing"], True),
    (["google ads"], False),
]


def test_example_one_removal_effects() -> None:
    # Every path converts, so P(conversion) = 1. Without A nothing converts (effect 1). Without B,
    # from A: x = 3/8 + 2/8 x (A -> A twice, A -> B three times now NULL) -> x = 1/2 (effect 0.5).
    effects = effects_by_channel(EXAMPLE_ONE)
    assert effects["A"] == pytest.approx((1.0, 0.0, 1.0), abs=1e-12)
    assert effects["B"] == pytest.approx((1.0, 0.5, 0.5), abs=1e-12)


def test_example_two_removal_effects() -> None:
    # START -> g 4/5, -> m 1/5; g -> CONVERSION 2/4, -> m 1/4, -> NULL 1/4; m -> CONVERSION 1.
    # P = 4/5 (1/2 + 1/4) + 1/5 = 0.8; without g: 0.2 (effect 0.75); without m: 0.4 (effect 0.5).
    effects = effects_by_channel(EXAMPLE_TWO)
    assert effects["google ads"] == pytest.approx((0.8, 0.2, 0.75), abs=1e-12)
    assert effects["mailing"] == pytest.approx((0.8, 0.4, 0.5), abs=1e-12)


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (EXAMPLE_ONE, {"A": 2.0, "B": 1.0}),
        (EXAMPLE_TWO, {"google ads": 2.4, "mailing": 1.6}),
    ],
)
def test_published_chain_level_conversions(paths: list[Path_], expected: dict[str, float]) -> None:
    # The published summary: converting paths x removal effect / sum of removal effects.
    effects = effects_by_channel(paths)
    converting = sum(1 for _, converted in paths if converted)
    total = sum(effect for _, _, effect in effects.values())
    conversions = {channel: converting * e[2] / total for channel, e in effects.items()}
    assert conversions == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------- independent exact cross-check


def exact_conversion_probability(paths: list[Path_], removed: str | None) -> Fraction:
    """P(conversion) by the reference's own Gauss-Jordan elimination over fractions."""
    return conversion_probability(paths, removed)


def random_paths(seed: int) -> list[Path_]:
    rng = random.Random(seed)
    channels = ["direct", "email", "organic_search", "paid_search", "paid_social", "referral"]
    paths = []
    for _ in range(rng.randint(5, 60)):
        length = rng.randint(1, 7)
        paths.append(([rng.choice(channels) for _ in range(length)], rng.random() < 0.4))
    paths.append(([rng.choice(channels)], True))  # at least one conversion
    return paths


@pytest.mark.parametrize("seed", range(25))
def test_model_solve_matches_the_reference_fractions(seed: int) -> None:
    paths = random_paths(seed)
    effects = effects_by_channel(paths)
    overall = exact_conversion_probability(paths, None)
    for channel, (probability, without, effect) in effects.items():
        exact_without = exact_conversion_probability(paths, channel)
        assert probability == pytest.approx(float(overall), abs=1e-12)
        assert without == pytest.approx(float(exact_without), abs=1e-12)
        assert effect == pytest.approx(float(1 - exact_without / overall), abs=1e-12)


def test_no_conversion_gives_zero_effects() -> None:
    effects = effects_by_channel([(["email"], False), (["direct", "email"], False)])
    assert {channel: e[2] for channel, e in effects.items()} == {"direct": 0.0, "email": 0.0}


def test_no_transitions_gives_no_rows() -> None:
    empty = pd.DataFrame({"from_state": [], "to_state": [], "transition_count": []}, dtype="object")
    result = solver.removal_effects(empty)
    assert list(result.columns) == solver.OUTPUT_COLUMNS
    assert result.empty


# ------------------------------------------------------------- end to end through dbt (DuckDB)

RAW_HEADERS = {
    "campaigns": "campaign_id,campaign_name,channel,started_on,ended_on",
    "costs": "cost_date,channel,campaign_id,cost_category,amount,currency,impressions,clicks",
    "leads": "lead_id,created_at,email,original_channel,original_campaign_id,mql_at,sql_at,"
    "customer_at",
    "touchpoints": "touchpoint_id,visitor_id,lead_id,occurred_at,channel,campaign_id,landing_page,"
    "pageviews,engaged_seconds,created_lead",
    "deals": "deal_id,lead_id,created_at,closed_at,stage,amount,currency",
    "subscriptions": "subscription_id,lead_id,plan,mrr,currency,valid_from,valid_to",
    "orders": "order_id,lead_id,ordered_at,revenue,cogs,currency",
    "keyword_rankings": "ranked_on,keyword,position,is_money_keyword,search_volume",
}


def write_example(folder: Path, paths: list[Path_]) -> None:
    """One lead per path: its touches a day apart in March, an order on April 1 if it converts."""
    rows: dict[str, list[str]] = {name: [] for name in RAW_HEADERS}
    touch = 0
    for number, (channels, converted) in enumerate(paths, start=1):
        lead = f"L{number}"
        rows["leads"].append(f"{lead},2026-03-01T00:00:00,,{channels[0]},,,,")
        for day, channel in enumerate(channels, start=1):
            touch += 1
            rows["touchpoints"].append(
                f"t{touch:03d},v{number},{lead},2026-03-{day:02d}T12:00:00,{channel},,/,1,10,false"
            )
        if converted:
            rows["orders"].append(f"o{number},{lead},2026-04-01T00:00:00,100,,EUR")
    folder.mkdir(parents=True, exist_ok=True)
    for name, header in RAW_HEADERS.items():
        text = "\n".join([header, *rows[name]]) + "\n"
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def build_example(paths: list[Path_], tmp_path: Path) -> duckdb.DuckDBPyConnection:
    raw = tmp_path / "raw"
    write_example(raw, paths)
    for command in (["seed"], ["run", "-s", "+fct_markov_channel_effects"]):
        result, database = run_dbt(command, raw, tmp_path, "example")
        assert result.returncode == 0, result.stdout[-3000:]
    return duckdb.connect(str(database), read_only=True)


CHANNELS_ONE = {"A": "paid_search", "B": "email"}
CHANNELS_TWO = {"google ads": "paid_search", "mailing": "email"}


@pytest.mark.dbt
@pytest.mark.parametrize(
    ("paths", "names", "removal", "chain_level", "credited"),
    [
        # Spec allocation, by hand: example one, each of the first two paths gives A 1/1.5 and
        # B 0.5/1.5, the third path (A only) gives A 1 -> A 7/3, B 2/3.
        (EXAMPLE_ONE, CHANNELS_ONE, {"A": 1.0, "B": 0.5}, {"A": 2.0, "B": 1.0},
         {"A": 7 / 3, "B": 2 / 3}),
        # Example two: [g] x2 -> g 2; [m] -> m 1; [g > m] -> g 0.75/1.25, m 0.5/1.25 -> 2.6 / 1.4.
        (EXAMPLE_TWO, CHANNELS_TWO, {"google ads": 0.75, "mailing": 0.5},
         {"google ads": 2.4, "mailing": 1.6}, {"google ads": 2.6, "mailing": 1.4}),
    ],
)  # fmt: skip
def test_published_examples_through_dbt(
    tmp_path: Path,
    paths: list[Path_],
    names: dict[str, str],
    removal: dict[str, float],
    chain_level: dict[str, float],
    credited: dict[str, float],
) -> None:
    canonical = [([names[c] for c in channels], converted) for channels, converted in paths]
    connection = build_example(canonical, tmp_path)
    rows = connection.sql(
        "select channel, removal_effect, chain_level_conversions, credited_conversions "
        "from marts.fct_markov_channel_effects"
    ).fetchall()
    by_channel = {channel: values for channel, *values in rows}
    assert set(by_channel) == {names[name] for name in removal}
    for name, channel in names.items():
        effect, chain, credit = by_channel[channel]
        assert effect == pytest.approx(removal[name], abs=1e-12)
        assert chain == pytest.approx(chain_level[name], abs=1e-12)
        assert credit == pytest.approx(credited[name], abs=1e-12)
