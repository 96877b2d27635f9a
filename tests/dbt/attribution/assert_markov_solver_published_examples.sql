{{ config(enabled=target.type == 'postgres') }}
-- PostgreSQL's plpgsql Markov solver on the published examples (DuckDB's numpy solver is checked
-- on the same examples in tests/python/test_markov.py). Hand-computed answers:
-- 1) paths A>B>A>B>B>A, A>B>B>A>A, A>A, each converting, nothing else:
--    P(conversion) = 1, removal effects A = 1, B = 0.5.
-- 2) [g] x2, [m], [g > m] converting, [g] not converting:
--    P(conversion) = 0.8, removal effects g = 0.75, m = 0.5.
-- The ref makes this test run after the model whose pre-hook creates the solver.
-- depends_on: {{ ref('int_markov_removal_effects_solved') }}
with

example_one as (
    select
        'one' as example,
        solved.*
    from {{ target.schema }}.mkpi_markov_removal_effects(
        array['START', 'A', 'A', 'A', 'B', 'B'],
        array['A', 'B', 'A', 'CONVERSION', 'A', 'B'],
        array[3, 3, 2, 3, 3, 2]::{{ double_type() }}[]
    ) as solved
),

example_two as (
    select
        'two' as example,
        solved.*
    from {{ target.schema }}.mkpi_markov_removal_effects(
        array['START', 'START', 'g', 'g', 'g', 'm'],
        array['g', 'm', 'CONVERSION', 'm', 'NULL', 'CONVERSION'],
        array[4, 1, 2, 1, 1, 2]::{{ double_type() }}[]
    ) as solved
),

expected as (
    select 'one' as example, 'A' as channel, 1.0 as conversion_probability, 1.0 as removal_effect
    union all select 'one', 'B', 1.0, 0.5
    union all select 'two', 'g', 0.8, 0.75
    union all select 'two', 'm', 0.8, 0.5
),

actual as (
    select * from example_one
    union all
    select * from example_two
)

select
    expected.example,
    expected.channel,
    expected.removal_effect as expected_removal_effect,
    actual.removal_effect as actual_removal_effect,
    actual.conversion_probability as actual_conversion_probability
from expected
full outer join actual
    on expected.example = actual.example and expected.channel = actual.channel
where
    expected.channel is null
    or actual.channel is null
    or abs(actual.removal_effect - expected.removal_effect) > 1e-12
    or abs(actual.conversion_probability - expected.conversion_probability) > 1e-12
