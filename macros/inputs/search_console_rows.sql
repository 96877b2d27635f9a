{#-
    Search Console (docs/connectors.md section 8): the landed rows a staging model reads.
-#}

{#-
    The distinct rows of a landed table with `landed_copies` (distinct_landed_rows) when `is_read`,
    else no rows: `columns` as NULL text and landed_copies, so the staging model's select reads
    the same columns either way (a table that is not landed, or not the one read).
-#}
{% macro landed_rows_if_read(relation, is_read, columns) -%}
    {%- if is_read -%}
    {{ distinct_landed_rows(relation) }}
    {%- else -%}
    select
        {%- for column in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ adapter.quote(column) }},
        {%- endfor %}
        1 as landed_copies
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
