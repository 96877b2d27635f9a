-- The wide mart fct_attribution_returns and fct_kpis give the same ROAS, POAS and ROMI wherever
-- fct_kpis has the row (both read int_attribution_measures_by_dimension; this guards the wiring).
with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

returns as (
    select * from {{ ref('fct_attribution_returns') }}
),

{% set ratios = ['roas', 'poas', 'romi'] %}
returns_long as (
    {% for ratio in ratios %}
        select
            month,
            dimension,
            dimension_value,
            attribution_model,
            '{{ ratio }}' as kpi,
            {{ ratio }} as value
        from returns
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

compared as (
    select
        kpis.kpi,
        kpis.month,
        kpis.dimension,
        kpis.dimension_value,
        kpis.attribution_model,
        kpis.value as kpi_value,
        returns_long.value as returns_value
    from kpis
    left join returns_long
        on
            kpis.kpi = returns_long.kpi
            and kpis.month = returns_long.month
            and kpis.dimension = returns_long.dimension
            and kpis.dimension_value = returns_long.dimension_value
            and coalesce(kpis.attribution_model, '') = coalesce(returns_long.attribution_model, '')
    where kpis.kpi in ('roas', 'poas', 'romi')
)

select * from compared
where
    (kpi_value is null) <> (returns_value is null)
    or abs(kpi_value - returns_value) > 1e-9
