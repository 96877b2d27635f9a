{{ config(enabled=input_enabled('ga4', ['touchpoints'])) }}
{#-
    One row per landed GA4 event (the flat table, or the nested export flattened to it on DuckDB),
    typed: the integers (microseconds, session id, engagement) parsed from text, NULL when they do
    not read as integers; the event time a UTC timestamp exact to the microsecond; text trimmed,
    empty = NULL. Optional columns absent from the landed table are NULL.
-#}
{%- set landed = source('ga4', 'events_flat') -%}
{%- set present = landed_columns(landed) %}

with

source as (
    select * from {{ landed }}
),

renamed as (
    select
        -- ids
        {{ landed_text('user_pseudo_id') }} as user_pseudo_id,
        cast({{ ga4_integer(landed_text('ga_session_id')) }} as {{ dbt.type_string() }}) as ga_session_id,
        {{ landed_text('user_id', present) }} as user_id,

        -- strings
        {{ landed_text('event_date') }} as event_date,
        {{ landed_text('event_name') }} as event_name,
        {{ landed_text('page_location') }} as page_location,
        {{ landed_text('param_source') }} as param_source,
        {{ landed_text('param_medium') }} as param_medium,
        {{ landed_text('param_campaign') }} as param_campaign,
        {{ landed_text('param_campaign_id') }} as param_campaign_id,
        {{ landed_text('session_manual_source', present) }} as session_manual_source,
        {{ landed_text('session_manual_medium', present) }} as session_manual_medium,
        {{ landed_text('session_manual_campaign_id', present) }} as session_manual_campaign_id,
        {{ landed_text('session_manual_campaign_name', present) }} as session_manual_campaign_name,
        {{ landed_text('session_cross_channel_source', present) }} as session_cross_channel_source,
        {{ landed_text('session_cross_channel_medium', present) }} as session_cross_channel_medium,
        {{ landed_text('session_google_ads_campaign_id', present) }} as session_google_ads_campaign_id,

        -- numerics
        {{ ga4_integer(landed_text('event_timestamp')) }} as event_timestamp_micros,
        {{ ga4_integer(landed_text('engagement_time_msec')) }} as engagement_time_msec
    from source
),

final as (
    select
        *,
        -- timestamps (UTC)
        {{ timestamp_from_epoch_micros('event_timestamp_micros') }} as event_at
    from renamed
)

select * from final
