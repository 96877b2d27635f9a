{#-
    Transition counts of the first-order Markov chain over canonical channels: one chain over the
    whole data range, the sum of the per-journey counts (int_markov_journey_transitions_counted,
    where the path set is described).
-#}
with

journey_transitions as (
    select * from {{ ref('int_markov_journey_transitions_counted') }}
),

counted as (
    select
        from_state,
        to_state,
        cast(sum(transition_count) as {{ dbt.type_bigint() }}) as transition_count
    from journey_transitions
    group by from_state, to_state
)

select * from counted
