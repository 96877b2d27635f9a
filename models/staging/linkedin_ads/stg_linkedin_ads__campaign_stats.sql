{{ config(enabled=input_enabled('linkedin_ads', ['costs'])) }}
{#-
    One row per distinct landed ad_analytics_by_campaign row (campaign and day), typed; exact
    copies are folded into it (`landed_copies`).
-#}
{%- set cost_column = (
    'cost_in_usd' if var('linkedin_ads_cost_currency', 'local') | lower == 'usd' else 'cost_in_local_currency'
) %}

with

source as (
    {{ distinct_landed_rows(source('linkedin_ads', 'ad_analytics_by_campaign')) }}
),

renamed as (
    select
        -- ids
        {{ landed_id('campaign_id') }} as campaign_id,

        -- numerics
        {{ parse_number(landed_text('cost_in_local_currency')) }} as cost_in_local_currency,
        {{ parse_number(landed_text('cost_in_usd')) }} as cost_in_usd,
        {{ parse_number(landed_text('impressions')) }} as impressions,
        {{ parse_number(landed_text('clicks')) }} as clicks,

        -- dates
        {{ parse_date(landed_text('day')) }} as stats_date,

        -- a cost that does not read as a number makes the whole campaign-day's cost unknown
        {{ is_unreadable(landed_text(cost_column), parse_number(landed_text(cost_column))) }}
            as has_unreadable_cost,

        -- exact copies of the landed row folded into this one
        landed_copies
    from source
)

select * from renamed
