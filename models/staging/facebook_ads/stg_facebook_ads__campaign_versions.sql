{{ config(enabled=input_enabled('facebook_ads', ['campaigns'])) }}
{#- One row per landed campaign_history row, typed; `is_current_version` marks the latest. -#}
{%- set present = landed_columns(source('facebook_ads', 'campaign_history')) %}

with

source as (
    select * from {{ source('facebook_ads', 'campaign_history') }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as campaign_id,
        {{ landed_id('account_id') }} as account_id,

        -- strings
        {{ landed_text('name') }} as campaign_name,

        -- dates
        {{ parse_date(landed_text('start_time')) }} as start_date,
        {{ parse_date(landed_text('stop_time')) }} as end_date,

        -- versions
        {{ parse_timestamp(landed_text('updated_time')) }} as updated_at,
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
