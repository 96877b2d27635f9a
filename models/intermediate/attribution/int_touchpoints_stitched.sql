{#-
    Identity stitching: every clean touchpoint with the lead it belongs to. A touch with a
    `lead_id` keeps it; a touch without one takes the lead of its visitor: the lead of the
    visitor's earliest touch that carries a lead_id (ties by touchpoint_id), so a shared device
    seen as two leads is resolved the same way on every run and every database. A visitor whose
    touches never carry a lead_id stays anonymous (lead_id NULL).

    Incremental (DECISIONS.md D16): a visitor's stitch depends on its own touches only, so a run
    deletes and rebuilds the touches of the visitors in `int_journeys_changed`.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys(lead_column=none, visitor_column='visitor_id') }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}

with

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
    {%- if is_incremental() %}
    where visitor_id in {{ changed_journeys('visitor') }}
    {%- endif %}
),

identified_touches as (
    select
        visitor_id,
        lead_id,
        row_number() over (
            partition by visitor_id
            order by occurred_at, {{ binary_sort_key('touchpoint_id') }}
        ) as identification_order
    from touchpoints
    where lead_id is not null
),

visitor_leads as (
    select
        visitor_id,
        lead_id as visitor_lead_id
    from identified_touches
    where identification_order = 1
),

stitched as (
    select
        touchpoints.touchpoint_id,
        touchpoints.visitor_id,
        touchpoints.channel,
        touchpoints.campaign_id,
        touchpoints.is_lead_creation,
        touchpoints.occurred_at,
        coalesce(touchpoints.lead_id, visitor_leads.visitor_lead_id) as lead_id,
        case
            when touchpoints.lead_id is not null then 'own'
            when visitor_leads.visitor_lead_id is not null then 'visitor'
        end as lead_source
    from touchpoints
    left join visitor_leads
        on touchpoints.visitor_id = visitor_leads.visitor_id
)

select * from stitched
