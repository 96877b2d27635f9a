{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#-
    One row per landed Shopify order, typed. The currency and the subtotal are read from the REST
    connector's columns (`currency`, `subtotal_price`) or the GraphQL connector's
    (`currency_code`, `subtotal_price_set_shop_amount`), whichever is landed.
-#}
{%- set landed = source('shopify', 'order') -%}
{%- set present = landed_columns(landed) %}

with

source as (
    select * from {{ landed }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as order_id,
        {{ landed_id('customer_id') }} as customer_id,

        -- strings
        {{ landed_text('email') }} as email,
        {{ landed_text_any(['currency', 'currency_code'], present, 'shopify', 'order') }} as currency_code,

        -- numerics
        {{ parse_number(landed_text_any(
            ['subtotal_price', 'subtotal_price_set_shop_amount'], present, 'shopify', 'order'
        )) }} as subtotal_price,

        -- booleans
        {{ landed_flag('taxes_included') }} as is_taxes_included,
        {{ landed_flag('test') }} as is_test,
        {{ landed_text('cancelled_at') }} is not null as is_cancelled,
        {{ landed_flag('_fivetran_deleted') }} as is_deleted,

        -- timestamps (UTC)
        {{ parse_timestamp(landed_text('created_at')) }} as created_at,
        {{ parse_timestamp(landed_text('processed_at')) }} as processed_at
    from source
)

select * from renamed
