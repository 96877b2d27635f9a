{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#-
    One row per landed Shopify inventory item with its unit cost: `unit_cost_amount`, else the
    older connections' `cost` (whichever is landed; both: the first that has a value; neither:
    the build stops with one line naming both).
-#}
{%- set landed = source('shopify', 'inventory_item') -%}
{%- set present = landed_columns(landed) %}

with

source as (
    select * from {{ landed }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as inventory_item_id,

        -- numerics
        {{ parse_number(landed_text_any(['unit_cost_amount', 'cost'], present, 'shopify', 'inventory_item')) }}
            as unit_cost
    from source
)

select * from renamed
