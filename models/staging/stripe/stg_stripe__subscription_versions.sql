{{ config(enabled=input_enabled('stripe', ['subscriptions'])) }}
{#-
    One row per landed subscription_history row, typed; `is_current_version` marks the current
    one: `_fivetran_active` where the column exists, else the latest `_fivetran_synced`.
-#}
{%- set present = landed_columns(source('stripe', 'subscription_history')) %}

with

source as (
    select * from {{ source('stripe', 'subscription_history') }}
),

renamed as (
    select
        -- ids
        {{ landed_text('id') }} as subscription_id,
        {{ landed_text('customer_id') }} as customer_id,

        -- strings
        lower({{ landed_text('status') }}) as subscription_status,

        -- timestamps (UTC)
        {{ stripe_timestamp(landed_text('ended_at')) }} as ended_at,

        -- versions
        {{ fivetran_version_columns(present) }}
    from source
),

final as (
    select
        *,
        {{ version_number('subscription_id', 'fivetran_synced_at') }} = 1 as is_current_version
    from renamed
)

select * from final
