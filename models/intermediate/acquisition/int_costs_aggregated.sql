{#-
    Cost lines summed per month x channel x campaign_id x cost_category (amounts in the reporting
    currency). campaign_id is NULL for cost lines without a campaign; those stay one group per
    month, channel and category. Other KPI families (attribution) read marketing and media cost here.
    Amounts stay exact decimals (`money_type()`) up to the KPI, so sums of them come out the same
    on every build (DECISIONS.md "Identical rebuilds").
-#}
with

costs as (
    select * from {{ ref('stg_marketing__costs') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as month,
        channel,
        campaign_id,
        cost_category,
        amount,
        impressions,
        clicks
    from costs
),

aggregated as (
    select
        month,
        channel,
        campaign_id,
        cost_category,
        sum(amount) as amount,
        count(*) as cost_lines,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from monthly
    group by
        month,
        channel,
        campaign_id,
        cost_category
),

final as (
    select
        -- keys
        month,
        channel,
        campaign_id,
        cost_category,

        -- category flags
        cost_category in ('media', 'marketing_other') as is_marketing_cost,
        cost_category = 'media' as is_media_cost,

        -- numerics
        cast(amount as {{ money_type() }}) as amount,
        cast(cost_lines as {{ dbt.type_bigint() }}) as cost_lines,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks
    from aggregated
)

select * from final
