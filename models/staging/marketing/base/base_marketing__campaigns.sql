{%- set columns = [
    'campaign_id',
    'campaign_name',
    'channel',
    'started_on',
    'ended_on',
] -%}

with

{{ raw_rows_keyed('campaigns', columns, ['campaign_id']) }},

{{ channel_rules_for('keyed', 'channel') }},

typed as (
    select
        keyed.*,
        {{ parse_date('keyed.started_on') }} as started_on_parsed,
        {{ parse_date('keyed.ended_on') }} as ended_on_read,
        {{ mapped_channel() }} as mapped_channel,
        {{ is_channel_mapped() }} as is_channel_mapped
    from keyed
    {{ channel_lookup_joins('keyed.channel', 'channel_rules') }}
),

parsed as (
    -- an end on or after the plausible window (9999-12-31, ...) is no end
    select
        *,
        {{ open_end('ended_on_read') }} as ended_on_parsed
    from typed
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when campaign_id is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when campaign_name is null then 'missing_value'
            when
                {{ is_unreadable('started_on', 'started_on_parsed') }}
                or {{ is_unreadable('ended_on', 'ended_on_read') }}
                then 'bad_timestamp'
            when {{ is_implausible('started_on_parsed') }} or {{ is_implausible_end('ended_on_read') }}
                then 'implausible_date'
            when ended_on_parsed < started_on_parsed then 'end_before_start'
        end as reject_reason
    from parsed
),

final as (
    select
        -- ids
        campaign_id,

        -- strings
        campaign_name,
        channel as raw_channel,
        mapped_channel as channel,

        -- booleans
        is_channel_mapped,

        -- dates
        started_on_parsed as started_on,
        ended_on_parsed as ended_on,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from checked
)

select * from final
