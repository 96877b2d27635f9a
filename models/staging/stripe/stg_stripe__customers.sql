{{ config(
    enabled=input_enabled('stripe', ['subscriptions']),
    pre_hook="{{ stripe_json_function() }}",
) }}
{#-
    One row per landed Stripe customer, typed. `metadata_lead_id` is the value of the metadata key
    named by var stripe_lead_id_metadata_key (default lead_id); metadata that is not valid JSON has
    no keys. The pre-hook creates the PostgreSQL JSON reader (macros/inputs/stripe_rows.sql).
-#}

with

source as (
    select * from {{ source('stripe', 'customer') }}
),

renamed as (
    select
        -- ids
        {{ landed_text('id') }} as customer_id,
        {{ regex_replace_group(
            json_text_value(landed_text('metadata'), var('stripe_lead_id_metadata_key', 'lead_id')),
            "'^([0-9]+)[.]0*$'",
            1,
        ) }} as metadata_lead_id,

        -- strings
        {{ landed_text('email') }} as email
    from source
)

select * from renamed
