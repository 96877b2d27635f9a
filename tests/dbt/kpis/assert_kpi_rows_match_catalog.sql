{#-
    Every fct_kpis row agrees with the catalog: the KPI exists, its dimension is one the catalog
    lists for it, it carries an attribution model exactly when the KPI is attributed and the row
    is not a total, and numerator/denominator are filled only for ratio KPIs.
    Returns the offending rows.
-#}
{%- set catalog = kpi_catalog() -%}

with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

catalog as (
    {%- for entry in catalog %}
        {%- for dimension in entry.dimensions %}
            select
                '{{ entry.name }}' as kpi,
                '{{ dimension }}' as dimension,
                {{ 'true' if entry.attributed and dimension != 'total' else 'false' }} as has_model,
                {{ 'true' if entry.kind == 'ratio' else 'false' }} as is_ratio
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

checked as (
    select
        kpis.kpi,
        kpis.month,
        kpis.dimension,
        kpis.dimension_value,
        kpis.attribution_model,
        case
            when catalog.kpi is null then 'kpi or dimension not in the catalog'
            when catalog.has_model and kpis.attribution_model is null then 'attributed row without a model'
            when not catalog.has_model and kpis.attribution_model is not null then 'model on a plain row'
            when not catalog.is_ratio and (kpis.numerator is not null or kpis.denominator is not null)
                then 'numerator/denominator on a non-ratio KPI'
            when kpis.dimension = 'total' and kpis.dimension_value != 'all' then 'total row not named all'
        end as problem
    from kpis
    left join catalog
        on
            kpis.kpi = catalog.kpi
            and kpis.dimension = catalog.dimension
)

select * from checked
where problem is not null
