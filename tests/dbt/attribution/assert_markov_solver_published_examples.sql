-- The Markov solver (macros/attribution/markov_solver.sql) on the published examples, on every
-- adapter. Hand-computed answers:
-- 1) paths A>B>A>B>B>A, A>B>B>A>A, A>A, each converting, nothing else:
--    P(conversion) = 1, removal effects A = 1, B = 0.5.
-- 2) [g] x2, [m], [g > m] converting, [g] not converting:
--    P(conversion) = 0.8, removal effects g = 0.75, m = 0.5.
with

example_one_transitions as (
    select 'START' as from_state, 'A' as to_state, 3 as transition_count
    union all select 'A', 'B', 3
    union all select 'A', 'A', 2
    union all select 'A', 'CONVERSION', 3
    union all select 'B', 'A', 3
    union all select 'B', 'B', 2
),

example_two_transitions as (
    select 'START' as from_state, 'g' as to_state, 4 as transition_count
    union all select 'START', 'm', 1
    union all select 'g', 'CONVERSION', 2
    union all select 'g', 'm', 1
    union all select 'g', 'NULL', 1
    union all select 'm', 'CONVERSION', 2
),

{{ markov_removal_effect_ctes('example_one_transitions', 'example_one') }},

{{ markov_removal_effect_ctes('example_two_transitions', 'example_two') }},

expected as (
    select 'one' as example, 'A' as channel, 1.0 as conversion_probability, 1.0 as removal_effect
    union all select 'one', 'B', 1.0, 0.5
    union all select 'two', 'g', 0.8, 0.75
    union all select 'two', 'm', 0.8, 0.5
),

actual as (
    select
        'one' as example,
        channel,
        conversion_probability,
        removal_effect
    from example_one
    union all
    select
        'two' as example,
        channel,
        conversion_probability,
        removal_effect
    from example_two
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
    or actual.removal_effect is null
    or abs(actual.removal_effect - expected.removal_effect) > 1e-12
    or abs(actual.conversion_probability - expected.conversion_probability) > 1e-12
