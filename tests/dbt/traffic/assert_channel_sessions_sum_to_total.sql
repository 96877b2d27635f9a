{#-
    Every session has exactly one channel, so per month the channel rows of the additive session
    inputs add up to the total row, and the total equals an independent count of clean touchpoints.
    Returns the months where either identity fails.
-#}
with

session_months as (
    select * from {{ ref('int_sessions_aggregated_to_months') }}
),

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

touchpoint_counts as (
    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month,
        count(*) as touchpoints
    from touchpoints
    group by cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)
),

channel_sums as (
    select
        month,
        sum(sessions) as sessions,
        sum(lead_creation_sessions) as lead_creation_sessions,
        sum(engaged_seconds) as engaged_seconds,
        sum(pageviews) as pageviews
    from session_months
    where dimension = 'channel'
    group by month
),

totals as (
    select * from session_months
    where dimension = 'total'
)

select
    totals.month,
    totals.sessions,
    channel_sums.sessions as channel_sessions,
    touchpoint_counts.touchpoints
from totals
left join channel_sums on totals.month = channel_sums.month
left join touchpoint_counts on totals.month = touchpoint_counts.month
where
    totals.sessions != coalesce(touchpoint_counts.touchpoints, 0)
    or totals.sessions != coalesce(channel_sums.sessions, 0)
    or totals.lead_creation_sessions != coalesce(channel_sums.lead_creation_sessions, 0)
    or totals.engaged_seconds != coalesce(channel_sums.engaged_seconds, 0)
    or totals.pageviews != coalesce(channel_sums.pageviews, 0)
