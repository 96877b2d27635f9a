{{ config(enabled=input_enabled('stripe', ['subscriptions'])) }}
{#- One row per landed Stripe invoice, typed. -#}
{%- set present = landed_columns(source('stripe', 'invoice')) %}

with

source as (
    select * from {{ source('stripe', 'invoice') }}
),

renamed as (
    select
        -- ids
        {{ landed_text('id') }} as invoice_id,

        -- strings
        lower({{ landed_text('status') }}) as invoice_status,

        -- booleans: is_deleted or Fivetran's _fivetran_deleted, empty = not deleted
        {{ landed_flag('is_deleted') }} or {{ landed_flag('_fivetran_deleted', present) }} as is_deleted
    from source
)

select * from renamed
