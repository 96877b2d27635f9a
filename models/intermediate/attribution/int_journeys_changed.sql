{#-
    The journeys an incremental run rebuilds (DECISIONS.md D16): one row per lead and per visitor
    whose attribution rows may differ from what is stored. Every row-level attribution table is a
    function of whole journeys, so deleting and rebuilding these journeys gives the rows a full
    build would give.
    - visitors: every visitor_id of the newest batch of base touchpoints (the re-read window);
    - leads: every lead_id on any touchpoint of those visitors, old or new, clean or rejected (a
      visitor's stitched lead is always one of them, before and after the batch), on any batch
      row, and on deals, orders and leads whose own times fall in the window or that are rejected
      (a conversion or its lead may have appeared, changed or gone).
    Only an incremental run reads it: with `--full-refresh`, or before the incremental tables
    exist (the first build), it is empty instead of listing every journey.
-#}
{%- set window_start = incremental_window_start(ref('base_marketing__touchpoints'), 'occurred_at') %}
{%- set builds_from_scratch = flags.FULL_REFRESH or (
    execute and adapter.get_relation(this.database, this.schema, 'int_visitor_leads_resolved') is none
) %}

with

touchpoints as (
    select * from {{ ref('base_marketing__touchpoints') }}
),

deals as (
    select * from {{ ref('base_marketing__deals') }}
),

orders as (
    select * from {{ ref('base_marketing__orders') }}
),

leads as (
    select * from {{ ref('base_marketing__leads') }}
),

newest_load as (
    select max(batch_loaded_at) as batch_loaded_at
    from touchpoints
),

batch as (
    select
        touchpoints.visitor_id,
        touchpoints.lead_id
    from touchpoints
    inner join newest_load
        on touchpoints.batch_loaded_at = newest_load.batch_loaded_at
),

changed_visitors as (
    select distinct visitor_id
    from batch
    where visitor_id is not null
),

visitor_touch_leads as (
    select touchpoints.lead_id
    from touchpoints
    inner join changed_visitors
        on touchpoints.visitor_id = changed_visitors.visitor_id
),

batch_leads as (
    select lead_id from batch
),

deal_leads as (
    select lead_id
    from deals
    where
        reject_reason is not null
        or created_at >= {{ window_start }}
        or closed_at >= {{ window_start }}
),

order_leads as (
    select lead_id
    from orders
    where reject_reason is not null or ordered_at >= {{ window_start }}
),

crm_leads as (
    select lead_id
    from leads
    where reject_reason is not null or created_at >= {{ window_start }}
),

changed_leads as (
    select lead_id from visitor_touch_leads
    union
    select lead_id from batch_leads
    union
    select lead_id from deal_leads
    union
    select lead_id from order_leads
    union
    select lead_id from crm_leads
),

final as (
    select
        cast('visitor' as {{ dbt.type_string() }}) as journey_type,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        visitor_id
    from changed_visitors
    union all
    select
        cast('lead' as {{ dbt.type_string() }}) as journey_type,
        lead_id,
        cast(null as {{ dbt.type_string() }}) as visitor_id
    from changed_leads
    where lead_id is not null
),

needed as (
    -- false when every incremental table is built from scratch in this run
    select * from final
    where {{ 'false' if builds_from_scratch else 'true' }}
)

select * from needed
