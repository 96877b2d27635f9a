-- Every conversion has credit under every attribution model, no share is negative (or above 1),
-- and each conversion's shares sum to 1 within 1e-9 in every model. Returns offending rows.
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

credits as (
    select * from {{ ref('fct_attribution_credits') }}
),

models as (
    {{ attribution_models_values() }}
),

per_conversion as (
    select
        conversion_id,
        attribution_model,
        sum(credit_share) as share_total,
        min(credit_share) as smallest_share,
        max(credit_share) as largest_share
    from credits
    group by conversion_id, attribution_model
),

expected as (
    select
        conversions.conversion_id,
        models.attribution_model
    from conversions
    cross join models
),

checked as (
    select
        per_conversion.share_total,
        per_conversion.smallest_share,
        per_conversion.largest_share,
        coalesce(expected.conversion_id, per_conversion.conversion_id) as conversion_id,
        coalesce(expected.attribution_model, per_conversion.attribution_model) as attribution_model,
        case
            when expected.conversion_id is null then 'credit for an unknown conversion or model'
            when per_conversion.conversion_id is null then 'conversion without credit'
            when per_conversion.smallest_share < 0 then 'negative share'
            when per_conversion.largest_share > 1 + 1e-9 then 'share above 1'
            when abs(per_conversion.share_total - 1) > 1e-9 then 'shares do not sum to 1'
        end as problem
    from expected
    full outer join per_conversion
        on
            expected.conversion_id = per_conversion.conversion_id
            and expected.attribution_model = per_conversion.attribution_model
)

select * from checked
where problem is not null
