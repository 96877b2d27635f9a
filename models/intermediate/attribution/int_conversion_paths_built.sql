{#-
    Attribution paths: one row per conversion x touchpoint on its path. The path is the lead's
    stitched touchpoints with occurred_at >= converted_at - var attribution_lookback_days and
    occurred_at <= converted_at (both ends inclusive), ordered by time, ties by touchpoint_id.
    Conversions without any touch on their path have no row here (they go to `unattributed`).
    The join is conversion x the lead's touches, so cost grows with touches per lead, not with
    all touches. Incremental (DECISIONS.md D16): a run deletes and rebuilds the paths of the
    leads in `int_journeys_changed`.
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys() }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}
{% set lookback_seconds = (attribution_lookback_days() * 86400) | int %}

with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
    {%- if is_incremental() %}
    where lead_id in {{ changed_journeys('lead') }}
    {%- endif %}
),

touchpoints as (
    select * from {{ ref('int_touchpoints_stitched') }}
    {%- if is_incremental() %}
    where lead_id in {{ changed_journeys('lead') }}
    {%- endif %}
),

path_touches as (
    select
        conversions.conversion_id,
        conversions.conversion_type,
        conversions.lead_id,
        touchpoints.touchpoint_id,
        touchpoints.channel,
        touchpoints.campaign_id,
        touchpoints.is_lead_creation,
        conversions.conversion_month,
        touchpoints.occurred_at,
        conversions.opportunity_at,
        conversions.converted_at
    from conversions
    inner join touchpoints
        on
            conversions.lead_id = touchpoints.lead_id
            and conversions.converted_at >= touchpoints.occurred_at
            and {{ dbt.dateadd('second', -lookback_seconds, 'conversions.converted_at') }} <= touchpoints.occurred_at
),

positioned as (
    select
        conversion_id,
        conversion_type,
        lead_id,
        touchpoint_id,
        channel,
        campaign_id,
        is_lead_creation,
        row_number() over (
            partition by conversion_id
            order by occurred_at, {{ binary_sort_key('touchpoint_id') }}
        ) as touch_position,
        count(*) over (partition by conversion_id) as touch_count,
        {{ seconds_between('occurred_at', 'converted_at') }} as seconds_before_conversion,
        conversion_month,
        occurred_at,
        opportunity_at,
        converted_at
    from path_touches
)

select * from positioned
