{#- TEMPORARY PLACEHOLDER (no rows) so the project parses while the order KPI family is built
    on its own branch. It must be replaced before any issue is called done. -#}
select
    cast(null as {{ dbt.type_string() }}) as kpi,
    cast(null as date) as month,
    cast(null as {{ dbt.type_string() }}) as dimension,
    cast(null as {{ dbt.type_string() }}) as dimension_value,
    cast(null as {{ dbt.type_string() }}) as attribution_model,
    cast(null as double precision) as numerator,
    cast(null as double precision) as denominator,
    cast(null as double precision) as value
where 1 = 0
