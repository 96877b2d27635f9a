{{ config(enabled=input_enabled('google_ads', ['costs'])) }}
{#- One row per landed account_history row, typed; `is_current_version` marks the latest. -#}
{%- set present = landed_columns(source('google_ads', 'account_history')) %}

with

source as (
    select * from {{ source('google_ads', 'account_history') }}
),

renamed as (
    select
        {{ landed_id('id') }} as account_id,
        upper({{ landed_text('currency_code') }}) as currency,
        {{ parse_timestamp(landed_text('updated_at')) }} as updated_at,
        {{ fivetran_version_columns(present) }}
    from source
),

final as (
    select
        *,
        {{ version_number('account_id', 'updated_at') }} = 1 as is_current_version
    from renamed
)

select * from final
