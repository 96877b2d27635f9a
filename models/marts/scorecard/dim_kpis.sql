{#-
    One row per KPI of the catalog (macros/generated/kpi_catalog.sql, generated from
    catalog/kpis.yml): what it is, how it is computed, which way is better, where it sits in the
    funnel and its health thresholds for var `business_model`. A threshold whose catalog value
    is a mapping by business model (roas: ecommerce 3, services 5) takes the var's entry. A company
    overrides thresholds with var `kpi_threshold_overrides`, e.g.
        {roas: {healthy: {op: gte, value: 4}, critical: {op: lt, value: 1.5}}}
    (a level set to none removes it).
-#}
{%- set business_model = var('business_model', 'services') -%}
{%- set overrides = var('kpi_threshold_overrides', {}) or {} -%}
{%- set operators = ['gt', 'gte', 'lt', 'lte'] -%}
{%- set catalog = kpi_catalog() -%}
{%- set catalog_names = catalog | map(attribute='name') | list -%}
{%- for name in overrides if name not in catalog_names -%}
    {{ exceptions.raise_compiler_error("var kpi_threshold_overrides: '" ~ name ~ "' is not a KPI of the catalog") }}
{%- endfor -%}

{#- Resolve every KPI's thresholds first; the CTE below only renders the rows. -#}
{%- set kpi_rows = [] -%}
{%- for entry in catalog -%}
    {%- set levels = {} -%}
    {%- for level in ['healthy', 'critical'] -%}
        {%- set threshold = overrides.get(entry.name, {}).get(level, entry[level]) -%}
        {%- if threshold is none -%}
            {%- do levels.update({level: (none, none)}) -%}
        {%- else -%}
            {%- if threshold.op not in operators -%}
                {{ exceptions.raise_compiler_error(
                    "KPI '" ~ entry.name ~ "' " ~ level ~ " threshold: operator '" ~ threshold.op
                    ~ "' is not one of " ~ operators | join(', ')) }}
            {%- endif -%}
            {%- set threshold_value = threshold.value -%}
            {%- if threshold_value is mapping -%}
                {%- if business_model not in threshold_value -%}
                    {{ exceptions.raise_compiler_error(
                        "KPI '" ~ entry.name ~ "' " ~ level ~ " threshold has no value for var business_model '"
                        ~ business_model ~ "' (it has: " ~ threshold_value.keys() | join(', ') ~ ")") }}
                {%- endif -%}
                {%- set threshold_value = threshold_value[business_model] -%}
            {%- endif -%}
            {%- do levels.update({level: (threshold.op, threshold_value)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do kpi_rows.append([
        ('kpi_order', loop.index, 'number'),
        ('kpi', entry.name, 'text'),
        ('label', entry.label, 'text'),
        ('family', entry.family, 'text'),
        ('kind', entry.kind, 'text'),
        ('unit', entry.unit, 'text'),
        ('direction', entry.direction, 'text'),
        ('funnel_tier', entry.funnel_tier, 'text'),
        ('formula', entry.formula, 'text'),
        ('dimensions', entry.dimensions | join(', '), 'text'),
        ('is_attributed', entry.attributed, 'boolean'),
        ('healthy_operator', levels.healthy[0], 'text'),
        ('healthy_threshold', levels.healthy[1], 'number'),
        ('critical_operator', levels.critical[0], 'text'),
        ('critical_threshold', levels.critical[1], 'number'),
        ('threshold_source',
            'var kpi_threshold_overrides' if entry.name in overrides else entry.threshold_source, 'text'),
    ]) -%}
{%- endfor %}

with

catalog_entries as (
    {% for kpi_row in kpi_rows %}
        select
        {% for column_name, content, content_type in kpi_row -%}
                {%- set literal = 'null' if content is none else "'" ~ (content | string | replace("'", "''")) ~ "'" -%}
                {%- if content_type == 'text' -%}
                    cast({{ literal }} as {{ dbt.type_string() }}) as {{ column_name }}
                {%- elif content_type == 'boolean' -%}
                    {{ 'true' if content else 'false' }} as {{ column_name }}
                {%- else -%}
                    {%- set number = 'null' if content is none else content | float -%}
                    cast({{ number }} as {{ double_type() }}) as {{ column_name }}
                {%- endif %}{{ ',' if not loop.last }}
        {% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        cast(kpi_order as integer) as kpi_order,
        kpi,
        label,
        family,
        kind,
        unit,
        direction,
        funnel_tier,
        formula,
        dimensions,
        is_attributed,
        healthy_operator,
        healthy_threshold,
        critical_operator,
        critical_threshold,
        healthy_operator is not null or critical_operator is not null as has_thresholds,
        cast('{{ business_model }}' as {{ dbt.type_string() }}) as business_model,
        threshold_source
    from catalog_entries
)

select * from final
