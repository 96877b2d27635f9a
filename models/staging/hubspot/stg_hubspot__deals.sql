{{ config(enabled=input_enabled('hubspot', ['deals'])) }}
{#- One row per landed HubSpot deal, typed. -#}

with

source as (
    select * from {{ source('hubspot', 'deal') }}
),

renamed as (
    select
        -- ids
        {{ landed_id('deal_id') }} as deal_id,
        {{ landed_text('deal_pipeline_stage_id') }} as pipeline_stage_id,

        -- strings
        upper({{ landed_text('property_deal_currency_code') }}) as currency_code,

        -- numerics
        {{ parse_number(landed_text('property_amount')) }} as amount,

        -- booleans: coalesce(is_deleted, _fivetran_deleted), empty = not deleted
        coalesce({{ landed_boolean('is_deleted') }}, {{ landed_flag('_fivetran_deleted') }}) as is_deleted,

        -- timestamps (UTC)
        {{ parse_timestamp(landed_text('property_createdate')) }} as created_at,
        {{ parse_timestamp(landed_text('property_closedate')) }} as close_date_at
    from source
)

select * from renamed
