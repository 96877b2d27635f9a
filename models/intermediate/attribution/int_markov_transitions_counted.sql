{#-
    Transition counts of the first-order Markov chain over canonical channels (one chain over the
    whole data range). Path set (shared/spec/kpis.md):
    - one converting path per conversion: its attribution path (lookback applied), START -> first
      channel -> ... -> last channel -> CONVERSION; conversions with an empty path stay out;
    - one non-converting path per lead with touchpoints and no conversion (all its stitched
      touchpoints, no lookback), and per visitor never stitched to a lead, ending in NULL. A lead
      with any conversion contributes no NULL path.
    Repeats of a channel are self-transitions. Counted with lag() over each path: linear in touches.
-#}
with

paths as (
    select * from {{ ref('int_conversion_paths_built') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_stitched') }}
),

converting_leads as (
    select distinct lead_id
    from conversions
),

converting_steps as (
    select
        conversion_id as path_id,
        channel,
        touch_position,
        touch_count,
        cast('CONVERSION' as {{ dbt.type_string() }}) as path_end
    from paths
),

non_converting_touches as (
    select
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.occurred_at,
        coalesce('lead:' || touchpoints.lead_id, 'visitor:' || touchpoints.visitor_id) as path_id
    from touchpoints
    left join converting_leads
        on touchpoints.lead_id = converting_leads.lead_id
    where converting_leads.lead_id is null
),

non_converting_steps as (
    select
        path_id,
        channel,
        row_number() over (
            partition by path_id
            order by occurred_at, {{ binary_sort_key('touchpoint_id') }}
        ) as touch_position,
        count(*) over (partition by path_id) as touch_count,
        cast('NULL' as {{ dbt.type_string() }}) as path_end
    from non_converting_touches
),

steps as (
    select * from converting_steps
    union all
    select * from non_converting_steps
),

transitions as (
    select
        coalesce(
            lag(channel) over (partition by path_id order by touch_position),
            'START'
        ) as from_state,
        channel as to_state
    from steps
    union all
    select
        channel as from_state,
        path_end as to_state
    from steps
    where touch_position = touch_count
),

counted as (
    select
        cast(from_state as {{ dbt.type_string() }}) as from_state,
        cast(to_state as {{ dbt.type_string() }}) as to_state,
        count(*) as transition_count
    from transitions
    group by from_state, to_state
)

select * from counted
