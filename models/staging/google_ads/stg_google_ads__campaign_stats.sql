{{ config(enabled=input_enabled('google_ads', ['costs'])) }}
{#- Exact copies folded (`landed_copies`); one row per distinct landed campaign-day-segment row, typed. -#}

with

source as (
    {{ distinct_landed_rows(source('google_ads', 'campaign_stats')) }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as campaign_id,
        {{ landed_id('customer_id') }} as account_id,

        -- numerics
        {{ parse_number(landed_text('cost_micros')) }} as cost_micros,
        {{ parse_number(landed_text('impressions')) }} as impressions,
        {{ parse_number(landed_text('clicks')) }} as clicks,

        -- dates
        {{ parse_date(landed_text(adapter.quote('date'))) }} as stats_date,

        -- a cost that does not read as a number makes the whole campaign-day's cost unknown
        {{ is_unreadable(landed_text('cost_micros'), parse_number(landed_text('cost_micros'))) }}
            as has_unreadable_cost,

        -- exact copies of the landed row folded into this one
        landed_copies
    from source
)

select * from renamed
