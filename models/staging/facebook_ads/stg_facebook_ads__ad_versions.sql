{{ config(enabled=input_enabled('facebook_ads', ['costs'])) }}
{#- One row per landed ad_history row (the ad's campaign); `is_current_version` marks the latest. -#}
{%- set present = landed_columns(source('facebook_ads', 'ad_history')) %}

with

source as (
    select * from {{ source('facebook_ads', 'ad_history') }}
),

renamed as (
    select
        {{ landed_id('id') }} as ad_id,
        {{ landed_id('campaign_id') }} as campaign_id,
        {{ parse_timestamp(landed_text('updated_time')) }} as updated_at,
        {{ fivetran_version_columns(present) }}
    from source
),

final as (
    select
        *,
        {{ version_number('ad_id', 'updated_at') }} = 1 as is_current_version
    from renamed
)

select * from final
