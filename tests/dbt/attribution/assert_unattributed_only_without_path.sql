-- A conversion goes to `unattributed` (one row per model, no touchpoint, share 1) exactly when no
-- touchpoint of its lead lies in its lookback window.
with

paths as (
    select * from {{ ref('int_conversion_paths_built') }}
),

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

conversions_with_path as (
    select distinct conversion_id
    from paths
),

checked as (
    select
        credits.conversion_id,
        credits.attribution_model,
        credits.channel,
        credits.touchpoint_id,
        credits.credit_share
    from credits
    left join conversions_with_path
        on credits.conversion_id = conversions_with_path.conversion_id
    where
        (conversions_with_path.conversion_id is null and (
            credits.channel <> {{ unattributed_channel() }}
            or credits.touchpoint_id is not null
            or credits.credit_share <> 1
        ))
        or (conversions_with_path.conversion_id is not null and (
            credits.channel = {{ unattributed_channel() }}
            or credits.touchpoint_id is null
        ))
)

select * from checked
