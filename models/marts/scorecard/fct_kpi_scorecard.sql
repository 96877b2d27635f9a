{#-
    The KPI scorecard: one row per KPI x month x dimension value, for the total and (where the
    KPI has one) the channel dimension. Attributed KPIs (roas, poas, romi, attributed_revenue) show
    their channel rows under var `default_attribution_model` and their total row (no model).
    Each row carries the value, last month's value, the change, the catalog's direction and
    thresholds (dim_kpis, for var business_model) and the health status, so a BI tool renders it
    with no logic of its own.

    Health status rule (a KPI with thresholds):
      value NULL                         -> 'no_data'
      the healthy condition holds        -> 'healthy'
      else the critical condition holds  -> 'critical'
      else                               -> 'warning'
    A KPI without any threshold is 'no_threshold'. A condition is `value <op> threshold` with op
    gte (>=), gt (>), lte (<=) or lt (<); a level the KPI does not define never holds.
-#}
{%- set comparisons = {'gte': '>=', 'gt': '>', 'lte': '<=', 'lt': '<'} -%}

with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

kpi_definitions as (
    select * from {{ ref('dim_kpis') }}
),

latest_month as (
    select max(month) as month
    from kpis
),

scorecard_rows as (
    select * from kpis
    where
        dimension in ('total', 'channel')
        and (
            attribution_model is null
            or (dimension = 'channel' and attribution_model = '{{ var("default_attribution_model") }}')
        )
),

previous_months as (
    -- the previous row of the same series; a window, not a self-join, so no database has to
    -- plan a join on a freshly built table (PostgreSQL chose a nested loop: BENCHMARKS.md)
    select
        kpi,
        month,
        dimension,
        dimension_value,
        attribution_model,
        value,
        lag(month) over series as previous_month,
        lag(value) over series as previous_row_value
    from scorecard_rows
    window series as (partition by kpi, dimension, dimension_value order by month)
),

compared as (
    select
        kpi,
        month,
        dimension,
        dimension_value,
        attribution_model,
        value,
        -- last month's value only when the previous row is last month
        case
            when previous_month = cast({{ dbt.dateadd('month', -1, 'month') }} as date)
                then previous_row_value
        end as previous_value
    from previous_months
),

defined as (
    select
        compared.*,
        kpi_definitions.label,
        kpi_definitions.family,
        kpi_definitions.unit,
        kpi_definitions.direction,
        kpi_definitions.funnel_tier,
        kpi_definitions.kpi_order,
        kpi_definitions.healthy_operator,
        kpi_definitions.healthy_threshold,
        kpi_definitions.critical_operator,
        kpi_definitions.critical_threshold,
        kpi_definitions.has_thresholds
    from compared
    inner join kpi_definitions
        on compared.kpi = kpi_definitions.kpi
),

checked as (
    select
        *,
        case
            {%- for operator, symbol in comparisons.items() %}
                when healthy_operator = '{{ operator }}' then value {{ symbol }} healthy_threshold
            {%- endfor %}
            else false
        end as is_healthy_condition,
        case
            {%- for operator, symbol in comparisons.items() %}
                when critical_operator = '{{ operator }}' then value {{ symbol }} critical_threshold
            {%- endfor %}
            else false
        end as is_critical_condition
    from defined
),

assessed as (
    select
        *,
        value - previous_value as change_absolute,
        {{ marketing_kpis.safe_divide('value - previous_value', 'abs(previous_value)') }} as change_relative,
        case
            when not has_thresholds then 'no_threshold'
            when value is null then 'no_data'
            when is_healthy_condition then 'healthy'
            when is_critical_condition then 'critical'
            else 'warning'
        end as health_status
    from checked
),

final as (
    select
        cast(assessed.kpi as {{ dbt.type_string() }}) as kpi,
        cast(assessed.month as date) as month,
        cast(assessed.dimension as {{ dbt.type_string() }}) as dimension,
        cast(assessed.dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(assessed.attribution_model as {{ dbt.type_string() }}) as attribution_model,
        cast(assessed.label as {{ dbt.type_string() }}) as label,
        cast(assessed.family as {{ dbt.type_string() }}) as family,
        cast(assessed.unit as {{ dbt.type_string() }}) as unit,
        cast(assessed.funnel_tier as {{ dbt.type_string() }}) as funnel_tier,
        cast(assessed.kpi_order as integer) as kpi_order,
        cast(assessed.value as {{ double_type() }}) as value,
        cast(assessed.previous_value as {{ double_type() }}) as previous_value,
        cast(assessed.change_absolute as {{ double_type() }}) as change_absolute,
        cast(assessed.change_relative as {{ double_type() }}) as change_relative,
        cast(
            case
                when assessed.change_absolute is null or assessed.direction = 'neutral' then null
                when assessed.change_absolute = 0 then 'unchanged'
                when (assessed.change_absolute > 0) = (assessed.direction = 'higher_is_better') then 'better'
                else 'worse'
            end as {{ dbt.type_string() }}
        ) as change_assessment,
        cast(assessed.direction as {{ dbt.type_string() }}) as direction,
        cast(assessed.healthy_operator as {{ dbt.type_string() }}) as healthy_operator,
        cast(assessed.healthy_threshold as {{ double_type() }}) as healthy_threshold,
        cast(assessed.critical_operator as {{ dbt.type_string() }}) as critical_operator,
        cast(assessed.critical_threshold as {{ double_type() }}) as critical_threshold,
        cast(assessed.health_status as {{ dbt.type_string() }}) as health_status,
        assessed.month = latest_month.month as is_latest_month
    from assessed
    cross join latest_month
)

select * from final
