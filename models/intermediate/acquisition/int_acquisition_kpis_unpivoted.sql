{#-
    The acquisition and funnel KPIs in the long format of fct_kpis: one row per KPI x month x
    dimension value. Every KPI but the median comes from kpi_rows, which reads the catalog
    (formula, measures, dimensions, grid rule) and the wide measures of
    int_acquisition_measures_by_dimension; this model adds the median days to customer, which
    needs the single customers rather than sums.
-#}

{#- the median's dimensions as a SQL list, e.g. ('total', 'channel') -#}
{%- set median_dimensions = "('" ~ kpi_meta('days_to_customer').dimensions | join("', '") ~ "')" -%}

with

measures as (
    select * from {{ ref('int_acquisition_measures_by_dimension') }}
),

funnel_events as (
    select * from {{ ref('int_funnel_events_unioned') }}
),

ratios_and_counts as (
    {{ kpi_rows('acquisition', 'measures') }}
),

customer_days as (
    select
        event_month as month,
        'total' as dimension,
        'all' as dimension_value,
        days_to_customer
    from funnel_events
    where funnel_stage = 'customer'

    union all

    select
        event_month as month,
        'channel' as dimension,
        channel as dimension_value,
        days_to_customer
    from funnel_events
    where funnel_stage = 'customer'

    union all

    select
        event_month as month,
        'campaign' as dimension,
        campaign_id as dimension_value,
        days_to_customer
    from funnel_events
    where funnel_stage = 'customer' and campaign_id is not null
),

-- the median's grid: the catalog's rows_when, as in kpi_rows
median_grid as (
    select
        month,
        dimension,
        dimension_value,
        {{ kpi_has_activity('days_to_customer') }} as has_activity
    from measures
    where dimension in {{ median_dimensions }}
),

days_to_customer as (
    select
        median_grid.month,
        median_grid.dimension,
        median_grid.dimension_value,
        {{ kpi_columns('days_to_customer', {'days_to_customer': 'customer_days.days_to_customer'}) }}
    from median_grid
    left join customer_days
        on
            median_grid.month = customer_days.month
            and median_grid.dimension = customer_days.dimension
            and median_grid.dimension_value = customer_days.dimension_value
    where median_grid.dimension = 'total' or median_grid.has_activity
    group by
        median_grid.month,
        median_grid.dimension,
        median_grid.dimension_value
),

final as (
    select * from ratios_and_counts

    union all

    select
        {{ kpi_long_columns(attribution_model='null') }}
    from days_to_customer
)

select * from final
