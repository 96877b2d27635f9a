{{ config(enabled=input_enabled('shopify', ['orders'])) }}
{#-
    One row per landed Shopify order note attribute (optional table: no rows when absent). The
    attribute's name is the REST connector's `name` or the GraphQL connector's `key`, whichever is
    landed.
-#}
{%- set landed = source('shopify', 'order_note_attribute') -%}
{%- set present = landed_columns(landed) %}

with

renamed as (
    {%- if landed_table_exists(landed) %}
        select
            {{ landed_id('order_id') }} as order_id,
            {{ landed_text_any(['name', 'key'], present, 'shopify', 'order_note_attribute') }} as attribute_name,
            {{ landed_text('value') }} as attribute_value
        from {{ landed }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as order_id,
            cast(null as {{ dbt.type_string() }}) as attribute_name,
            cast(null as {{ dbt.type_string() }}) as attribute_value
        where 1 = 0
    {%- endif %}
)

select * from renamed
