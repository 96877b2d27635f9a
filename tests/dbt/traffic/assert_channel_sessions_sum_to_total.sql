{#-
    Every session has exactly one channel, so per month the channel rows of the additive session
    inputs add up to the total row. Returns the months where they do not. (It reads only the
    intermediate model, so builds that select staging alone do not pick it up; the total itself
    is checked against an independent count in tests/python/test_traffic_kpis.py.)
-#}
with

session_months as (
    select * from {{ ref('int_sessions_aggregated_to_months') }}
),

channel_sums as (
    select
        month,
        sum(sessions) as sessions,
        sum(lead_creation_sessions) as lead_creation_sessions,
        sum(engaged_seconds) as engaged_seconds,
        sum(sessions_with_engaged_seconds) as sessions_with_engaged_seconds,
        sum(pageviews) as pageviews,
        sum(sessions_with_pageviews) as sessions_with_pageviews
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
    channel_sums.sessions as channel_sessions
from totals
left join channel_sums on totals.month = channel_sums.month
where
    totals.sessions != coalesce(channel_sums.sessions, 0)
    or totals.lead_creation_sessions != coalesce(channel_sums.lead_creation_sessions, 0)
    or totals.engaged_seconds != coalesce(channel_sums.engaged_seconds, 0)
    or totals.sessions_with_engaged_seconds != coalesce(channel_sums.sessions_with_engaged_seconds, 0)
    or totals.pageviews != coalesce(channel_sums.pageviews, 0)
    or totals.sessions_with_pageviews != coalesce(channel_sums.sessions_with_pageviews, 0)
