{#-
    Markov credit shares: one row per conversion x touchpoint on its path. The conversion's credit
    is shared by the distinct channels on its path in proportion to their removal effects (all
    zero: the linear model's shares), and a channel's share is split equally among its touches on
    the path, so campaigns get credit too. Removal effects are rounded to weight_type() (22
    decimals) so the path total is an exact decimal sum: the same shares on every build, whatever
    order the rows come in (DECISIONS.md "Identical rebuilds").
-#}
with

paths as (
    select * from {{ ref('int_conversion_paths_built') }}
),

removal_effects as (
    select * from {{ ref('int_markov_removal_effects_solved') }}
),

path_channels as (
    select
        paths.conversion_id,
        paths.lead_id,
        paths.touchpoint_id,
        paths.touch_count,
        cast(coalesce(removal_effects.removal_effect, 0) as {{ weight_type() }}) as removal_effect,
        count(*) over (partition by paths.conversion_id, paths.channel) as channel_touches,
        row_number() over (
            partition by paths.conversion_id, paths.channel
            order by paths.touch_position
        ) as channel_touch_number
    from paths
    left join removal_effects
        on paths.channel = removal_effects.channel
),

path_totals as (
    select
        *,
        sum(case when channel_touch_number = 1 then removal_effect else 0 end) over (
            partition by conversion_id
        ) as path_removal_effect
    from path_channels
),

final as (
    select
        conversion_id,
        lead_id,
        touchpoint_id,
        cast('markov' as {{ dbt.type_string() }}) as attribution_model,
        cast(
            case
                when path_removal_effect > 0
                    then
                        cast(removal_effect as {{ double_type() }})
                        / cast(path_removal_effect as {{ double_type() }})
                        / cast(channel_touches as {{ double_type() }})
                else 1 / cast(touch_count as {{ double_type() }})
            end
            as {{ double_type() }}
        ) as credit_share
    from path_totals
)

select * from final
