{#-
    Every transition of the first-order Markov chain, one row each, with the journey it belongs to
    (lead_id, or visitor_id for a visitor never stitched to a lead). int_markov_transitions_counted
    counts them into the one chain over the whole data range. Path set (catalog/kpis.yml):
    - one converting path per conversion: its attribution path (lookback applied), START -> first
      channel -> ... -> last channel -> CONVERSION; conversions with an empty path stay out;
    - one non-converting path per lead with touchpoints and no conversion (all its stitched
      touchpoints, no lookback), and per visitor never stitched to a lead, ending in NULL. A lead
      with any conversion contributes no NULL path.
    Repeats of a channel are self-transitions. One window over each path gives every step its
    previous state and tells the last step (which also goes to CONVERSION or NULL): one sort.
    Rows are not grouped per journey: a journey rarely repeats a transition, so grouping would
    cost a hash aggregation over ~all rows and save few.
    A lead's paths (its conversions' paths, or its one non-converting path) are its journey; an
    anonymous visitor's path is the visitor's. Incremental (DECISIONS.md D16): a run deletes and
    rebuilds the journeys in `int_journeys_changed`.
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys(visitor_column='visitor_id') }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}
with

paths as (
    select * from {{ ref('int_conversion_paths_built') }}
    {%- if is_incremental() %}
    where lead_id in {{ changed_journeys('lead') }}
    {%- endif %}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_stitched') }}
    {%- if is_incremental() %}
    where
        lead_id in {{ changed_journeys('lead') }}
        or (lead_id is null and visitor_id in {{ changed_journeys('visitor') }})
    {%- endif %}
),

converting_leads as (
    select distinct lead_id
    from conversions
),

converting_steps as (
    select
        lead_id,
        cast(null as {{ dbt.type_string() }}) as visitor_id,
        conversion_id as path_id,
        touchpoint_id,
        channel,
        occurred_at,
        cast('CONVERSION' as {{ dbt.type_string() }}) as path_end
    from paths
),

non_converting_steps as (
    select
        touchpoints.lead_id,
        case when touchpoints.lead_id is null then touchpoints.visitor_id end as visitor_id,
        coalesce('lead:' || touchpoints.lead_id, 'visitor:' || touchpoints.visitor_id) as path_id,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.occurred_at,
        cast('NULL' as {{ dbt.type_string() }}) as path_end
    from touchpoints
    left join converting_leads
        on touchpoints.lead_id = converting_leads.lead_id
    where converting_leads.lead_id is null
),

steps as (
    select * from converting_steps
    union all
    select * from non_converting_steps
),

ordered_steps as (
    select
        lead_id,
        visitor_id,
        channel,
        path_end,
        coalesce(lag(channel) over path_order, 'START') as previous_state,
        lead(channel) over path_order is null as is_last_step
    from steps
    window path_order as (
        partition by path_id
        order by occurred_at, {{ binary_sort_key('touchpoint_id') }}
    )
),

transitions as (
    select
        lead_id,
        visitor_id,
        previous_state as from_state,
        channel as to_state
    from ordered_steps
    union all
    select
        lead_id,
        visitor_id,
        channel as from_state,
        path_end as to_state
    from ordered_steps
    where is_last_step
),

final as (
    select
        lead_id,
        visitor_id,
        cast(from_state as {{ dbt.type_string() }}) as from_state,
        cast(to_state as {{ dbt.type_string() }}) as to_state
    from transitions
)

select * from final
