{#-
    Transition counts of the first-order Markov chain over canonical channels: one chain over the
    whole data range, counted from int_markov_transitions_listed (where the path set is
    described).
-#}
with

transitions as (
    select * from {{ ref('int_markov_transitions_listed') }}
),

counted as (
    select
        from_state,
        to_state,
        count(*) as transition_count
    from transitions
    group by from_state, to_state
)

select * from counted
