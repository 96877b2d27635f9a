{{ config(enabled=input_enabled('hubspot', ['deals'])) }}
{#- One row per landed pipeline stage, typed; `is_closed` is NULL where the column is absent. -#}
{%- set present = landed_columns(source('hubspot', 'deal_pipeline_stage')) %}

with

source as (
    select * from {{ source('hubspot', 'deal_pipeline_stage') }}
),

renamed as (
    select
        {{ landed_text('stage_id') }} as stage_id,
        {{ landed_flag('closed_won') }} as is_closed_won,
        {{ landed_boolean('is_closed', present) }} as is_closed,
        {{ parse_number(landed_text('probability')) }} as probability
    from source
)

select * from renamed
