{#-
    Organic search sessions per month of the data range, next to the same count one month and
    twelve months before. The prior count is NULL when that month lies outside the data range
    (before its first month) and 0 when it is inside but had no organic sessions; the growth KPIs
    turn both into a NULL value (a ratio over 0 or NULL).
-#}
with

months as (
    select * from {{ ref('int_months_spined') }}
),

session_months as (
    select * from {{ ref('int_sessions_aggregated_to_months') }}
),

organic_session_months as (
    select
        month,
        sessions,
        lead_creation_sessions
    from session_months
    where dimension = 'channel' and dimension_value = 'organic_search'
),

organic_by_month as (
    select
        months.month,
        coalesce(organic_session_months.sessions, 0) as organic_sessions,
        coalesce(organic_session_months.lead_creation_sessions, 0) as organic_lead_creation_sessions
    from months
    left join organic_session_months
        on months.month = organic_session_months.month
),

final as (
    select
        current_month.month,
        cast(current_month.organic_sessions as {{ dbt.type_bigint() }}) as organic_sessions,
        cast(
            current_month.organic_lead_creation_sessions as {{ dbt.type_bigint() }}
        ) as organic_lead_creation_sessions,
        cast(previous_month.organic_sessions as {{ dbt.type_bigint() }}) as organic_sessions_previous_month,
        cast(previous_year.organic_sessions as {{ dbt.type_bigint() }}) as organic_sessions_previous_year
    from organic_by_month as current_month
    left join organic_by_month as previous_month
        on previous_month.month = cast({{ dbt.dateadd('month', -1, 'current_month.month') }} as date)
    left join organic_by_month as previous_year
        on previous_year.month = cast({{ dbt.dateadd('month', -12, 'current_month.month') }} as date)
)

select * from final
