{#-
    One row per lead and funnel stage the lead has reached: `lead_created` (created_at), `mql`,
    `sql`, `customer`. Each event carries its UTC month and the lead's original channel and campaign,
    so the count of a stage in a month is a count of rows. The cohort flags (has_mql, has_sql,
    has_customer) say whether the lead reached the later stage at any time, in any month.
-#}
with

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

lead_attributes as (
    select
        lead_id,
        original_channel as channel,
        original_campaign_id as campaign_id,
        created_at,
        mql_at,
        sql_at,
        customer_at,
        mql_at is not null as has_mql,
        sql_at is not null as has_sql,
        customer_at is not null as has_customer,
        -- exact: seconds / 86400
        {{ seconds_between('created_at', 'customer_at') }} / 86400 as days_to_customer
    from leads
),

stage_events as (
    select
        lead_id,
        'lead_created' as funnel_stage,
        created_at as event_at
    from lead_attributes

    union all

    select
        lead_id,
        'mql' as funnel_stage,
        mql_at as event_at
    from lead_attributes
    where mql_at is not null

    union all

    select
        lead_id,
        'sql' as funnel_stage,
        sql_at as event_at
    from lead_attributes
    where sql_at is not null

    union all

    select
        lead_id,
        'customer' as funnel_stage,
        customer_at as event_at
    from lead_attributes
    where customer_at is not null
),

final as (
    select
        -- ids
        stage_events.lead_id,
        lead_attributes.campaign_id,

        -- strings
        stage_events.funnel_stage,
        lead_attributes.channel,

        -- booleans (the lead reached the later stage at any time)
        lead_attributes.has_mql,
        lead_attributes.has_sql,
        lead_attributes.has_customer,

        -- numerics
        case
            when stage_events.funnel_stage = 'customer' then lead_attributes.days_to_customer
        end as days_to_customer,

        -- dates
        cast({{ dbt.date_trunc('month', 'stage_events.event_at') }} as date) as event_month,

        -- timestamps (UTC)
        stage_events.event_at
    from stage_events
    inner join lead_attributes
        on stage_events.lead_id = lead_attributes.lead_id
)

select * from final
