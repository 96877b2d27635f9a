{#-
    Identity stitching: every clean touchpoint with the lead it belongs to. A touch with a
    `lead_id` keeps it; a touch without one takes its visitor's lead (int_visitor_leads_resolved:
    the lead of the visitor's earliest identified touch). A visitor whose touches never carry a
    lead_id stays anonymous (lead_id NULL).

    A view: one hash join with the small visitor map, which its two readers (paths, Markov
    transitions) redo faster than writing and re-reading ten million touches (BENCHMARKS.md).
-#}
{{ config(materialized='view') }}

with

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

visitor_leads as (
    select * from {{ ref('int_visitor_leads_resolved') }}
),

stitched as (
    select
        touchpoints.touchpoint_id,
        touchpoints.visitor_id,
        touchpoints.channel,
        touchpoints.campaign_id,
        touchpoints.is_lead_creation,
        touchpoints.occurred_at,
        coalesce(touchpoints.lead_id, visitor_leads.lead_id) as lead_id,
        case
            when touchpoints.lead_id is not null then 'own'
            when visitor_leads.lead_id is not null then 'visitor'
        end as lead_source
    from touchpoints
    left join visitor_leads
        on touchpoints.visitor_id = visitor_leads.visitor_id
)

select * from stitched
