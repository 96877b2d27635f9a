{#-
    The question a CMO asks before moving budget: for the latest month, which channels bring
    customers worth more than they cost? LTV, CAC, LTV/CAC and payback per channel, next to the
    channel's ROMI under the default attribution model. Compile with `dbt compile` and run the
    SQL in target/compiled/ (or paste it into a BI tool's SQL editor).
-#}
with

channel_ltv as (
    select * from {{ ref('fct_channel_ltv_monthly') }}
),

kpis as (
    select * from {{ ref('fct_kpis') }}
),

latest_month as (
    select max(month) as month from channel_ltv
),

channel_romi as (
    select
        kpis.month,
        kpis.dimension_value as channel,
        kpis.value as romi
    from kpis
    where
        kpis.kpi = 'romi'
        and kpis.dimension = 'channel'
        and kpis.attribution_model = '{{ var("default_attribution_model") }}'
),

final as (
    select
        channel_ltv.channel,
        channel_ltv.active_customers,
        channel_ltv.ltv,
        channel_ltv.cac,
        channel_ltv.ltv_cac_ratio,
        channel_ltv.cac_payback_months,
        channel_romi.romi
    from channel_ltv
    inner join latest_month on channel_ltv.month = latest_month.month
    left join channel_romi
        on
            channel_ltv.month = channel_romi.month
            and channel_ltv.channel = channel_romi.channel
)

select * from final
order by ltv_cac_ratio desc nulls last
