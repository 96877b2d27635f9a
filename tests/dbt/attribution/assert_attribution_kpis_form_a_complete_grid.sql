-- fct_kpis holds every attribution KPI of the spec on its complete grid: revenue, roas, poas and
-- romi total rows (attribution_model NULL) for every month; attributed_revenue, roas, poas and
-- romi channel and campaign rows for every month x every model of each dimension value.
with

kpis as (
    select * from {{ ref('fct_kpis') }}
),

months as (
    select * from {{ ref('int_months_spined') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

month_count as (
    select count(*) as months from months
),

{% set total_kpis = ['revenue', 'roas', 'poas', 'romi'] %}
{% set attributed_kpis = ['attributed_revenue', 'roas', 'poas', 'romi'] %}
expected_total_kpis as (
    {% for kpi in total_kpis %}
        select cast('{{ kpi }}' as {{ dbt.type_string() }}) as kpi
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

expected_channel_kpis as (
    {% for kpi in attributed_kpis %}
        select cast('{{ kpi }}' as {{ dbt.type_string() }}) as kpi
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

total_rows as (
    select
        expected_total_kpis.kpi,
        count(kpis.month) as found_rows,
        sum(case when kpis.attribution_model is not null then 1 else 0 end) as rows_with_model
    from expected_total_kpis
    left join kpis
        on
            expected_total_kpis.kpi = kpis.kpi
            and kpis.dimension = 'total'
            and kpis.dimension_value = 'all'
    group by expected_total_kpis.kpi
),

total_problems as (
    select
        total_rows.kpi,
        cast('total' as {{ dbt.type_string() }}) as dimension,
        cast('all' as {{ dbt.type_string() }}) as dimension_value,
        total_rows.found_rows,
        month_count.months as expected_rows
    from total_rows
    cross join month_count
    where total_rows.found_rows <> month_count.months or total_rows.rows_with_model > 0
),

attributed_rows as (
    select
        kpi,
        dimension,
        dimension_value,
        count(*) as found_rows,
        count(distinct attribution_model) as models,
        count(distinct month) as months
    from kpis
    where
        kpi in ('attributed_revenue', 'roas', 'poas', 'romi')
        and dimension in ('channel', 'campaign')
    group by kpi, dimension, dimension_value
),

attributed_problems as (
    select
        attributed_rows.kpi,
        attributed_rows.dimension,
        attributed_rows.dimension_value,
        attributed_rows.found_rows,
        month_count.months * {{ attribution_models() | length }} as expected_rows
    from attributed_rows
    cross join month_count
    where
        attributed_rows.found_rows <> month_count.months * {{ attribution_models() | length }}
        or attributed_rows.models <> {{ attribution_models() | length }}
        or attributed_rows.months <> month_count.months
),

missing_kpis as (
    select
        expected_channel_kpis.kpi,
        cast('channel' as {{ dbt.type_string() }}) as dimension,
        cast(null as {{ dbt.type_string() }}) as dimension_value,
        0 as found_rows,
        cast(null as {{ dbt.type_bigint() }}) as expected_rows
    from expected_channel_kpis
    where
        not exists (
            select 1 from kpis
            where kpis.kpi = expected_channel_kpis.kpi and kpis.dimension = 'channel'
        )
        and exists (select 1 from conversions)
)

select * from total_problems
union all
select * from attributed_problems
union all
select * from missing_kpis
