{#-
    Credit shares of the seven rule-based attribution models: one row per conversion x touchpoint
    on its path x model (touches that get nothing have share 0). Everything is a window over the
    conversion's path, so the cost is linear in path touches. The rules (catalog/kpis.yml):
    - first_touch / last_touch: 100% to the first / last touch.
    - last_non_direct: 100% to the last touch whose channel is not `direct`; all direct: the last.
    - linear: 1 / touches.
    - time_decay: weight 2^(-days before conversion / var time_decay_half_life_days), days =
      seconds / 86400, normalised. Weights are taken relative to the path's latest touch (the same
      shares after normalising) so no weight underflows to 0, and rounded to weight_type() (22
      decimals) so the path total is an exact decimal sum: the same shares on every build,
      whatever order the rows come in (DECISIONS.md "Identical rebuilds").
    - position_based: 1 touch 100%, 2 touches 50/50, else 40% first, 40% last, 20% shared by the
      middle touches.
    - w_shaped: roles first touch, lead-creation touch (latest `created_lead` touch on the path) and
      opportunity touch (last touch at or before `opportunity_at`: a deal's created_at; an order's
      own time, i.e. the last touch). 30 points per role held, 10 points shared by the touches with
      no role (not given if every touch has a role), normalised to 1.
    Incremental (DECISIONS.md D16): a run deletes and rebuilds the credits of the leads in
    `int_journeys_changed`.
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys() }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}
with

paths as (
    select * from {{ ref('int_conversion_paths_built') }}
    {%- if is_incremental() %}
    where lead_id in {{ changed_journeys('lead') }}
    {%- endif %}
),

path_landmarks as (
    select
        *,
        coalesce(
            max(case when channel <> 'direct' then touch_position end) over (partition by conversion_id),
            touch_count
        ) as last_non_direct_position,
        max(case when is_lead_creation then touch_position end) over (
            partition by conversion_id
        ) as lead_creation_position,
        max(case when occurred_at <= opportunity_at then touch_position end) over (
            partition by conversion_id
        ) as opportunity_position,
        min(seconds_before_conversion) over (partition by conversion_id) as latest_touch_seconds
    from paths
),

touch_weights as (
    select
        *,
        cast(
            power(
                cast(2 as {{ double_type() }}),
                -1 * (seconds_before_conversion - latest_touch_seconds)
                / cast(86400 as {{ double_type() }})
                / cast({{ time_decay_half_life_days() }} as {{ double_type() }})
            )
            as {{ weight_type() }}
        ) as decay_weight,
        case when touch_position = 1 then 1 else 0 end
        + case when touch_position = lead_creation_position then 1 else 0 end
        + case when touch_position = opportunity_position then 1 else 0 end as w_shaped_roles_held,
        1
        + case when lead_creation_position is not null then 1 else 0 end
        + case when opportunity_position is not null then 1 else 0 end as w_shaped_roles_present
    from path_landmarks
),

path_totals as (
    select
        *,
        sum(decay_weight) over (partition by conversion_id) as total_decay_weight,
        sum(case when w_shaped_roles_held = 0 then 1 else 0 end) over (
            partition by conversion_id
        ) as roleless_touches
    from touch_weights
),

shares as (
    select
        conversion_id,
        lead_id,
        touchpoint_id,
        case when touch_position = 1 then 1 else 0 end as first_touch_share,
        case when touch_position = touch_count then 1 else 0 end as last_touch_share,
        case when touch_position = last_non_direct_position then 1 else 0 end as last_non_direct_share,
        1 / cast(touch_count as {{ double_type() }}) as linear_share,
        cast(decay_weight as {{ double_type() }}) / cast(total_decay_weight as {{ double_type() }}) as time_decay_share,
        case
            when touch_count = 1 then 1
            when touch_count = 2 then 0.5
            when touch_position = 1 or touch_position = touch_count then 0.4
            else 0.2 / cast(touch_count - 2 as {{ double_type() }})
        end as position_based_share,
        cast(
            case
                when w_shaped_roles_held > 0 then 30 * w_shaped_roles_held
                else 10 / cast(roleless_touches as {{ double_type() }})
            end
            as {{ double_type() }}
        )
        / cast(30 * w_shaped_roles_present + case when roleless_touches > 0 then 10 else 0 end as {{ double_type() }})
            as w_shaped_share
    from path_totals
),

{% set rule_based_models = attribution_models() | reject('equalto', 'markov') | list %}
unpivoted as (
    {% for model_name in rule_based_models %}
        select
            conversion_id,
            lead_id,
            touchpoint_id,
            cast('{{ model_name }}' as {{ dbt.type_string() }}) as attribution_model,
            cast({{ model_name }}_share as {{ double_type() }}) as credit_share
        from shares
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unpivoted
