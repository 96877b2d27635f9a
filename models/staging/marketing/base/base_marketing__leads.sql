{#-
    Incremental (DECISIONS.md D16): a run re-reads the raw leads with any stage time in the
    window (a CRM update sets a later stage date) and every row sharing a key with them.
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='lead_id',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_without_key('lead_id') }}",
) }}

{%- set columns = [
    'lead_id',
    'created_at',
    'email',
    'original_channel',
    'original_campaign_id',
    'mql_at',
    'sql_at',
    'customer_at',
] -%}

with

{{ raw_rows_keyed(
    'leads', columns, ['lead_id'], hashed_columns=['email'],
    window_column=['created_at', 'mql_at', 'sql_at', 'customer_at'],
) }},

{{ channel_rules_for('keyed', 'original_channel') }},

parsed as (
    select
        keyed.*,
        {{ parse_timestamp('keyed.created_at') }} as created_at_parsed,
        {{ parse_timestamp('keyed.mql_at') }} as mql_at_parsed,
        {{ parse_timestamp('keyed.sql_at') }} as sql_at_parsed,
        {{ parse_timestamp('keyed.customer_at') }} as customer_at_parsed,
        {{ mapped_channel() }} as mapped_channel,
        {{ is_channel_mapped() }} as is_channel_mapped
    from keyed
    {{ channel_lookup_joins('keyed.original_channel', 'channel_rules') }}
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when lead_id is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when created_at is null then 'missing_value'
            when
                {{ is_unreadable('created_at', 'created_at_parsed') }}
                or {{ is_unreadable('mql_at', 'mql_at_parsed') }}
                or {{ is_unreadable('sql_at', 'sql_at_parsed') }}
                or {{ is_unreadable('customer_at', 'customer_at_parsed') }}
                then 'bad_timestamp'
            when
                {{ is_implausible('created_at_parsed') }}
                or {{ is_implausible('mql_at_parsed') }}
                or {{ is_implausible('sql_at_parsed') }}
                or {{ is_implausible('customer_at_parsed') }}
                then 'implausible_date'
        end as reject_reason
    from parsed
),

final as (
    select
        -- ids
        lead_id,
        original_campaign_id,

        -- strings
        email as email_hash,
        original_channel as raw_original_channel,
        mapped_channel as original_channel,

        -- booleans
        is_channel_mapped,

        -- timestamps (UTC)
        created_at_parsed as created_at,
        mql_at_parsed as mql_at,
        sql_at_parsed as sql_at,
        customer_at_parsed as customer_at,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from checked
)

select * from final
