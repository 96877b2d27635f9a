{#-
    The fct_kpis grid is complete: every catalog KPI with a total has its total row in every
    month of the range, and every (KPI, dimension value, model) that appears at all appears in
    every month. Returns what is missing.
-#}
{%- set catalog = kpi_catalog() -%}

with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

month_count as (
    select count(*) as months_in_range from months
),

total_kpis as (
    {%- for entry in catalog if 'total' in entry.dimensions %}
        select '{{ entry.name }}' as kpi
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

series as (
    select
        kpi,
        dimension,
        dimension_value,
        coalesce(attribution_model, '-') as attribution_model,
        count(distinct month) as months_present
    from kpis
    group by kpi, dimension, dimension_value, coalesce(attribution_model, '-')
),

missing_totals as (
    select
        total_kpis.kpi,
        'total' as dimension,
        'all' as dimension_value,
        '-' as attribution_model,
        coalesce(series.months_present, 0) as months_present
    from total_kpis
    left join series
        on
            total_kpis.kpi = series.kpi
            and series.dimension = 'total'
    cross join month_count
    where coalesce(series.months_present, 0) != month_count.months_in_range
),

gappy_series as (
    select
        series.kpi,
        series.dimension,
        series.dimension_value,
        series.attribution_model,
        series.months_present
    from series
    cross join month_count
    where series.months_present != month_count.months_in_range
)

select * from missing_totals
union all
select * from gappy_series
