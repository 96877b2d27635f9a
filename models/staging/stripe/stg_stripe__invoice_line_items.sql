{{ config(enabled=input_enabled('stripe', ['subscriptions'])) }}
{#-
    One row per landed Stripe invoice line, typed. The line's price is `price_id`, else `plan_id`
    (either column may be absent). Period times land as timestamps or as Unix epoch seconds.
-#}
{%- set present = landed_columns(source('stripe', 'invoice_line_item')) %}

with

source as (
    select * from {{ source('stripe', 'invoice_line_item') }}
),

renamed as (
    select
        -- ids
        {{ landed_text('id') }} as line_id,
        {{ landed_text('invoice_id') }} as invoice_id,
        {{ landed_text('subscription_id') }} as subscription_id,
        coalesce({{ landed_text('price_id', present) }}, {{ landed_text('plan_id', present) }}) as price_id,

        -- strings
        lower({{ landed_text('type') }}) as line_type,
        upper({{ landed_text('currency') }}) as currency,

        -- numerics (amounts in minor units)
        {{ parse_integer(landed_text('amount')) }} as amount,
        {{ parse_integer(landed_text('quantity')) }} as quantity,

        -- booleans
        {{ landed_flag('proration') }} as is_proration,

        -- timestamps (UTC)
        {{ stripe_timestamp(landed_text('period_start')) }} as period_start_at,
        {{ stripe_timestamp(landed_text('period_end')) }} as period_end_at
    from source
)

select * from renamed
