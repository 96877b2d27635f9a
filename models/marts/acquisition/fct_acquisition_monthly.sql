{#-
    The acquisition funnel for BI tools, one row per month x channel x campaign_id: every month of
    the data range for every (channel, campaign_id) pair that has leads, funnel events or cost lines
    in any month, with zeros in months without activity. campaign_id is NULL for the leads and costs
    without a campaign. Counts and costs add up across rows; the ratio columns are this row's own
    (use fct_kpis for channel and total ratios and medians).
-#}
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

channel_campaign_pairs as (
    select distinct
        channel,
        campaign_id
    from measures
),

customer_days as (
    select
        event_month as month,
        channel,
        campaign_id,
        {{ kpi_days_to_customer('days_to_customer') }} as days_to_customer
    from funnel_events
    where funnel_stage = 'customer'
    group by
        event_month,
        channel,
        campaign_id
),

grid as (
    select
        months.month,
        channel_campaign_pairs.channel,
        channel_campaign_pairs.campaign_id
    from months
    cross join channel_campaign_pairs
),

joined as (
    select
        grid.month,
        grid.channel,
        grid.campaign_id,
        customer_days.days_to_customer,
        coalesce(measures.leads, 0) as leads,
        coalesce(measures.mqls, 0) as mqls,
        coalesce(measures.sqls, 0) as sqls,
        coalesce(measures.new_customers, 0) as new_customers,
        coalesce(measures.cohort_leads_with_mql, 0) as cohort_leads_with_mql,
        coalesce(measures.cohort_leads_with_customer, 0) as cohort_leads_with_customer,
        coalesce(measures.cohort_mqls_with_sql, 0) as cohort_mqls_with_sql,
        coalesce(measures.cohort_mqls_with_customer, 0) as cohort_mqls_with_customer,
        coalesce(measures.marketing_cost, 0) as marketing_cost,
        coalesce(measures.media_cost, 0) as media_cost,
        coalesce(measures.marketing_other_cost, 0) as marketing_other_cost,
        coalesce(measures.sales_cost, 0) as sales_cost,
        coalesce(measures.impressions, 0) as impressions,
        coalesce(measures.clicks, 0) as clicks
    from grid
    left join measures
        on
            grid.month = measures.month
            and grid.channel = measures.channel
            and grid.campaign_id is not distinct from measures.campaign_id
    left join customer_days
        on
            grid.month = customer_days.month
            and grid.channel = customer_days.channel
            and grid.campaign_id is not distinct from customer_days.campaign_id
),

final as (
    select
        -- grain
        cast(month as date) as month,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,

        -- funnel counts (events in the month)
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,

        -- cohorts (of the month's leads / MQLs, reached the later stage at any time)
        cast(cohort_leads_with_mql as {{ dbt.type_bigint() }}) as cohort_leads_with_mql,
        cast(cohort_leads_with_customer as {{ dbt.type_bigint() }}) as cohort_leads_with_customer,
        cast(cohort_mqls_with_sql as {{ dbt.type_bigint() }}) as cohort_mqls_with_sql,
        cast(cohort_mqls_with_customer as {{ dbt.type_bigint() }}) as cohort_mqls_with_customer,

        -- costs (reporting currency)
        cast(marketing_cost as {{ double_type() }}) as marketing_cost,
        cast(media_cost as {{ double_type() }}) as media_cost,
        cast(marketing_other_cost as {{ double_type() }}) as marketing_other_cost,
        cast(sales_cost as {{ double_type() }}) as sales_cost,

        -- ad delivery
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,

        -- KPIs of this row (catalog formulas)
        cast({{ kpi_cpl('marketing_cost', 'leads') }} as {{ double_type() }}) as cpl,
        cast({{ kpi_cost_per_mql('marketing_cost', 'mqls') }} as {{ double_type() }}) as cost_per_mql,
        cast({{ kpi_cac('marketing_cost', 'sales_cost', 'new_customers') }} as {{ double_type() }}) as cac,
        cast(
            {{ kpi_lead_to_mql_rate('leads', 'cohort_leads_with_mql') }} as {{ double_type() }}
        ) as lead_to_mql_rate,
        cast(
            {{ kpi_mql_to_sql_rate('mqls', 'cohort_mqls_with_sql') }} as {{ double_type() }}
        ) as mql_to_sql_rate,
        cast(
            {{ kpi_mql_to_customer_rate('mqls', 'cohort_mqls_with_customer') }} as {{ double_type() }}
        ) as mql_to_customer_rate,
        cast(
            {{ kpi_lead_to_customer_rate('leads', 'cohort_leads_with_customer') }} as {{ double_type() }}
        ) as lead_to_customer_rate,
        cast(days_to_customer as {{ double_type() }}) as days_to_customer
    from joined
)

select * from final
