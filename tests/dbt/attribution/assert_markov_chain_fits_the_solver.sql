-- The Markov solver is unrolled for markov_max_channels() channels (the canonical channels are
-- 10); a chain with more gives NULL removal effects. One row here says how many it has.
with

transitions as (
    select * from {{ ref('int_markov_transitions_counted') }}
),

states as (
    select from_state as state
    from transitions
    union
    select to_state as state
    from transitions
),

chain_size as (
    select count(*) as channel_count
    from states
    where state not in ('START', 'CONVERSION', 'NULL')
)

select
    channel_count,
    {{ markov_max_channels() }} as max_channels
from chain_size
where channel_count > {{ markov_max_channels() }}
