{#-
    The one step from measures to KPI rows: every KPI of `family` in the catalog (except medians,
    which need the single events, not sums) as rows of the long format, read from the family's
    wide measures model.

        {{ kpi_rows('acquisition', 'measures') }}

    `measures` names a relation or CTE at the grain month x dimension x dimension_value
    (x attribution_model when `attribution_model` names that column), one column per measure,
    0 where a value had no activity in the month, and every month for every dimension value that
    has activity in any month. Per KPI, from the catalog:
      - inputs -> measure columns (`measures`, default the input's own name);
      - the formula (generated kpi_<name> macros, through kpi_columns);
      - the dimensions it has rows for;
      - the grid rule (`rows_when`): the total has a row in every month; another dimension value
        has rows when any of the listed measure columns adds up to more than 0 over all months
        (and all attribution models: a channel credited by one model has rows under every model).
    A new ratio KPI over existing measures is a catalog entry only.
-#}
{% macro kpi_rows(family, measures, attribution_model='null') -%}
    {%- set kpis = [] -%}
    {%- for entry in kpi_catalog() if entry.family == family and entry.kind != 'median' -%}
        {%- do kpis.append(entry) -%}
    {%- endfor -%}
    {%- if kpis | length == 0 -%}
        {{ exceptions.raise_compiler_error("kpi_rows('" ~ family ~ "'): the catalog has no such KPI family") }}
    {%- endif -%}
    {%- for entry in kpis %}
    select
        {{ kpi_long_columns(attribution_model=attribution_model) }}
    from (
        select
            month,
            dimension,
            dimension_value,
            {%- if attribution_model != 'null' %}
            {{ attribution_model }},
            {%- endif %}
            {{ kpi_columns(entry.name, entry.measures) }}
        from (
            select
                *,
                {{ kpi_has_activity(entry.name) }} as has_activity
            from {{ measures }}
        ) as measures_with_activity
        where
            dimension in ('{{ entry.dimensions | join("', '") }}')
            and (dimension = 'total' or has_activity)
    ) as kpi_measures
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#-
    The catalog's grid rule of one KPI as a window expression over a measures relation: true where
    the row's dimension value has activity for the KPI in any month (rows_when).
-#}
{% macro kpi_has_activity(kpi_name) -%}
    {%- set entry = kpi_meta(kpi_name) -%}
    (
    {%- for column in entry.rows_when %}
        sum({{ column }}) over (partition by dimension, dimension_value) > 0{% if not loop.last %} or{% endif %}
    {%- endfor %}
    )
{%- endmacro %}

{#-
    One KPI's value computed from the columns of a measures relation (catalog `measures`), for
    models that need a KPI as a column next to its measures (fct_mrr_monthly, the channel CAC of
    the retention measures): the same expression as the KPI's fct_kpis value.
-#}
{% macro kpi_value(kpi_name) -%}
    {%- set entry = kpi_meta(kpi_name) -%}
    {%- set arguments = [] -%}
    {%- for input in entry.inputs -%}
        {%- do arguments.append(entry.measures[input]) -%}
    {%- endfor -%}
    cast({{ context['kpi_' ~ kpi_name](*arguments) }} as {{ double_type() }})
{%- endmacro %}
