"""The Markov attribution solve: published examples, exact-fraction cross-checks, and an end-to-end
dbt build of the published examples.

The solve is SQL (macros/attribution/markov_solver.sql, Gauss-Jordan elimination unrolled by
Jinja). These tests compile the macro once per database with `dbt compile --inline` over a table
`markov_input` (from_state, to_state, transition_count) and run it on chains built here: in
DuckDB always, in PostgreSQL when a server is available, in a local Spark session (ANSI mode) when
pyspark and Java are. Expected numbers are computed by hand (the published examples) or by an
independent exact method (Gauss-Jordan elimination over fractions, tests/python/reference).
"""

from __future__ import annotations

import importlib.util
import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from dbt_runner import run_dbt
from reference.markov import conversion_probability

from mkpi.paths import project_root
from mkpi.pg import PgSettings, connect

OUTPUT_COLUMNS = [
    "channel",
    "conversion_probability",
    "conversion_probability_without_channel",
    "removal_effect",
]
SOLVER_QUERY = (
    "with transitions as (select * from markov_input), "
    "{{ markov_removal_effect_ctes('transitions', 'solved') }} "
    "select " + ", ".join(OUTPUT_COLUMNS) + " from solved"
)

Path_ = tuple[list[str], bool]  # (channels in order, converted?)
Effects = dict[str, tuple[float | None, float | None, float | None]]
Solver = Callable[[pd.DataFrame], Effects]


def compiled_solver(
    tmp_path_factory: pytest.TempPathFactory, target: str, pg: PgSettings | None = None
) -> str:
    """The solver's SQL for `target`, as dbt renders it (PostgreSQL: dbt logs in to `pg`)."""
    work = tmp_path_factory.mktemp(f"markov-{target}")
    pg_env = {} if pg is None else {
        "MKPI_PG_HOST": pg.host,
        "MKPI_PG_PORT": str(pg.port),
        "MKPI_PG_USER": pg.user,
        "MKPI_PG_PASSWORD": pg.password,
        "MKPI_PG_DATABASE": pg.database,
    }  # fmt: skip
    result, _ = run_dbt(
        ["compile", "--quiet", "--target", target, "--inline", SOLVER_QUERY],
        project_root() / "data" / "sample",
        work,
        f"compile-{target}",
        extra_env=pg_env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


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


def by_channel(rows: list[tuple[Any, ...]]) -> Effects:
    return {channel: tuple(values) for channel, *values in rows}  # type: ignore[misc]


@pytest.fixture(scope="module")
def duckdb_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    return compiled_solver(tmp_path_factory, "duckdb")


@pytest.fixture(scope="module")
def solve(duckdb_sql: str) -> Solver:
    """Removal effects of a transitions table, by the SQL solver in an in-memory DuckDB."""

    def run(transitions: pd.DataFrame) -> Effects:
        with duckdb.connect() as connection:
            connection.sql(
                "create table markov_input (from_state varchar, to_state varchar, "
                "transition_count bigint)"
            )
            if not transitions.empty:
                connection.register("given", transitions)
                connection.sql("insert into markov_input select * from given")
            return by_channel(connection.sql(duckdb_sql).fetchall())

    return run


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


def effects_by_channel(solve: Solver, paths: list[Path_]) -> Effects:
    return solve(transitions_of(paths))


def test_example_one_removal_effects(solve: Solver) -> None:
    # Every path converts, so P(conversion) = 1. Without A nothing converts (effect 1). Without B,
    # from A: x = 3/8 + 2/8 x (A -> A twice, A -> B three times now NULL) -> x = 1/2 (effect 0.5).
    effects = effects_by_channel(solve, EXAMPLE_ONE)
    assert effects["A"] == pytest.approx((1.0, 0.0, 1.0), abs=1e-12)
    assert effects["B"] == pytest.approx((1.0, 0.5, 0.5), abs=1e-12)


def test_example_two_removal_effects(solve: Solver) -> None:
    # START -> g 4/5, -> m 1/5; g -> CONVERSION 2/4, -> m 1/4, -> NULL 1/4; m -> CONVERSION 1.
    # P = 4/5 (1/2 + 1/4) + 1/5 = 0.8; without g: 0.2 (effect 0.75); without m: 0.4 (effect 0.5).
    effects = effects_by_channel(solve, EXAMPLE_TWO)
    assert effects["google ads"] == pytest.approx((0.8, 0.2, 0.75), abs=1e-12)
    assert effects["mailing"] == pytest.approx((0.8, 0.4, 0.5), abs=1e-12)


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (EXAMPLE_ONE, {"A": 2.0, "B": 1.0}),
        (EXAMPLE_TWO, {"google ads": 2.4, "mailing": 1.6}),
    ],
)
def test_published_chain_level_conversions(
    solve: Solver, paths: list[Path_], expected: dict[str, float]
) -> None:
    # The published summary: converting paths x removal effect / sum of removal effects.
    effects = effects_by_channel(solve, paths)
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
def test_model_solve_matches_the_reference_fractions(solve: Solver, seed: int) -> None:
    paths = random_paths(seed)
    effects = effects_by_channel(solve, paths)
    overall = exact_conversion_probability(paths, None)
    assert set(effects) == {channel for channels, _ in paths for channel in channels}
    for channel, (probability, without, effect) in effects.items():
        exact_without = exact_conversion_probability(paths, channel)
        assert probability == pytest.approx(float(overall), abs=1e-12)
        assert without == pytest.approx(float(exact_without), abs=1e-12)
        assert effect == pytest.approx(float(1 - exact_without / overall), abs=1e-12)


def exact_effects(transitions: pd.DataFrame) -> dict[str, tuple[Fraction, Fraction, Fraction]]:
    """Removal effects of any transitions table, exactly: x = r + Q x solved by Gaussian
    elimination over fractions with back substitution (a removed channel: x = 0 and no inflow)."""
    totals: Counter[str] = Counter()
    counts: Counter[tuple[str, str]] = Counter()
    for source, target, count in transitions.itertuples(index=False):
        totals[source] += int(count)
        counts[(source, target)] += int(count)
    states = set(transitions["from_state"]) | set(transitions["to_state"])
    channels = sorted(states - {"START", "CONVERSION", "NULL"})

    def probability(source: str, target: str) -> Fraction:
        return Fraction(counts[(source, target)], totals[source]) if totals[source] else Fraction(0)

    def solve_exact(removed: str | None) -> Fraction:
        kept = [channel for channel in channels if channel != removed]
        size = len(kept)
        rows = [
            [Fraction(int(i == j)) - probability(a, b) for j, b in enumerate(kept)]
            + [probability(a, "CONVERSION")]
            for i, a in enumerate(kept)
        ]
        for column in range(size):
            pivot = next(r for r in range(column, size) if rows[r][column] != 0)
            rows[column], rows[pivot] = rows[pivot], rows[column]
            for r in range(column + 1, size):
                factor = rows[r][column] / rows[column][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[column], strict=True)]
        x = [Fraction(0)] * size
        for i in reversed(range(size)):
            rest = sum((rows[i][j] * x[j] for j in range(i + 1, size)), Fraction(0))
            x[i] = (rows[i][size] - rest) / rows[i][i]
        return sum((probability("START", c) * x[i] for i, c in enumerate(kept)), Fraction(0))

    overall = solve_exact(None)
    found = {}
    for channel in channels:
        without = solve_exact(channel)
        effect = max(Fraction(0), 1 - without / overall) if overall > 0 else Fraction(0)
        found[channel] = (overall, without, effect)
    return found


def random_chain(seed: int, channel_count: int | None = None) -> pd.DataFrame:
    """Random transition counts (not made of paths) over up to 12 channels, some of them sparse,
    names in mixed case and beyond ASCII; every channel has an exit (CONVERSION or NULL)."""
    rng = random.Random(seed)
    names = ["Zeta", "affiliate", "direct", "display", "email", "organic_search", "other",
             "paid_search", "paid_social", "referral", "réseau", "ñ"]  # fmt: skip
    chosen = rng.sample(names, channel_count or rng.randint(1, len(names)))
    rows = [("START", channel, rng.randint(1, 500)) for channel in chosen if rng.random() < 0.8]
    rows.append(("START", chosen[0], rng.randint(1, 500)))
    for source in chosen:
        for target in chosen:
            if rng.random() < 0.6:
                rows.append((source, target, rng.randint(1, 2000)))
        rows.append((source, "NULL", rng.randint(1, 3000)))
        if rng.random() < 0.8:
            rows.append((source, "CONVERSION", rng.randint(1, 300)))
    counted: Counter[tuple[str, str]] = Counter()
    for source, target, count in rows:
        counted[(source, target)] += count
    return pd.DataFrame(
        [(source, target, count) for (source, target), count in counted.items()],
        columns=["from_state", "to_state", "transition_count"],
    )


def assert_matches_exact(found: Effects, transitions: pd.DataFrame) -> None:
    expected = exact_effects(transitions)
    assert set(found) == set(expected)
    for channel, values in expected.items():
        assert found[channel] == pytest.approx([float(v) for v in values], abs=1e-12), channel


@pytest.mark.parametrize("seed", range(40))
def test_random_chains_match_an_exact_solve(solve: Solver, seed: int) -> None:
    transitions = random_chain(seed, channel_count=12 if seed < 5 else None)
    assert_matches_exact(solve(transitions), transitions)


def test_a_channel_that_never_leads_to_conversion_has_exactly_zero_effect(solve: Solver) -> None:
    # `other` only ever goes to NULL or to itself: removing it cannot change P(conversion), and the
    # solve keeps that exact (no 1e-17 effect that would take a path's whole Markov credit)
    paths = [
        (["email", "direct"], True),
        (["direct"], True),
        (["other", "other"], False),
        (["email", "other"], False),
        (["direct", "email"], False),
    ]
    effects = effects_by_channel(solve, paths)
    assert effects["other"][2] == 0.0
    assert effects["other"][1] == effects["other"][0]


def test_a_chain_beyond_the_solvers_size_gives_null_values(solve: Solver) -> None:
    paths = [([f"c{number:02d}"], True) for number in range(13)]
    effects = effects_by_channel(solve, paths)
    assert len(effects) == 13
    assert set(effects.values()) == {(None, None, None)}


def test_no_conversion_gives_zero_effects(solve: Solver) -> None:
    effects = effects_by_channel(solve, [(["email"], False), (["direct", "email"], False)])
    assert {channel: e[2] for channel, e in effects.items()} == {"direct": 0.0, "email": 0.0}
    assert {e[0] for e in effects.values()} == {0.0}


def test_no_transitions_gives_no_rows(solve: Solver) -> None:
    empty = pd.DataFrame({"from_state": [], "to_state": [], "transition_count": []})
    assert solve(empty) == {}


# ------------------------------------------------------ the same SQL on PostgreSQL and Spark


CROSS_CHECK_CHAINS = [transitions_of(EXAMPLE_ONE), transitions_of(EXAMPLE_TWO)] + [
    random_chain(seed, channel_count=12 if seed == 0 else None) for seed in range(6)
]


def test_postgres_runs_the_same_sql(
    tmp_path_factory: pytest.TempPathFactory, pg_settings: PgSettings, duckdb_sql: str
) -> None:
    sql = compiled_solver(tmp_path_factory, "postgres", pg_settings)
    connection = connect(pg_settings)
    try:
        with connection.cursor() as cursor:
            for transitions in CROSS_CHECK_CHAINS:
                cursor.execute(
                    "create temporary table markov_input (from_state text, to_state text, "
                    "transition_count bigint)"
                )
                cursor.executemany(
                    "insert into markov_input values (%s, %s, %s)",
                    [(a, b, int(c)) for a, b, c in transitions.itertuples(index=False)],
                )
                cursor.execute(sql)
                found = by_channel(cursor.fetchall())
                cursor.execute("drop table markov_input")
                assert_matches_exact(found, transitions)
    finally:
        connection.rollback()
        connection.close()


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        pytest.skip("no pyspark or no Java: Spark not available")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.ansi.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_ansi_runs_the_same_sql_with_the_same_bits(
    spark: Any, duckdb_sql: str, solve: Solver
) -> None:
    # Spark's rendering differs from DuckDB's only in double_type() (`double`, Spark has no
    # `double precision`); binary_sort_key() is the column itself on both.
    sql = duckdb_sql.replace("double precision", "double")
    for transitions in CROSS_CHECK_CHAINS:
        frame = spark.createDataFrame(
            [(a, b, int(c)) for a, b, c in transitions.itertuples(index=False)],
            "from_state string, to_state string, transition_count bigint",
        )
        frame.createOrReplaceTempView("markov_input")
        found = by_channel([tuple(row) for row in spark.sql(sql).collect()])
        assert_matches_exact(found, transitions)
        assert found == solve(transitions)


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
