{#-
    Removal effect of every channel of the Markov chain, solved exactly in portable SQL on every
    adapter (Gauss-Jordan elimination unrolled by Jinja, macros/attribution/markov_solver.sql).
-#}
with

transitions as (
    select * from {{ ref('int_markov_transitions_counted') }}
),

{{ markov_removal_effect_ctes('transitions', 'solved') }},

final as (
    select
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(conversion_probability as {{ double_type() }}) as conversion_probability,
        cast(conversion_probability_without_channel as {{ double_type() }})
            as conversion_probability_without_channel,
        cast(removal_effect as {{ double_type() }}) as removal_effect
    from solved
)

select * from final
