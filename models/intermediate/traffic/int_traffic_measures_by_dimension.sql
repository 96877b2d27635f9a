{#-
    The traffic and search measures, wide: one row per month x dimension (total / channel) x
    dimension value, from the session grid of int_sessions_aggregated_to_months (every month for
    every channel with any session, and the total). The organic, visitor and money keyword measures
    exist for the total only: they sit on the total rows and are NULL on channel rows. kpi_rows
    turns these into the traffic KPI rows from the catalog.
-#}
with

session_months as (
    select * from {{ ref('int_sessions_aggregated_to_months') }}
),

organic_session_months as (
    select * from {{ ref('int_organic_sessions_compared_to_prior_months') }}
),

visitor_months as (
    select * from {{ ref('int_visitors_aggregated_to_months') }}
),

money_keyword_months as (
    select * from {{ ref('int_money_keywords_aggregated_to_months') }}
),

final as (
    select
        -- keys
        session_months.month,
        session_months.dimension,
        session_months.dimension_value,

        -- sessions (total and channel)
        session_months.sessions,
        session_months.lead_creation_sessions,
        session_months.engaged_seconds,
        session_months.sessions_with_engaged_seconds,
        session_months.pageviews,
        session_months.sessions_with_pageviews,

        -- organic search (total only)
        organic_session_months.organic_sessions,
        organic_session_months.organic_lead_creation_sessions,
        organic_session_months.organic_sessions_previous_month,
        organic_session_months.organic_sessions_previous_year,

        -- visitors (total only)
        visitor_months.visitors,
        visitor_months.repeat_visitors,

        -- money keywords (total only)
        money_keyword_months.money_keyword_ranking_rows,
        money_keyword_months.money_keyword_position_sum,
        money_keyword_months.money_keywords_ranked,
        money_keyword_months.money_keywords_on_page_one
    from session_months
    left join organic_session_months
        on
            session_months.month = organic_session_months.month
            and session_months.dimension = 'total'
    left join visitor_months
        on
            session_months.month = visitor_months.month
            and session_months.dimension = 'total'
    left join money_keyword_months
        on
            session_months.month = money_keyword_months.month
            and session_months.dimension = 'total'
)

select * from final
