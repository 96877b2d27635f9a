{{ config(materialized='table', enabled=input_enabled('ga4', ['touchpoints'])) }}
{#-
    GA4 sessions as rows of the contract's `touchpoints` table (docs/connectors.md): one per
    session (user_pseudo_id, ga_session_id). Exact copies of an event are folded first; an event
    without user_pseudo_id (consent mode's cookieless ping) is rejected as `no_visitor_id`, one
    without ga_session_id as `no_session_id`, one reject row per distinct event. A session's
    "session value" of a column is its value on the session's earliest event (event time, then
    event name) where it is not empty. Columns are text, as the contract's base model reads every
    input; email-shaped values of the text columns are masked.
-#}
{%- set event_columns = [
    'event_date', 'event_timestamp_micros', 'event_name', 'user_pseudo_id', 'user_id',
    'ga_session_id', 'page_location', 'engagement_time_msec', 'param_source', 'param_medium',
    'param_campaign', 'param_campaign_id', 'session_manual_source', 'session_manual_medium',
    'session_manual_campaign_id', 'session_manual_campaign_name', 'session_cross_channel_source',
    'session_cross_channel_medium', 'session_google_ads_campaign_id',
] -%}
{%- set event_columns_qualified = [] -%}
{%- for column in event_columns -%}
    {%- do event_columns_qualified.append('landed_events.' ~ column) -%}
{%- endfor -%}
{%- set session_value_columns = [
    'user_id', 'page_location', 'session_manual_source', 'session_manual_medium',
    'session_manual_campaign_id', 'session_manual_campaign_name', 'session_cross_channel_source',
    'session_cross_channel_medium', 'session_google_ads_campaign_id', 'param_campaign_id',
    'param_campaign',
] -%}
{%- set lead_events = var('ga4_lead_events', ['generate_lead']) -%}
{%- set lead_events = [lead_events] if lead_events is string else lead_events %}

with

event_name_ranks as (
    -- the few distinct event names in order, so that (time, name) orders events as one number
    select
        event_name,
        row_number() over (order by event_name) as event_name_rank
    from (
        select distinct event_name
        from {{ ref('stg_ga4__events') }}
        where event_name is not null
    ) as distinct_event_names
),

events as (
    select
        landed_events.*,
        {{ ga4_row_hash(event_columns_qualified) }} as event_hash,
        -- earliest first: time (missing last), then name (missing last)
        cast(coalesce(landed_events.event_timestamp_micros, 9223372036854775807) as decimal(38, 0)) * 1000000
        + coalesce(event_name_ranks.event_name_rank, 999999) as event_order,
        landed_events.user_pseudo_id is null or landed_events.ga_session_id is null as is_rejected
    from {{ ref('stg_ga4__events') }} as landed_events
    left join event_name_ranks on landed_events.event_name = event_name_ranks.event_name
),

groups as (
    -- one pass over the events: a session (user_pseudo_id, ga_session_id), or, for an event that
    -- makes no session, the event with its exact copies. Copies change only the counts and sums
    -- over distinct events (pageviews, engagement), not the earliest values.
    select
        user_pseudo_id,
        ga_session_id,
        case when is_rejected then event_hash end as rejected_event_hash,
        count(*) as landed_rows,
        min(event_timestamp_micros) as first_event_micros,
        min(case when is_rejected then event_name end) as rejected_event_name,
        {%- for column in session_value_columns %}
        {{ ga4_earliest_value(column) }} as session_{{ column | replace('session_', '') }},  -- noqa: LT02
        {%- endfor %}
        -- param pair of the earliest event with a param_source (normally session_start)
        {{ ga4_earliest_value(
            "case when param_source is not null then lower(param_source) || ' / ' || lower(coalesce(param_medium, '(not set)')) end"
        ) }} as param_channel,
        count(distinct case when event_name = 'page_view' then event_hash end) as page_view_events,
        {{ ga4_distinct_events_sum('engagement_time_msec', 'event_hash') }} as engagement_time_msec,
        max(case when event_name in (
            {%- for event_name in lead_events %}'{{ event_name }}'{{ ', ' if not loop.last }}{% endfor -%}
        ) then 1 else 0 end) as lead_events
    from events
    group by user_pseudo_id, ga_session_id, case when is_rejected then event_hash end
),

sessions as (
    select * from groups
    where user_pseudo_id is not null and ga_session_id is not null
),

rejected_keyed as (
    -- visitor | session | time | name; distinct events sharing it get the row hash too
    select
        *,
        case when user_pseudo_id is null then 'no_visitor_id' else 'no_session_id' end as reject_reason,
        count(*) over (partition by user_pseudo_id, ga_session_id, first_event_micros, rejected_event_name)
            as events_with_key
    from groups
    where user_pseudo_id is null or ga_session_id is null
),

with_utm as (
    select
        *,
        case
            when session_manual_source is not null
                then lower(session_manual_source) || ' / ' || lower(coalesce(session_manual_medium, '(not set)'))
            when session_cross_channel_source is not null
                then
                    lower(session_cross_channel_source) || ' / '
                    || lower(coalesce(session_cross_channel_medium, '(not set)'))
            when param_channel is not null then param_channel
            else '(direct) / (none)'
        end as raw_channel,
        -- masked before matching: an email-shaped campaign id or name is masked the same way
        {{ mask_emails(
            'coalesce(' ~ utm_value('session_manual_campaign_id') ~ ', '
            ~ utm_value('session_google_ads_campaign_id') ~ ', ' ~ utm_value('session_param_campaign_id') ~ ')'
        ) }} as utm_id,
        {{ mask_emails(
            'coalesce(' ~ utm_value('session_manual_campaign_name') ~ ', ' ~ utm_value('session_param_campaign') ~ ')'
        ) }} as utm_campaign
    from sessions
),

{{ match_campaigns('with_utm') }},

session_rows as (
    select
        -- contract columns
        {{ mask_emails("'ga4:' || user_pseudo_id || ':' || ga_session_id") }} as touchpoint_id,
        {{ mask_emails('user_pseudo_id') }} as visitor_id,
        {{ mask_emails('session_user_id') }} as lead_id,
        cast({{ timestamp_from_epoch_micros('first_event_micros') }} as {{ dbt.type_string() }}) as occurred_at,
        {{ mask_emails('raw_channel') }} as channel,
        matched_campaign_id as campaign_id,
        -- the path of the landing page: scheme and host, query and fragment removed, an empty
        -- path is /, NULL when no event of the session has a page_location (no semicolon or
        -- lone quote in this comment: the Spark unit-test path splits statements naively)
        {{ mask_emails(
            "case when session_page_location is not null then"
            ~ " coalesce(nullif(regexp_replace(regexp_replace(session_page_location,"
            ~ " '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*', ''), '[?#].*$', ''), ''), '/') end"
        ) }} as landing_page,
        cast(case when page_view_events > 0 then page_view_events end as {{ dbt.type_string() }}) as pageviews,
        cast(floor(engagement_time_msec / 1000.0) as {{ dbt.type_bigint() }}) as engaged_seconds,
        case when lead_events = 1 then 'true' else 'false' end as created_lead,

        -- campaign matching
        utm_id,
        utm_campaign,
        is_unmatched_campaign,

        -- landed row accounting
        {{ mask_emails("user_pseudo_id || '|' || ga_session_id") }} as landed_key,
        landed_rows,
        cast(null as {{ dbt.type_string() }}) as reject_reason
    from with_utm_matched
),

reject_rows as (
    select
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        {{ mask_emails('user_pseudo_id') }} as visitor_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as occurred_at,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as landing_page,
        cast(null as {{ dbt.type_string() }}) as pageviews,
        cast(null as {{ dbt.type_bigint() }}) as engaged_seconds,
        cast(null as {{ dbt.type_string() }}) as created_lead,
        cast(null as {{ dbt.type_string() }}) as utm_id,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        false as is_unmatched_campaign,
        {{ mask_emails(
            "concat_ws('|', coalesce(user_pseudo_id, ''), coalesce(ga_session_id, ''),"
            ~ " coalesce(cast(first_event_micros as " ~ dbt.type_string() ~ "), ''), coalesce(rejected_event_name, '')"
            ~ ", case when events_with_key > 1 then cast(rejected_event_hash as " ~ dbt.type_string() ~ ") end)"
        ) }} as landed_key,
        landed_rows,
        reject_reason
    from rejected_keyed
),

unioned as (
    select * from session_rows
    union all
    select * from reject_rows
),

final as (
    select
        touchpoint_id,
        visitor_id,
        lead_id,
        occurred_at,
        channel,
        campaign_id,
        landing_page,
        pageviews,
        cast(engaged_seconds as {{ dbt.type_string() }}) as engaged_seconds,
        created_lead,
        utm_id,
        utm_campaign,
        is_unmatched_campaign,
        'ga4.events_flat' as source_table,
        landed_key,
        landed_rows,
        reject_reason
    from unioned
)

select * from final
