{{ config(enabled=input_enabled('hubspot', ['leads'])) }}
{#-
    The `lifecyclestage` changes of contact_property_history, with the stage's rank (subscriber 1
    ... evangelist 7; other values NULL). The table is read only when the contact table lacks a
    lifecycle date column; then it must exist.
-#}
{%- set landed = source('hubspot', 'contact_property_history') -%}
{%- set contact_columns = landed_columns(source('hubspot', 'contact')) -%}
{%- set needed = execute and contact_columns | length > 0 and (
    'property_hs_lifecyclestage_marketingqualifiedlead_date' not in contact_columns
    or 'property_hs_lifecyclestage_salesqualifiedlead_date' not in contact_columns
    or 'property_hs_lifecyclestage_customer_date' not in contact_columns
) -%}
{%- set exists = landed_table_exists(landed) -%}
{%- if needed and not exists -%}
    {{ exceptions.raise_compiler_error(
        "hubspot: table 'contact_property_history' not found, needed because table 'contact' is"
        ~ " missing a lifecycle date column (property_hs_lifecyclestage_*_date)"
    ) }}
{%- endif %}

with

renamed as (
    {%- if exists and (needed or not execute) %}
        select
            {{ landed_id('contact_id') }} as contact_id,
            lower({{ landed_text('value') }}) as lifecycle_stage,
            {{ parse_timestamp(landed_text(adapter.quote('timestamp'))) }} as changed_at
        from {{ landed }}
        where lower({{ landed_text('name') }}) = 'lifecyclestage'
    {%- else %}
        -- not needed (the contact table has the lifecycle dates) or absent: no rows
        select
            cast(null as {{ dbt.type_string() }}) as contact_id,
            cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
            cast(null as {{ dbt.type_timestamp() }}) as changed_at
        where 1 = 0
    {%- endif %}
),

final as (
    select
        contact_id,
        lifecycle_stage,
        changed_at,
        case lifecycle_stage
            when 'subscriber' then 1
            when 'lead' then 2
            when 'marketingqualifiedlead' then 3
            when 'salesqualifiedlead' then 4
            when 'opportunity' then 5
            when 'customer' then 6
            when 'evangelist' then 7
        end as stage_rank
    from renamed
)

select * from final
