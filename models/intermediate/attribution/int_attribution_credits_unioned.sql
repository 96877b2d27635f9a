{#-
    Every attribution credit: one row per conversion x touchpoint on its path x attribution model
    (the seven rule-based models and markov), plus, for a conversion without any touchpoint on its
    path, one row per model with channel `unattributed`, no touchpoint and share 1. Shares of a
    conversion sum to 1 in every model, so attributed revenue reconciles to revenue.
    Incremental (DECISIONS.md D16): a run deletes and rebuilds the rows of the leads in
    `int_journeys_changed` and every Markov row (removal effects are global, so one new journey
    can move every Markov share).
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys(extra_condition=\"attribution_model = 'markov'\") }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}
with

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

paths as (
    select * from {{ ref('int_conversion_paths_built') }}
),

rule_based_credits as (
    select * from {{ ref('int_rule_based_credits_computed') }}
    {%- if is_incremental() %}
    where lead_id in {{ changed_journeys('lead') }}
    {%- endif %}
),

markov_credits as (
    select * from {{ ref('int_markov_credits_computed') }}
),

touch_credits as (
    select * from rule_based_credits
    union all
    select * from markov_credits
),

attributed as (
    select
        paths.conversion_id,
        touch_credits.attribution_model,
        paths.touchpoint_id,
        paths.touch_position,
        paths.channel,
        paths.campaign_id,
        touch_credits.credit_share,
        paths.occurred_at
    from touch_credits
    inner join paths
        on
            touch_credits.conversion_id = paths.conversion_id
            and touch_credits.touchpoint_id = paths.touchpoint_id
),

models as (
    {{ attribution_models_values() }}
),

conversions_without_path as (
    select *
    from conversions
    where not exists (
        select 1
        from paths
        where paths.conversion_id = conversions.conversion_id
    )
),

unattributed as (
    select
        conversions_without_path.conversion_id,
        models.attribution_model,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_bigint() }}) as touch_position,
        cast({{ unattributed_channel() }} as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(1 as {{ double_type() }}) as credit_share,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at
    from conversions_without_path
    cross join models
    {%- if is_incremental() %}
    where
        conversions_without_path.lead_id in {{ changed_journeys('lead') }}
        or models.attribution_model = 'markov'
    {%- endif %}
),

credits as (
    select * from attributed
    union all
    select * from unattributed
),

final as (
    select
        credits.conversion_id,
        conversions.conversion_type,
        conversions.source_id,
        conversions.lead_id,
        credits.attribution_model,
        credits.attribution_model = '{{ default_attribution_model() }}' as is_default_model,
        credits.touchpoint_id,
        credits.touch_position,
        credits.channel,
        credits.campaign_id,
        credits.credit_share,
        cast(conversions.revenue as {{ double_type() }}) * credits.credit_share as attributed_revenue,
        cast(conversions.gross_profit as {{ double_type() }}) * credits.credit_share as attributed_gross_profit,
        conversions.conversion_month,
        credits.occurred_at,
        conversions.converted_at
    from credits
    inner join conversions
        on credits.conversion_id = conversions.conversion_id
)

select * from final
