{#-
    The Markov removal-effect solve, one portable SQL on every adapter (DuckDB, PostgreSQL, Spark
    SQL in ANSI mode): plain joins, case, windowed max, no arrays, recursion or functions of one
    database. The chain is tiny (START and at most markov_max_channels() channels), so it is solved
    exactly, never simulated.

    P(conversion from each channel) solves (I - Q) x = r (Q channel -> channel probabilities, r
    channel -> CONVERSION); P(conversion) = x[START] with the row x[START] - s . x = 0 (s the START
    -> channel probabilities). Removing a channel sends every transition into it to NULL: its row
    becomes x[channel] = 0 (an identity row, right-hand side 0). Every scenario (the whole chain,
    and each channel removed) is one system, all solved side by side: one row per (scenario, row)
    with the matrix columns a_1 .. a_n and the right-hand side b, and Gauss-Jordan elimination
    unrolled by Jinja, one pivot after the other. I - Q is an M-matrix (rows of Q sub-stochastic,
    every channel reaches CONVERSION or NULL), so elimination without pivoting is stable and no
    pivot is 0; a 0 pivot would give NULL, never a division by zero. Channels get indexes 1..k by
    byte order of their name; indexes k+1..n are identity rows.
    Every value is computed row by row in a fixed order of operations (no sum over rows), so the
    answer has the same bits on every build. The column START never changes (no transition enters
    START), so it is not stored and has no pivot.
-#}

{#- The most channels the solve holds (its unrolled size); the canonical channels are 10. -#}
{% macro markov_max_channels() -%}
    {{ return(12) }}
{%- endmacro %}

{#-
    CTEs ending in `output_cte` (channel, conversion_probability,
    conversion_probability_without_channel, removal_effect) from `transitions_cte` (from_state,
    to_state, transition_count). A chain of more than markov_max_channels() channels gives NULL
    values (and fails the test assert_markov_chain_fits_the_solver).
-#}
{% macro markov_removal_effect_ctes(transitions_cte, output_cte) -%}
{%- set size = markov_max_channels() -%}
{%- set float_type = double_type() -%}
{{ output_cte }}_states as (
    select from_state as state
    from {{ transitions_cte }}
    union
    select to_state as state
    from {{ transitions_cte }}
),

{{ output_cte }}_channels as (
    select
        state as channel,
        row_number() over (order by {{ binary_sort_key('state') }}) as channel_index
    from {{ output_cte }}_states
    where state not in ('START', 'CONVERSION', 'NULL')
),

{{ output_cte }}_chain_size as (
    select count(*) as channel_count
    from {{ output_cte }}_channels
),

{{ output_cte }}_out_counts as (
    select
        from_state,
        sum(transition_count) as out_count
    from {{ transitions_cte }}
    group by from_state
),

{{ output_cte }}_probabilities as (
    -- from START (index 0) or a channel, to a channel or CONVERSION (to_index NULL)
    select
        coalesce(from_channels.channel_index, 0) as from_index,
        to_channels.channel_index as to_index,
        case
            when out_counts.out_count > 0
                then
                    cast(transitions.transition_count as {{ float_type }})
                    / cast(out_counts.out_count as {{ float_type }})
            else 0
        end as probability
    from {{ transitions_cte }} as transitions
    inner join {{ output_cte }}_out_counts as out_counts
        on transitions.from_state = out_counts.from_state
    left join {{ output_cte }}_channels as from_channels
        on transitions.from_state = from_channels.channel
    left join {{ output_cte }}_channels as to_channels
        on transitions.to_state = to_channels.channel
    where
        (transitions.from_state = 'START' or from_channels.channel is not null)
        and (to_channels.channel is not null or transitions.to_state = 'CONVERSION')
),

{{ output_cte }}_rows as (
    -- one row per from state: its probabilities into channel 1..n and into CONVERSION
    select
        from_index,
        {%- for column in range(1, size + 1) %}
        sum(case when to_index = {{ column }} then probability else 0 end) as q_{{ column }},
        {%- endfor %}
        sum(case when to_index is null then probability else 0 end) as r
    from {{ output_cte }}_probabilities
    group by from_index
),

{{ output_cte }}_scenarios as (
    -- 0: the whole chain; i: channel i removed
    select 0 as removed_index
    union all
    select channel_index as removed_index
    from {{ output_cte }}_channels
),

{{ output_cte }}_row_indexes as (
    -- 0: START; 1..n: the channels (or unused)
    {%- for row_index in range(0, size + 1) %}
    select {{ row_index }} as row_index
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

{{ output_cte }}_system as (
    -- (I - Q | r) per scenario; START's row is x[START] - s . x = 0; a removed channel and the
    -- unused indexes are identity rows with right-hand side 0
    select
        scenarios.removed_index,
        row_indexes.row_index,
        {%- for column in range(1, size + 1) %}
        cast(
            case when row_indexes.row_index = {{ column }} then 1 else 0 end
            - case
                when
                    row_indexes.row_index > 0
                    and (
                        row_indexes.row_index = scenarios.removed_index
                        or row_indexes.row_index > chain_size.channel_count
                    )
                    then 0
                else coalesce(chain_rows.q_{{ column }}, 0)
            end
            as {{ float_type }}
        ) as a_{{ column }},
        {%- endfor %}
        cast(
            case
                when row_indexes.row_index = 0 then 0
                when row_indexes.row_index = scenarios.removed_index then 0
                when row_indexes.row_index > chain_size.channel_count then 0
                else coalesce(chain_rows.r, 0)
            end
            as {{ float_type }}
        ) as b
    from {{ output_cte }}_scenarios as scenarios
    cross join {{ output_cte }}_row_indexes as row_indexes
    cross join {{ output_cte }}_chain_size as chain_size
    left join {{ output_cte }}_rows as chain_rows
        on row_indexes.row_index = chain_rows.from_index
),

{%- set previous = namespace(cte=output_cte ~ '_system') %}
{%- for pivot in range(1, size + 1) %}

{{ output_cte }}_pivot_{{ pivot }}_row as (
    -- pivot {{ pivot }}: the pivot row's values next to every row of its scenario
    select
        removed_index,
        row_index,
        {%- for column in range(pivot, size + 1) %}
        a_{{ column }},
        {%- endfor %}
        b,
        {%- for column in range(pivot, size + 1) %}
        max(case when row_index = {{ pivot }} then a_{{ column }} end)
            over (partition by removed_index) as pivot_a_{{ column }},
        {%- endfor %}
        max(case when row_index = {{ pivot }} then b end)
            over (partition by removed_index) as pivot_b
    from {{ previous.cte }}
),

{{ output_cte }}_pivot_{{ pivot }} as (
    -- the pivot row divided by the pivot; every other row minus a_{{ pivot }} times it (column
    -- {{ pivot }} is then a unit column and is not kept)
    select
        removed_index,
        row_index,
        {%- for column in range(pivot + 1, size + 1) %}
        case
            when pivot_a_{{ pivot }} = 0 then null
            when row_index = {{ pivot }} then pivot_a_{{ column }} / pivot_a_{{ pivot }}
            else a_{{ column }} - a_{{ pivot }} * (pivot_a_{{ column }} / pivot_a_{{ pivot }})
        end as a_{{ column }},
        {%- endfor %}
        case
            when pivot_a_{{ pivot }} = 0 then null
            when row_index = {{ pivot }} then pivot_b / pivot_a_{{ pivot }}
            else b - a_{{ pivot }} * (pivot_b / pivot_a_{{ pivot }})
        end as b
    from {{ output_cte }}_pivot_{{ pivot }}_row
),
{%- set previous.cte = output_cte ~ '_pivot_' ~ pivot %}
{%- endfor %}

{{ output_cte }}_absorption as (
    -- P(conversion) of each scenario: x[START]
    select
        removed_index,
        b as conversion_probability
    from {{ previous.cte }}
    where row_index = 0
),

{{ output_cte }} as (
    select
        channels.channel,
        case
            when chain_size.channel_count <= {{ size }} then overall.conversion_probability
        end as conversion_probability,
        case
            when chain_size.channel_count <= {{ size }} then removed.conversion_probability
        end as conversion_probability_without_channel,
        case
            when chain_size.channel_count > {{ size }} then null
            when overall.conversion_probability is null or removed.conversion_probability is null
                then null
            -- max(0, 1 - without / overall): removing a channel never raises P(conversion)
            when
                overall.conversion_probability > 0
                and removed.conversion_probability < overall.conversion_probability
                then 1 - removed.conversion_probability / overall.conversion_probability
            else 0
        end as removal_effect
    from {{ output_cte }}_channels as channels
    cross join {{ output_cte }}_chain_size as chain_size
    inner join {{ output_cte }}_absorption as overall
        on overall.removed_index = 0
    inner join {{ output_cte }}_absorption as removed
        on channels.channel_index = removed.removed_index
)
{%- endmacro %}
