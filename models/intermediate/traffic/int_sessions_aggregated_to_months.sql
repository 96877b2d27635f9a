{#-
    Session inputs of the traffic KPIs per month: one row per month x dimension value, for the
    total ('all') and every canonical channel that has any session in the data range. A session
    is a clean touchpoint; its month is the month of occurred_at, its channel the mapped channel.
    Months without sessions are 0 (the grid is complete).
-#}
with

months as (
    select * from {{ ref('int_months_spined') }}
),

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

sessions as (
    select
        channel,
        is_lead_creation,
        engaged_seconds,
        pageviews,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month
    from touchpoints
),

session_channels as (
    select distinct channel
    from sessions
),

grid as (
    select
        months.month,
        'total' as dimension,
        'all' as dimension_value
    from months
    union all
    select
        months.month,
        'channel' as dimension,
        session_channels.channel as dimension_value
    from months
    cross join session_channels
),

sessions_by_dimension as (
    select
        month,
        'total' as dimension,
        'all' as dimension_value,
        is_lead_creation,
        engaged_seconds,
        pageviews
    from sessions
    union all
    select
        month,
        'channel' as dimension,
        channel as dimension_value,
        is_lead_creation,
        engaged_seconds,
        pageviews
    from sessions
),

aggregated as (
    select
        month,
        dimension,
        dimension_value,
        count(*) as sessions,
        sum(case when is_lead_creation then 1 else 0 end) as lead_creation_sessions,
        sum(engaged_seconds) as engaged_seconds,
        count(engaged_seconds) as sessions_with_engaged_seconds,
        sum(pageviews) as pageviews,
        count(pageviews) as sessions_with_pageviews
    from sessions_by_dimension
    group by month, dimension, dimension_value
),

final as (
    select
        grid.month,
        grid.dimension,
        grid.dimension_value,
        cast(coalesce(aggregated.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(aggregated.lead_creation_sessions, 0) as {{ dbt.type_bigint() }}) as lead_creation_sessions,
        cast(coalesce(aggregated.engaged_seconds, 0) as {{ dbt.type_bigint() }}) as engaged_seconds,
        cast(
            coalesce(aggregated.sessions_with_engaged_seconds, 0) as {{ dbt.type_bigint() }}
        ) as sessions_with_engaged_seconds,
        cast(coalesce(aggregated.pageviews, 0) as {{ dbt.type_bigint() }}) as pageviews,
        cast(coalesce(aggregated.sessions_with_pageviews, 0) as {{ dbt.type_bigint() }}) as sessions_with_pageviews
    from grid
    left join aggregated
        on
            grid.month = aggregated.month
            and grid.dimension = aggregated.dimension
            and grid.dimension_value = aggregated.dimension_value
)

select * from final
