{#-
    The acquisition measures, wide, at the grain of fct_kpis: one row per month x dimension
    (total / channel / campaign) x dimension value, one column per measure the acquisition KPIs
    divide (funnel counts, cohort counts, costs, cost lines, ad delivery). Every month of
    int_months_spined for every dimension value seen in any month (the total in every month), 0
    where the value had nothing that month. kpi_rows turns these into KPI rows from the catalog;
    other families (attribution: ROAS and ROMI's costs) read their measures here.

    A cost line's campaign is its own, whatever its category: a sales cost line with a campaign id
    counts in that campaign's sales_cost (campaign CAC); the sales_cost KPI itself has no campaign
    rows (catalog). Campaign rows leave out leads and costs without a campaign id.
-#}
{%- set measure_columns = [
    'leads', 'mqls', 'sqls', 'new_customers',
    'cohort_leads_with_mql', 'cohort_leads_with_customer',
    'cohort_mqls_with_sql', 'cohort_mqls_with_customer',
    'marketing_cost', 'media_cost', 'sales_cost',
    'marketing_cost_lines', 'media_cost_lines', 'sales_cost_lines',
    'impressions', 'clicks',
] %}

with

months as (
    select * from {{ ref('int_months_spined') }}
),

measures as (
    select * from {{ ref('int_funnel_measures_aggregated') }}
),

{#- the same measures under each dimension: the total, the channel, the campaign (a cost line's
    campaign is its own: sales cost with a campaign id is that campaign's) -#}
{%- set dimensions = [
    ('total', "'all'", none),
    ('channel', 'channel', none),
    ('campaign', 'campaign_id', 'campaign_id is not null'),
] %}

measures_by_dimension as (
    {%- for dimension, value, condition in dimensions %}
        select
            month,
            '{{ dimension }}' as dimension,
            {{ value }} as dimension_value,
            {{ measure_columns | join(', ') }}
        from measures
        {%- if condition %}
            where {{ condition }}
        {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

monthly as (
    select
        month,
        dimension,
        dimension_value,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(new_customers) as new_customers,
        sum(cohort_leads_with_mql) as cohort_leads_with_mql,
        sum(cohort_leads_with_customer) as cohort_leads_with_customer,
        sum(cohort_mqls_with_sql) as cohort_mqls_with_sql,
        sum(cohort_mqls_with_customer) as cohort_mqls_with_customer,
        sum(marketing_cost) as marketing_cost,
        sum(media_cost) as media_cost,
        sum(sales_cost) as sales_cost,
        sum(marketing_cost_lines) as marketing_cost_lines,
        sum(media_cost_lines) as media_cost_lines,
        sum(sales_cost_lines) as sales_cost_lines,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from measures_by_dimension
    group by
        month,
        dimension,
        dimension_value
),

-- every dimension value seen in any month (the KPIs' grid rules pick theirs: kpi_rows)
seen as (
    select distinct
        dimension,
        dimension_value
    from monthly
),

-- the total has a row in every month, with or without activity
dimension_values as (
    select
        dimension,
        dimension_value
    from seen
    where dimension <> 'total'

    union all

    select
        'total' as dimension,
        'all' as dimension_value
),

grid as (
    select
        months.month,
        dimension_values.dimension,
        dimension_values.dimension_value,
        coalesce(monthly.leads, 0) as leads,
        coalesce(monthly.mqls, 0) as mqls,
        coalesce(monthly.sqls, 0) as sqls,
        coalesce(monthly.new_customers, 0) as new_customers,
        coalesce(monthly.cohort_leads_with_mql, 0) as cohort_leads_with_mql,
        coalesce(monthly.cohort_leads_with_customer, 0) as cohort_leads_with_customer,
        coalesce(monthly.cohort_mqls_with_sql, 0) as cohort_mqls_with_sql,
        coalesce(monthly.cohort_mqls_with_customer, 0) as cohort_mqls_with_customer,
        coalesce(monthly.marketing_cost, 0) as marketing_cost,
        coalesce(monthly.media_cost, 0) as media_cost,
        coalesce(monthly.sales_cost, 0) as sales_cost,
        coalesce(monthly.marketing_cost_lines, 0) as marketing_cost_lines,
        coalesce(monthly.media_cost_lines, 0) as media_cost_lines,
        coalesce(monthly.sales_cost_lines, 0) as sales_cost_lines,
        coalesce(monthly.impressions, 0) as impressions,
        coalesce(monthly.clicks, 0) as clicks
    from months
    cross join dimension_values
    left join monthly
        on
            months.month = monthly.month
            and dimension_values.dimension = monthly.dimension
            and dimension_values.dimension_value = monthly.dimension_value
),

final as (
    select
        -- keys
        month,
        dimension,
        dimension_value,

        -- measures (typed: exact decimals for money, so sums stay the same on every build)
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(cohort_leads_with_mql as {{ dbt.type_bigint() }}) as cohort_leads_with_mql,
        cast(cohort_leads_with_customer as {{ dbt.type_bigint() }}) as cohort_leads_with_customer,
        cast(cohort_mqls_with_sql as {{ dbt.type_bigint() }}) as cohort_mqls_with_sql,
        cast(cohort_mqls_with_customer as {{ dbt.type_bigint() }}) as cohort_mqls_with_customer,
        cast(marketing_cost as {{ money_type() }}) as marketing_cost,
        cast(media_cost as {{ money_type() }}) as media_cost,
        cast(sales_cost as {{ money_type() }}) as sales_cost,
        cast(marketing_cost_lines as {{ dbt.type_bigint() }}) as marketing_cost_lines,
        cast(media_cost_lines as {{ dbt.type_bigint() }}) as media_cost_lines,
        cast(sales_cost_lines as {{ dbt.type_bigint() }}) as sales_cost_lines,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks
    from grid
)

select * from final
