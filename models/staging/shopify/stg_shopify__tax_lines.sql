{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#- One row per landed Shopify tax line (optional table: no rows when absent). -#}
{%- set landed = source('shopify', 'tax_line') %}

with

renamed as (
    {%- if landed_table_exists(landed) %}
        select
            {{ landed_id('order_line_id') }} as order_line_id,
            {{ parse_number(landed_text('price')) }} as price
        from {{ landed }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as order_line_id,
            cast(null as {{ dbt.type_numeric() }}) as price
        where 1 = 0
    {%- endif %}
)

select * from renamed
