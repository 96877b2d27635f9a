{{ config(enabled=input_enabled('hubspot', ['leads', 'deals'])) }}
{#-
    One row per landed HubSpot contact, typed. The three lifecycle date columns are optional:
    when any is absent, `has_lifecycle_columns` is false and the dates come from
    stg_hubspot__lifecycle_stage_changes instead.
-#}
{%- set landed = source('hubspot', 'contact') -%}
{%- set present = landed_columns(landed) -%}
{%- set lifecycle_columns = [
    'property_hs_lifecyclestage_marketingqualifiedlead_date',
    'property_hs_lifecyclestage_salesqualifiedlead_date',
    'property_hs_lifecyclestage_customer_date',
] -%}
{%- set has_lifecycle = not execute or (lifecycle_columns | reject('in', present) | list | length == 0) %}

with

source as (
    select * from {{ landed }}
),

renamed as (
    select
        -- ids
        {{ landed_id('id') }} as contact_id,
        {{ landed_text('property_hs_merged_object_ids') }} as merged_object_ids,

        -- strings
        {{ landed_text('property_email') }} as email,
        {{ landed_text('property_hs_analytics_source') }} as analytics_source,
        {{ landed_text('property_hs_analytics_first_url') }} as first_url,

        -- booleans
        {{ landed_flag('_fivetran_deleted') }} as is_deleted,
        {{ has_lifecycle }} as has_lifecycle_columns,

        -- timestamps (UTC)
        {{ parse_timestamp(landed_text('property_createdate')) }} as created_at,
        {{ parse_timestamp(landed_text(lifecycle_columns[0], present)) }} as mql_at,
        {{ parse_timestamp(landed_text(lifecycle_columns[1], present)) }} as sql_at,
        {{ parse_timestamp(landed_text(lifecycle_columns[2], present)) }} as customer_at
    from source
)

select * from renamed
