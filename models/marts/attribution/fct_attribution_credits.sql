{#-
    Attribution credits for BI drill-down: see _attribution__models.yml. Incremental like
    int_attribution_credits_unioned (DECISIONS.md D16): the changed leads' rows and all Markov rows.
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys(extra_condition=\"attribution_model = 'markov'\") }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}

with

credits as (
    select * from {{ ref('int_attribution_credits_unioned') }}
    {%- if is_incremental() %}
    where
        lead_id in {{ changed_journeys('lead') }}
        or attribution_model = 'markov'
    {%- endif %}
),

final as (
    select
        cast(conversion_id as {{ dbt.type_string() }}) as conversion_id,
        cast(conversion_type as {{ dbt.type_string() }}) as conversion_type,
        cast(source_id as {{ dbt.type_string() }}) as source_id,
        cast(lead_id as {{ dbt.type_string() }}) as lead_id,
        cast(attribution_model as {{ dbt.type_string() }}) as attribution_model,
        cast(is_default_model as boolean) as is_default_model,
        cast(touchpoint_id as {{ dbt.type_string() }}) as touchpoint_id,
        cast(touch_position as {{ dbt.type_bigint() }}) as touch_position,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(credit_share as {{ double_type() }}) as credit_share,
        cast(attributed_revenue as {{ double_type() }}) as attributed_revenue,
        cast(attributed_gross_profit as {{ double_type() }}) as attributed_gross_profit,
        cast(conversion_month as date) as conversion_month,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(converted_at as {{ dbt.type_timestamp() }}) as converted_at
    from credits
)

select * from final
