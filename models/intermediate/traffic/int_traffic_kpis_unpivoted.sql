{#-
    The traffic and search KPIs in the long fct_kpis format: one row per KPI x month x dimension
    value. Session KPIs have total and channel rows (every channel with any session); organic,
    visitor and keyword KPIs are total only. Values come from the catalog's formula macros via
    kpi_columns(); this model only maps each KPI's inputs to the aggregated columns.
-#}
{%- set kpi_inputs = [
    ('sessions', 'session_inputs', {'sessions': 'sessions'}),
    ('session_conversion_rate', 'session_inputs', {
        'lead_creation_sessions': 'lead_creation_sessions', 'sessions': 'sessions'}),
    ('avg_engaged_seconds', 'session_inputs', {
        'engaged_seconds': 'engaged_seconds', 'sessions_with_engaged_seconds': 'sessions_with_engaged_seconds'}),
    ('pages_per_session', 'session_inputs', {
        'pageviews': 'pageviews', 'sessions_with_pageviews': 'sessions_with_pageviews'}),
    ('organic_sessions', 'organic_inputs', {'organic_sessions': 'organic_sessions'}),
    ('organic_traffic_growth_mom', 'organic_inputs', {
        'organic_sessions': 'organic_sessions',
        'organic_sessions_previous_month': 'organic_sessions_previous_month'}),
    ('organic_traffic_growth_yoy', 'organic_inputs', {
        'organic_sessions': 'organic_sessions',
        'organic_sessions_previous_year': 'organic_sessions_previous_year'}),
    ('organic_conversion_rate', 'organic_inputs', {
        'organic_lead_creation_sessions': 'organic_lead_creation_sessions',
        'organic_sessions': 'organic_sessions'}),
    ('repeat_visitor_rate', 'visitor_inputs', {'repeat_visitors': 'repeat_visitors', 'visitors': 'visitors'}),
    ('money_keyword_avg_position', 'keyword_inputs', {
        'money_keyword_position_sum': 'money_keyword_position_sum',
        'money_keyword_ranking_rows': 'money_keyword_ranking_rows'}),
    ('money_keyword_page_one_share', 'keyword_inputs', {
        'money_keywords_on_page_one': 'money_keywords_on_page_one',
        'money_keywords_ranked': 'money_keywords_ranked'}),
] -%}

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

session_inputs as (
    select * from session_months
),

organic_inputs as (
    select
        *,
        'total' as dimension,
        'all' as dimension_value
    from organic_session_months
),

visitor_inputs as (
    select
        *,
        'total' as dimension,
        'all' as dimension_value
    from visitor_months
),

keyword_inputs as (
    select
        *,
        'total' as dimension,
        'all' as dimension_value
    from money_keyword_months
),

unioned as (
    {%- for kpi_name, source_cte, inputs in kpi_inputs %}
        select
            month,
            dimension,
            dimension_value,
            {{ kpi_columns(kpi_name, inputs) | indent(8) }}
        from {{ source_cte }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        kpi,
        month,
        dimension,
        dimension_value,
        cast(null as {{ dbt.type_string() }}) as attribution_model,
        numerator,
        denominator,
        value
    from unioned
)

select * from final
