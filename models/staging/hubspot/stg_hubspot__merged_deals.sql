{{ config(enabled=input_enabled('hubspot', ['deals'])) }}
{#- Deals merged into another deal (optional table: no rows when absent). -#}
{%- set landed = source('hubspot', 'merged_deal') %}

with

renamed as (
    {%- if landed_table_exists(landed) %}
        select
            {{ landed_id('deal_id') }} as deal_id,
            {{ landed_id('merged_deal_id') }} as merged_deal_id
        from {{ landed }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as deal_id,
            cast(null as {{ dbt.type_string() }}) as merged_deal_id
        where 1 = 0
    {%- endif %}
)

select * from renamed
