{#-
    The acquisition and funnel KPIs in the long format of fct_kpis: one row per KPI x month x
    dimension value. Values come from the catalog's generated formula macros (kpi_columns); this
    model only decides which rows exist and which measures feed each KPI.

    Rows: every month of int_months_spined x every dimension value with activity for the KPI in
    any month, i.e. a row in the KPI's input facts (numerator or denominator side), listed below as
    the measures whose all-time sum must be above 0. Total ('all') has a row in every month.
    Campaign rows leave out leads and costs without a campaign id; sales cost has no campaign
    dimension, so campaign CAC takes sales cost 0 (marketing cost only) and sales cost rows give
    a campaign no activity.
-#}

{%- set additive_measures = [
    'leads', 'mqls', 'sqls', 'new_customers',
    'cohort_leads_with_mql', 'cohort_leads_with_customer', 'cohort_mqls_with_sql', 'cohort_mqls_with_customer',
    'marketing_cost', 'media_cost', 'sales_cost',
    'marketing_cost_lines', 'media_cost_lines', 'sales_cost_lines',
] -%}

{#- kpi: (measures that give a dimension value activity, catalog input -> measure) -#}
{%- set additive_kpis = [
    ('leads', ['leads'], {'leads': 'leads'}),
    ('mqls', ['mqls'], {'mqls': 'mqls'}),
    ('sqls', ['sqls'], {'sqls': 'sqls'}),
    ('new_customers', ['new_customers'], {'new_customers': 'new_customers'}),
    ('marketing_cost', ['marketing_cost_lines'], {'marketing_cost': 'marketing_cost'}),
    ('media_cost', ['media_cost_lines'], {'media_cost': 'media_cost'}),
    ('sales_cost', ['sales_cost_lines'], {'sales_cost': 'sales_cost'}),
    ('cpl', ['marketing_cost_lines', 'leads'], {'marketing_cost': 'marketing_cost', 'leads': 'leads'}),
    ('cost_per_mql', ['marketing_cost_lines', 'mqls'], {'marketing_cost': 'marketing_cost', 'mqls': 'mqls'}),
    ('cac', ['marketing_cost_lines', 'sales_cost_lines', 'new_customers'],
        {'marketing_cost': 'marketing_cost', 'sales_cost': 'sales_cost', 'new_customers': 'new_customers'}),
    ('lead_to_mql_rate', ['leads'],
        {'cohort_leads': 'leads', 'cohort_leads_with_mql': 'cohort_leads_with_mql'}),
    ('mql_to_sql_rate', ['mqls'],
        {'cohort_mqls': 'mqls', 'cohort_mqls_with_sql': 'cohort_mqls_with_sql'}),
    ('mql_to_customer_rate', ['mqls'],
        {'cohort_mqls': 'mqls', 'cohort_mqls_with_customer': 'cohort_mqls_with_customer'}),
    ('lead_to_customer_rate', ['leads'],
        {'cohort_leads': 'leads', 'cohort_leads_with_customer': 'cohort_leads_with_customer'}),
] -%}

{#- dimension: the expression of its value in int_funnel_measures_aggregated / int_funnel_events_unioned -#}
{%- set dimension_columns = {'total': "'all'", 'channel': 'channel', 'campaign': 'campaign_id'} -%}

with

months as (
    select * from {{ ref('int_months_spined') }}
),

measures as (
    select * from {{ ref('int_funnel_measures_aggregated') }}
),

funnel_events as (
    select * from {{ ref('int_funnel_events_unioned') }}
),

{% for dimension, column in dimension_columns.items() %}
measures_by_{{ dimension }} as (
    select
        month,
        {{ column }} as dimension_value,
        {%- for measure in additive_measures %}
        {%- if dimension == 'campaign' and measure in ('sales_cost', 'sales_cost_lines') %}
        -- sales cost has no campaign dimension: campaign CAC is marketing cost only
        0 as {{ measure }}{{ ',' if not loop.last }}
        {%- else %}
        sum({{ measure }}) as {{ measure }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from measures
    {%- if dimension == 'campaign' %}
    where campaign_id is not null
    {%- endif %}
    group by
        month{% if dimension != 'total' %},
        {{ column }}{% endif %}
),

activity_by_{{ dimension }} as (
    {%- if dimension == 'total' %}
    -- the total has a row in every month, with or without activity
    select
        'all' as dimension_value,
        {%- for measure in additive_measures %}
        1 as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- else %}
    select
        dimension_value,
        {%- for measure in additive_measures %}
        sum(case when {{ measure }} <> 0 then 1 else 0 end) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from measures_by_{{ dimension }}
    group by dimension_value
    {%- endif %}
),

grid_by_{{ dimension }} as (
    select
        months.month,
        activity_by_{{ dimension }}.dimension_value,
        {%- for measure in additive_measures %}
        activity_by_{{ dimension }}.{{ measure }} as {{ measure }}_activity,
        coalesce(measures_by_{{ dimension }}.{{ measure }}, 0) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from months
    cross join activity_by_{{ dimension }}
    left join measures_by_{{ dimension }}
        on
            months.month = measures_by_{{ dimension }}.month
            and activity_by_{{ dimension }}.dimension_value = measures_by_{{ dimension }}.dimension_value
),

{% endfor %}

customers as (
    select * from funnel_events
    where stage = 'customer'
),

{%- set kpi_selects = [] %}
{%- for kpi, activity_measures, inputs in additive_kpis %}
{%- for dimension in kpi_meta(kpi).dimensions %}
{%- do kpi_selects.append((kpi, dimension)) %}
{% set cte_name = kpi ~ '_by_' ~ dimension %}
{{ cte_name }} as (
    select
        {{ kpi_columns(kpi, inputs) }},
        month,
        '{{ dimension }}' as dimension,
        dimension_value
    from grid_by_{{ dimension }}
    where
        {%- for measure in activity_measures %}
        {{ 'or ' if not loop.first }}{{ measure }}_activity > 0
        {%- endfor %}
),
{% endfor %}
{%- endfor %}

{%- for dimension in kpi_meta('days_to_customer').dimensions %}
{%- do kpi_selects.append(('days_to_customer', dimension)) %}

days_to_customer_values_by_{{ dimension }} as (
    {%- if dimension == 'total' %}
    -- the total has a row in every month, with or without customers
    select 'all' as dimension_value
    {%- else %}
    select distinct {{ dimension_columns[dimension] }} as dimension_value
    from customers
    where {{ dimension_columns[dimension] }} is not null
    {%- endif %}
),

days_to_customer_by_{{ dimension }} as (
    select
        {{ kpi_columns('days_to_customer', {'days_to_customer': 'customers.days_to_customer'}) }},
        months.month,
        '{{ dimension }}' as dimension,
        active_values.dimension_value
    from months
    cross join days_to_customer_values_by_{{ dimension }} as active_values
    left join customers
        on
            months.month = customers.event_month
            {%- if dimension != 'total' %}
            and active_values.dimension_value = customers.{{ dimension_columns[dimension] }}
            {%- endif %}
    group by
        months.month,
        active_values.dimension_value
),
{% endfor %}

stacked as (
    {%- for kpi, dimension in kpi_selects %}
    select * from {{ kpi }}_by_{{ dimension }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(kpi as {{ dbt.type_string() }}) as kpi,
        cast(month as date) as month,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(null as {{ dbt.type_string() }}) as attribution_model,
        numerator,
        denominator,
        value
    from stacked
)

select * from final
