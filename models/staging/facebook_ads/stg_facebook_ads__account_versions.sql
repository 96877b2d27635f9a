{{ config(enabled=input_enabled('facebook_ads', ['costs'])) }}
{#- One row per landed account_history row, typed; the latest sync is the current version. -#}
{%- set present = landed_columns(source('facebook_ads', 'account_history')) %}

with

source as (
    select * from {{ source('facebook_ads', 'account_history') }}
),

renamed as (
    select
        {{ landed_id('id') }} as account_id,
        upper({{ landed_text('currency') }}) as currency,
        {{ fivetran_version_columns(present) }}
    from source
),

final as (
    select
        *,
        {{ version_number('account_id', 'fivetran_synced_at') }} = 1 as is_current_version
    from renamed
)

select * from final
