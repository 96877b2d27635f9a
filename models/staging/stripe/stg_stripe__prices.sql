{{ config(enabled=input_enabled('stripe', ['subscriptions'])) }}
{#-
    One row per landed Stripe price, typed: the `price` table where it is landed, else the older
    connections' `plan` table (same meaning, other column names). One of the two must exist.
-#}
{%- set price = source('stripe', 'price') -%}
{%- set plan = source('stripe', 'plan') -%}
{%- set has_price = landed_table_exists(price) -%}
{%- if execute and not has_price and not landed_table_exists(plan) -%}
    {{ exceptions.raise_compiler_error(
        "stripe: neither table 'price' nor table 'plan' found in schema '" ~ price.schema ~ "'"
    ) }}
{%- endif %}

with

source as (
    select * from {{ price if has_price else plan }}
),

renamed as (
    select
        -- ids
        {{ landed_text('id') }} as price_id,

        -- strings
        {{ landed_text('nickname') }} as nickname,
        {%- if has_price %}
        lower({{ landed_text('recurring_interval') }}) as recurring_interval,
        {%- else %}
        lower({{ landed_text(adapter.quote('interval')) }}) as recurring_interval,
        {%- endif %}

        -- numerics (unit_amount in minor units)
        {%- if has_price %}
        {{ parse_integer(landed_text('unit_amount')) }} as unit_amount,
        {{ parse_integer(landed_text('recurring_interval_count')) }} as recurring_interval_count
        {%- else %}
        {{ parse_integer(landed_text('amount')) }} as unit_amount,
        {{ parse_integer(landed_text('interval_count')) }} as recurring_interval_count
        {%- endif %}
    from source
)

select * from renamed
