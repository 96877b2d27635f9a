-- The Markov solver (macros/attribution/markov_solver.sql) on the published examples, on every
-- adapter. Hand-computed answers:
-- 1) paths A>B>A>B>B>A, A>B>B>A>A, A>A, each converting, nothing else:
--    P(conversion) = 1, removal effects A = 1, B = 0.5.
-- 2) [g] x2, [m], [g > m] converting, [g] not converting:
--    P(conversion) = 0.8, removal effects g = 0.75, m = 0.5.
with

example_one_transitions as (
    select
        transitions.from_state,
        transitions.to_state,
        transitions.transition_count
    from (
        values
        ('START', 'A', 3),
        ('A', 'B', 3),
        ('A', 'A', 2),
        ('A', 'CONVERSION', 3),
        ('B', 'A', 3),
        ('B', 'B', 2)
    ) as transitions (from_state, to_state, transition_count)
),

example_two_transitions as (
    select
        transitions.from_state,
        transitions.to_state,
        transitions.transition_count
    from (
        values
        ('START', 'g', 4),
        ('START', 'm', 1),
        ('g', 'CONVERSION', 2),
        ('g', 'm', 1),
        ('g', 'NULL', 1),
        ('m', 'CONVERSION', 2)
    ) as transitions (from_state, to_state, transition_count)
),

{{ markov_removal_effect_ctes('example_one_transitions', 'example_one') }},

{{ markov_removal_effect_ctes('example_two_transitions', 'example_two') }},

expected as (
    select
        expected_values.example,
        expected_values.channel,
        expected_values.conversion_probability,
        expected_values.removal_effect
    from (
        values
        ('one', 'A', 1.0, 1.0),
        ('one', 'B', 1.0, 0.5),
        ('two', 'g', 0.8, 0.75),
        ('two', 'm', 0.8, 0.5)
    ) as expected_values (example, channel, conversion_probability, removal_effect)
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
),

final as (
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
)

select * from final
