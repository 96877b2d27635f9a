{#-
    Removal effect of every channel of the Markov chain, solved exactly on every supported
    adapter (macros/attribution/markov_solver.sql): DuckDB reads the numpy Python model,
    PostgreSQL calls the plpgsql solver this model's pre-hook creates.
-#}
{{ config(pre_hook=markov_solver_ddl()) }}

with

solved as (
    {{ markov_removal_effects(ref('int_markov_transitions_counted')) }}
),

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
