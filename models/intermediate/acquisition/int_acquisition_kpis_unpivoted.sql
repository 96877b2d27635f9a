{#-
    The acquisition and funnel KPIs in the long format of fct_kpis: one row per KPI x month x
    dimension value. Values come from the catalog's generated formula macros (kpi_columns) and the
    dimensions of each KPI from the catalog; this model only decides which rows exist and which
    measures feed each KPI.

    Rows: every month of int_months_spined x every dimension value with activity for the KPI in any
    month, i.e. a row in the KPI's input facts (numerator or denominator side): see the `where` of
    each KPI below. The total has a row in every month. Campaign rows leave out leads and costs
    without a campaign id. A cost line's campaign is its own, whatever its category: a sales cost
    line with a campaign id counts in that campaign's CAC (and gives the campaign CAC rows); the
    sales_cost KPI itself has no campaign dimension (catalog), so it has no campaign rows.
-#}

{#- each KPI's catalog dimensions as a SQL list: dimensions_of['cpl'] = ('total', 'channel', 'campaign') -#}
{%- set dimensions_of = {} -%}
{%- for entry in kpi_catalog() if entry.family == 'acquisition' -%}
    {%- do dimensions_of.update({entry.name: "('" ~ entry.dimensions | join("', '") ~ "')"}) -%}
{%- endfor -%}

with

months as (
    select * from {{ ref('int_months_spined') }}
),

measures as (
    select * from {{ ref('int_funnel_measures_aggregated') }}
),

funnel_events as (
    select * from {{ ref('int_funnel_events_unioned') }}
),

measures_by_dimension as (
    select
        month,
        'total' as dimension,
        'all' as dimension_value,
        leads,
        mqls,
        sqls,
        new_customers,
        cohort_leads_with_mql,
        cohort_leads_with_customer,
        cohort_mqls_with_sql,
        cohort_mqls_with_customer,
        marketing_cost,
        media_cost,
        sales_cost,
        marketing_cost_lines,
        media_cost_lines,
        sales_cost_lines
    from measures

    union all

    select
        month,
        'channel' as dimension,
        channel as dimension_value,
        leads,
        mqls,
        sqls,
        new_customers,
        cohort_leads_with_mql,
        cohort_leads_with_customer,
        cohort_mqls_with_sql,
        cohort_mqls_with_customer,
        marketing_cost,
        media_cost,
        sales_cost,
        marketing_cost_lines,
        media_cost_lines,
        sales_cost_lines
    from measures

    union all

    -- a cost line's campaign is its own: sales cost with a campaign id is that campaign's
    select
        month,
        'campaign' as dimension,
        campaign_id as dimension_value,
        leads,
        mqls,
        sqls,
        new_customers,
        cohort_leads_with_mql,
        cohort_leads_with_customer,
        cohort_mqls_with_sql,
        cohort_mqls_with_customer,
        marketing_cost,
        media_cost,
        sales_cost,
        marketing_cost_lines,
        media_cost_lines,
        sales_cost_lines
    from measures
    where campaign_id is not null
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
        sum(sales_cost_lines) as sales_cost_lines
    from measures_by_dimension
    group by
        month,
        dimension,
        dimension_value
),

-- all-time activity of each dimension value: which input facts it has rows in, in any month
activity as (
    select
        dimension,
        dimension_value,
        sum(leads) > 0 as has_leads,
        sum(mqls) > 0 as has_mqls,
        sum(sqls) > 0 as has_sqls,
        sum(new_customers) > 0 as has_customers,
        sum(marketing_cost_lines) > 0 as has_marketing_cost,
        sum(media_cost_lines) > 0 as has_media_cost,
        sum(sales_cost_lines) > 0 as has_sales_cost
    from monthly
    group by
        dimension,
        dimension_value
),

-- the total has a row in every month, with or without activity
dimension_values as (
    select
        dimension,
        dimension_value,
        false as is_total
    from activity
    where dimension <> 'total'

    union all

    select
        'total' as dimension,
        'all' as dimension_value,
        true as is_total
),

grid as (
    select
        months.month,
        dimension_values.dimension,
        dimension_values.dimension_value,
        dimension_values.is_total or coalesce(activity.has_leads, false) as has_leads,
        dimension_values.is_total or coalesce(activity.has_mqls, false) as has_mqls,
        dimension_values.is_total or coalesce(activity.has_sqls, false) as has_sqls,
        dimension_values.is_total or coalesce(activity.has_customers, false) as has_customers,
        dimension_values.is_total or coalesce(activity.has_marketing_cost, false) as has_marketing_cost,
        dimension_values.is_total or coalesce(activity.has_media_cost, false) as has_media_cost,
        dimension_values.is_total or coalesce(activity.has_sales_cost, false) as has_sales_cost,
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
        coalesce(monthly.sales_cost, 0) as sales_cost
    from months
    cross join dimension_values
    left join activity
        on
            dimension_values.dimension = activity.dimension
            and dimension_values.dimension_value = activity.dimension_value
    left join monthly
        on
            months.month = monthly.month
            and dimension_values.dimension = monthly.dimension
            and dimension_values.dimension_value = monthly.dimension_value
),

leads as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('leads', {'leads': 'leads'}) }}
    from grid
    where dimension in {{ dimensions_of['leads'] }} and has_leads
),

mqls as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('mqls', {'mqls': 'mqls'}) }}
    from grid
    where dimension in {{ dimensions_of['mqls'] }} and has_mqls
),

sqls as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('sqls', {'sqls': 'sqls'}) }}
    from grid
    where dimension in {{ dimensions_of['sqls'] }} and has_sqls
),

new_customers as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('new_customers', {'new_customers': 'new_customers'}) }}
    from grid
    where dimension in {{ dimensions_of['new_customers'] }} and has_customers
),

marketing_cost as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('marketing_cost', {'marketing_cost': 'marketing_cost'}) }}
    from grid
    where dimension in {{ dimensions_of['marketing_cost'] }} and has_marketing_cost
),

media_cost as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('media_cost', {'media_cost': 'media_cost'}) }}
    from grid
    where dimension in {{ dimensions_of['media_cost'] }} and has_media_cost
),

sales_cost as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('sales_cost', {'sales_cost': 'sales_cost'}) }}
    from grid
    where dimension in {{ dimensions_of['sales_cost'] }} and has_sales_cost
),

cpl as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('cpl', {'marketing_cost': 'marketing_cost', 'leads': 'leads'}) }}
    from grid
    where dimension in {{ dimensions_of['cpl'] }} and (has_marketing_cost or has_leads)
),

cost_per_mql as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('cost_per_mql', {'marketing_cost': 'marketing_cost', 'mqls': 'mqls'}) }}
    from grid
    where dimension in {{ dimensions_of['cost_per_mql'] }} and (has_marketing_cost or has_mqls)
),

cac as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('cac', {
            'marketing_cost': 'marketing_cost',
            'sales_cost': 'sales_cost',
            'new_customers': 'new_customers',
        }) }}
    from grid
    where
        dimension in {{ dimensions_of['cac'] }}
        and (has_marketing_cost or has_sales_cost or has_customers)
),

lead_to_mql_rate as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('lead_to_mql_rate', {
            'cohort_leads': 'leads',
            'cohort_leads_with_mql': 'cohort_leads_with_mql',
        }) }}
    from grid
    where dimension in {{ dimensions_of['lead_to_mql_rate'] }} and has_leads
),

mql_to_sql_rate as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('mql_to_sql_rate', {
            'cohort_mqls': 'mqls',
            'cohort_mqls_with_sql': 'cohort_mqls_with_sql',
        }) }}
    from grid
    where dimension in {{ dimensions_of['mql_to_sql_rate'] }} and has_mqls
),

mql_to_customer_rate as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('mql_to_customer_rate', {
            'cohort_mqls': 'mqls',
            'cohort_mqls_with_customer': 'cohort_mqls_with_customer',
        }) }}
    from grid
    where dimension in {{ dimensions_of['mql_to_customer_rate'] }} and has_mqls
),

lead_to_customer_rate as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_columns('lead_to_customer_rate', {
            'cohort_leads': 'leads',
            'cohort_leads_with_customer': 'cohort_leads_with_customer',
        }) }}
    from grid
    where dimension in {{ dimensions_of['lead_to_customer_rate'] }} and has_leads
),

customer_days as (
    select
        event_month as month,
        'total' as dimension,
        'all' as dimension_value,
        days_to_customer
    from funnel_events
    where funnel_stage = 'customer'

    union all

    select
        event_month as month,
        'channel' as dimension,
        channel as dimension_value,
        days_to_customer
    from funnel_events
    where funnel_stage = 'customer'

    union all

    select
        event_month as month,
        'campaign' as dimension,
        campaign_id as dimension_value,
        days_to_customer
    from funnel_events
    where funnel_stage = 'customer' and campaign_id is not null
),

days_to_customer as (
    select
        grid.month,
        grid.dimension,
        grid.dimension_value,
        {{ kpi_columns('days_to_customer', {'days_to_customer': 'customer_days.days_to_customer'}) }}
    from grid
    left join customer_days
        on
            grid.month = customer_days.month
            and grid.dimension = customer_days.dimension
            and grid.dimension_value = customer_days.dimension_value
    where grid.dimension in {{ dimensions_of['days_to_customer'] }} and grid.has_customers
    group by
        grid.month,
        grid.dimension,
        grid.dimension_value
),

stacked as (
    select * from leads
    union all
    select * from mqls
    union all
    select * from sqls
    union all
    select * from new_customers
    union all
    select * from marketing_cost
    union all
    select * from media_cost
    union all
    select * from sales_cost
    union all
    select * from cpl
    union all
    select * from cost_per_mql
    union all
    select * from cac
    union all
    select * from lead_to_mql_rate
    union all
    select * from mql_to_sql_rate
    union all
    select * from mql_to_customer_rate
    union all
    select * from lead_to_customer_rate
    union all
    select * from days_to_customer
),

final as (
    select
        {{ kpi_long_columns(attribution_model='null') }}
    from stacked
)

select * from final
