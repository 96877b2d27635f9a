{#- The Markov chain's verdict per channel: see _attribution__models.yml. -#}
with

removal_effects as (
    select * from {{ ref('int_markov_removal_effects_solved') }}
),

transitions as (
    select * from {{ ref('int_markov_transitions_counted') }}
),

credits as (
    select * from {{ ref('int_attribution_credits_unioned') }}
),

converting_paths as (
    select coalesce(sum(transition_count), 0) as converting_paths
    from transitions
    where to_state = 'CONVERSION'
),

effect_totals as (
    select sum(removal_effect) as total_removal_effect
    from removal_effects
),

credited as (
    select
        channel,
        sum(credit_share) as credited_conversions,
        sum(attributed_revenue) as attributed_revenue
    from credits
    where attribution_model = 'markov'
    group by channel
),

final as (
    select
        cast(removal_effects.channel as {{ dbt.type_string() }}) as channel,
        cast(removal_effects.conversion_probability as {{ double_type() }}) as conversion_probability,
        cast(removal_effects.conversion_probability_without_channel as {{ double_type() }})
            as conversion_probability_without_channel,
        cast(removal_effects.removal_effect as {{ double_type() }}) as removal_effect,
        cast(
            {{ safe_divide('removal_effects.removal_effect', 'effect_totals.total_removal_effect') }}
            as {{ double_type() }}
        ) as normalised_removal_effect,
        cast(
            converting_paths.converting_paths
            * {{ safe_divide('removal_effects.removal_effect', 'effect_totals.total_removal_effect') }}
            as {{ double_type() }}
        ) as chain_level_conversions,
        cast(coalesce(credited.credited_conversions, 0) as {{ double_type() }}) as credited_conversions,
        cast(coalesce(credited.attributed_revenue, 0) as {{ double_type() }}) as attributed_revenue
    from removal_effects
    cross join converting_paths
    cross join effect_totals
    left join credited
        on removal_effects.channel = credited.channel
)

select * from final
