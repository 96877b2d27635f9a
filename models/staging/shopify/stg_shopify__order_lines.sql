{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#- One row per landed Shopify order line, typed. -#}

with

source as (
    select * from {{ source('shopify', 'order_line') }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as order_line_id,
        {{ landed_id('order_id') }} as order_id,
        {{ landed_id('variant_id') }} as variant_id,

        -- numerics
        {{ parse_number(landed_text('quantity')) }} as quantity
    from source
)

select * from renamed
