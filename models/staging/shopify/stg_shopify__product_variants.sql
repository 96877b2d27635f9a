{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#- One row per landed Shopify product variant: the inventory item that holds its cost. -#}

with

source as (
    select * from {{ source('shopify', 'product_variant') }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as variant_id,
        {{ landed_id('inventory_item_id') }} as inventory_item_id
    from source
)

select * from renamed
