{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#- One row per landed Shopify customer: the email an order falls back on for lead matching. -#}

with

source as (
    select * from {{ source('shopify', 'customer') }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as customer_id,

        -- strings
        {{ landed_text('email') }} as email
    from source
)

select * from renamed
