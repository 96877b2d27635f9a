{{ config(enabled=input_enabled('facebook_ads', ['costs'])) }}
{#- Exact copies folded (`landed_copies`); one row per distinct landed basic_ad row (ad and day), typed. -#}

with

source as (
    {{ distinct_landed_rows(source('facebook_ads', 'basic_ad')) }}
),

renamed as (
    select
        -- ids
        {{ landed_id('ad_id') }} as ad_id,
        {{ landed_id('account_id') }} as account_id,

        -- numerics
        {{ parse_number(landed_text('spend')) }} as spend,
        {{ parse_number(landed_text('impressions')) }} as impressions,
        {{ parse_number(landed_text('inline_link_clicks')) }} as clicks,

        -- dates
        {{ parse_date(landed_text(adapter.quote('date'))) }} as stats_date,

        -- a cost that does not read as a number makes the whole campaign-day's cost unknown
        {{ is_unreadable(landed_text('spend'), parse_number(landed_text('spend'))) }}
            as has_unreadable_cost,

        -- exact copies of the landed row folded into this one
        landed_copies
    from source
)

select * from renamed
