{{ config(enabled=input_enabled('hubspot', ['deals'])) }}
{#- One row per landed deal-contact association (any type and category). -#}

with

source as (
    select * from {{ source('hubspot', 'deal_contact') }}
),

renamed as (
    select
        {{ landed_id('deal_id') }} as deal_id,
        {{ landed_id('contact_id') }} as contact_id
    from source
)

select * from renamed
