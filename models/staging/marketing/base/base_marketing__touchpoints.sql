{#-
    Incremental (DECISIONS.md D16): a run re-reads the raw touchpoints of the window (and every
    row sharing a key with them), deletes the stored rows of those keys and of missing keys, and
    inserts the re-read rows. `--full-refresh` reads everything.

    A touch whose lead_id is filled but not a clean lead is an `orphan_lead_id`. Whether it is
    depends on the leads, which change between runs: a run also re-reads every stored touch
    whose lead changed status since it was written (its lead arrived, or was rejected), whatever
    its date, so the verdicts are those of a full build, and the re-read touches are part of the
    newest batch, whose journeys the attribution models rebuild (int_journeys_changed).
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='touchpoint_id',
    on_schema_change='fail',
    pre_hook="{{ delete_rows_without_key('touchpoint_id') }}",
) }}

{%- set columns = [
    'touchpoint_id',
    'visitor_id',
    'lead_id',
    'occurred_at',
    'channel',
    'campaign_id',
    'landing_page',
    'pageviews',
    'engaged_seconds',
    'created_lead',
] -%}

{#- stored touches whose orphan verdict no longer holds (read only on an incremental run) -#}
{%- set lead_status_changed -%}
    select stored.touchpoint_id as window_key
    from {{ this }} as stored
    left join {{ ref('stg_marketing__leads') }} as leads
        on stored.lead_id = leads.lead_id
    where
        stored.lead_id is not null
        and (
            (stored.reject_reason = 'orphan_lead_id' and leads.lead_id is not null)
            or (stored.reject_reason is null and leads.lead_id is null)
        )
{%- endset %}

with

{{ raw_rows_keyed(
    'touchpoints', columns, ['touchpoint_id'],
    window_column='occurred_at', extra_keys=lead_status_changed,
) }},

clean_leads as (
    select lead_id from {{ ref('stg_marketing__leads') }}
),

{{ channel_rules_for('keyed', 'channel') }},

parsed as (
    select
        keyed.*,
        {{ parse_timestamp('keyed.occurred_at') }} as occurred_at_parsed,
        {{ parse_raw_integer('keyed.pageviews') }} as pageviews_parsed,
        {{ parse_raw_integer('keyed.engaged_seconds') }} as engaged_seconds_parsed,
        {{ parse_boolean('keyed.created_lead') }} as created_lead_parsed,
        {{ mapped_channel() }} as mapped_channel,
        {{ is_channel_mapped() }} as is_channel_mapped,
        clean_leads.lead_id is not null as has_clean_lead
    from keyed
    {{ channel_lookup_joins('keyed.channel', 'channel_rules') }}
    left join clean_leads on keyed.lead_id = clean_leads.lead_id
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when touchpoint_id is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when visitor_id is null or occurred_at is null then 'missing_value'
            when {{ is_unreadable('occurred_at', 'occurred_at_parsed') }} then 'bad_timestamp'
            when {{ is_implausible('occurred_at_parsed') }} then 'implausible_date'
            when
                {{ is_unreadable('pageviews', 'pageviews_parsed') }}
                or {{ is_unreadable('engaged_seconds', 'engaged_seconds_parsed') }}
                then 'bad_number'
            when created_lead_parsed is null then 'bad_boolean'
            when pageviews_parsed < 0 or engaged_seconds_parsed < 0 then 'negative_amount'
            -- no lead_id is an anonymous touch; a lead_id must be a clean lead
            when lead_id is not null and not has_clean_lead then 'orphan_lead_id'
        end as reject_reason
    from parsed
),

final as (
    select
        -- ids
        touchpoint_id,
        visitor_id,
        lead_id,
        campaign_id,

        -- strings
        channel as raw_channel,
        mapped_channel as channel,
        landing_page,

        -- numerics
        pageviews_parsed as pageviews,
        engaged_seconds_parsed as engaged_seconds,

        -- booleans
        created_lead_parsed as is_lead_creation,
        is_channel_mapped,

        -- timestamps (UTC)
        occurred_at_parsed as occurred_at,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row,
        {{ batch_loaded_at() }} as batch_loaded_at
    from checked
)

select * from final
