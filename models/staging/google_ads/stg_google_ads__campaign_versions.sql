{{ config(enabled=input_enabled('google_ads', ['campaigns', 'costs'])) }}
{#- One row per landed campaign_history row, typed; `is_current_version` marks the latest. -#}
{%- set present = landed_columns(source('google_ads', 'campaign_history')) %}

with

source as (
    select * from {{ source('google_ads', 'campaign_history') }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as campaign_id,
        {{ landed_id('customer_id') }} as account_id,

        -- strings
        {{ landed_text('name') }} as campaign_name,
        upper({{ landed_text('advertising_channel_type') }}) as advertising_channel_type,

        -- dates
        {{ parse_date(landed_text('start_date')) }} as start_date,
        {{ parse_date(landed_text('end_date')) }} as end_date,

        -- versions
        {{ parse_timestamp(landed_text('updated_at')) }} as updated_at,
        {{ fivetran_version_columns(present) }}
    from source
),

final as (
    select
        *,
        {{ version_number('campaign_id', 'updated_at') }} = 1 as is_current_version
    from renamed
)

select * from final
