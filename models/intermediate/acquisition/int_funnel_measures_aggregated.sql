{#-
    The additive acquisition measures per month x channel x campaign_id (campaign_id NULL = leads
    or costs without a campaign), only where the month has funnel events or cost lines. Every KPI of
    the acquisition family is built from sums of these columns (except the median days to customer).
    Cohort columns count the leads of the month's cohort (created / MQL in the month) that reached
    the later stage at any time. The *_cost_lines columns count cost rows: a dimension value with a
    cost row of 0 still has activity. Costs stay exact decimals (`money_type()`): their sums come
    out the same on every build.
-#}
with

funnel_events as (
    select * from {{ ref('int_funnel_events_unioned') }}
),

costs as (
    select * from {{ ref('int_costs_aggregated') }}
),

funnel_measures as (
    select
        event_month as month,
        channel,
        campaign_id,
        sum(case when funnel_stage = 'lead_created' then 1 else 0 end) as leads,
        sum(case when funnel_stage = 'mql' then 1 else 0 end) as mqls,
        sum(case when funnel_stage = 'sql' then 1 else 0 end) as sqls,
        sum(case when funnel_stage = 'customer' then 1 else 0 end) as new_customers,
        sum(case when funnel_stage = 'lead_created' and has_mql then 1 else 0 end) as cohort_leads_with_mql,
        sum(case when funnel_stage = 'lead_created' and has_customer then 1 else 0 end) as cohort_leads_with_customer,
        sum(case when funnel_stage = 'mql' and has_sql then 1 else 0 end) as cohort_mqls_with_sql,
        sum(case when funnel_stage = 'mql' and has_customer then 1 else 0 end) as cohort_mqls_with_customer,
        cast(0 as {{ money_type() }}) as media_cost,
        cast(0 as {{ money_type() }}) as marketing_other_cost,
        cast(0 as {{ money_type() }}) as sales_cost,
        0 as media_cost_lines,
        0 as marketing_other_cost_lines,
        0 as sales_cost_lines,
        0 as impressions,
        0 as clicks
    from funnel_events
    group by
        event_month,
        channel,
        campaign_id
),

cost_measures as (
    select
        month,
        channel,
        campaign_id,
        0 as leads,
        0 as mqls,
        0 as sqls,
        0 as new_customers,
        0 as cohort_leads_with_mql,
        0 as cohort_leads_with_customer,
        0 as cohort_mqls_with_sql,
        0 as cohort_mqls_with_customer,
        sum(case when cost_category = 'media' then amount else 0 end) as media_cost,
        sum(case when cost_category = 'marketing_other' then amount else 0 end) as marketing_other_cost,
        sum(case when cost_category = 'sales' then amount else 0 end) as sales_cost,
        sum(case when cost_category = 'media' then cost_lines else 0 end) as media_cost_lines,
        sum(case when cost_category = 'marketing_other' then cost_lines else 0 end) as marketing_other_cost_lines,
        sum(case when cost_category = 'sales' then cost_lines else 0 end) as sales_cost_lines,
        coalesce(sum(impressions), 0) as impressions,
        coalesce(sum(clicks), 0) as clicks
    from costs
    group by
        month,
        channel,
        campaign_id
),

unioned as (
    select * from funnel_measures
    union all
    select * from cost_measures
),

combined as (
    select
        month,
        channel,
        campaign_id,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(new_customers) as new_customers,
        sum(cohort_leads_with_mql) as cohort_leads_with_mql,
        sum(cohort_leads_with_customer) as cohort_leads_with_customer,
        sum(cohort_mqls_with_sql) as cohort_mqls_with_sql,
        sum(cohort_mqls_with_customer) as cohort_mqls_with_customer,
        sum(media_cost) as media_cost,
        sum(marketing_other_cost) as marketing_other_cost,
        sum(sales_cost) as sales_cost,
        sum(media_cost_lines) as media_cost_lines,
        sum(marketing_other_cost_lines) as marketing_other_cost_lines,
        sum(sales_cost_lines) as sales_cost_lines,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from unioned
    group by
        month,
        channel,
        campaign_id
),

final as (
    select
        -- keys
        month,
        channel,
        campaign_id,

        -- funnel counts (events in the month)
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,

        -- cohort counts (of the month's leads / MQLs, reached the later stage at any time)
        cast(cohort_leads_with_mql as {{ dbt.type_bigint() }}) as cohort_leads_with_mql,
        cast(cohort_leads_with_customer as {{ dbt.type_bigint() }}) as cohort_leads_with_customer,
        cast(cohort_mqls_with_sql as {{ dbt.type_bigint() }}) as cohort_mqls_with_sql,
        cast(cohort_mqls_with_customer as {{ dbt.type_bigint() }}) as cohort_mqls_with_customer,

        -- costs (reporting currency)
        cast(media_cost + marketing_other_cost as {{ money_type() }}) as marketing_cost,
        cast(media_cost as {{ money_type() }}) as media_cost,
        cast(marketing_other_cost as {{ money_type() }}) as marketing_other_cost,
        cast(sales_cost as {{ money_type() }}) as sales_cost,

        -- cost rows (activity, even when the amount is 0)
        cast(media_cost_lines + marketing_other_cost_lines as {{ dbt.type_bigint() }}) as marketing_cost_lines,
        cast(media_cost_lines as {{ dbt.type_bigint() }}) as media_cost_lines,
        cast(sales_cost_lines as {{ dbt.type_bigint() }}) as sales_cost_lines,

        -- ad delivery
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks
    from combined
)

select * from final
