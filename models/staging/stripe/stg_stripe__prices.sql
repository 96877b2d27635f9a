{{ config(enabled=input_enabled('stripe', ['subscriptions'])) }}
{#-
    One row per landed Stripe price, typed: the `price` table where it is landed, else the older
    connections' `plan` table (same meaning, other column names). One of the two must exist.
-#}
{%- set price = source('stripe', 'price') -%}
{%- set plan = source('stripe', 'plan') -%}
{%- set has_price = landed_table_exists(price) -%}
{#- checked when the model is built (a lint or docs compile has no landed tables) -#}
{%- if execute and flags.WHICH in ['run', 'build'] and not has_price and not landed_table_exists(plan) -%}
    {{ exceptions.raise_compiler_error(
        "stripe: neither table 'price' nor table 'plan' found in schema '" ~ price.schema ~ "'"
    ) }}
{%- endif %}
{#- the price table's column names, or the plan table's -#}
{%- set amount_column = 'unit_amount' if has_price else 'amount' -%}
{%- set interval_column = 'recurring_interval' if has_price else adapter.quote('interval') -%}
{%- set count_column = 'recurring_interval_count' if has_price else 'interval_count' %}

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
        lower({{ landed_text(interval_column) }}) as recurring_interval,

        -- numerics (unit_amount in minor units)
        {{ parse_integer(landed_text(amount_column)) }} as unit_amount,
        {{ parse_integer(landed_text(count_column)) }} as recurring_interval_count
    from source
)

select * from renamed
