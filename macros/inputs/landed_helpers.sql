{#-
    Building blocks of the connector models (models/staging/<input>/): reading landed columns as
    text whatever their landed type, optional columns, ids, URL parameters, id lists, versions.
-#}

{#- The lower-cased column names of a landed relation (empty at parse time or when absent). -#}
{% macro landed_columns(relation) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set found = load_relation(relation) -%}
    {%- if found is none -%}{{ return([]) }}{%- endif -%}
    {{ return(adapter.get_columns_in_relation(found) | map(attribute='name') | map('lower') | list) }}
{% endmacro %}

{#- Whether an optional landed table exists (always true at parse time, so dependencies hold). -#}
{% macro landed_table_exists(relation) %}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {{ return(load_relation(relation) is not none) }}
{% endmacro %}

{#- A landed column as trimmed text (empty = NULL); NULL when an optional column is absent. -#}
{% macro landed_text(column, present_columns=none) -%}
    {%- if present_columns is not none and execute and column | lower not in present_columns -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ clean_text(column) }}
    {%- endif -%}
{%- endmacro %}

{#- A numeric id as plain-integer text: a landed `123.0` (ids typed as floats) becomes `123`. -#}
{% macro landed_id(column, present_columns=none) -%}
    {{ regex_replace_group(landed_text(column, present_columns), "'^([0-9]+)[.]0*$'", 1) }}
{%- endmacro %}

{#- A landed boolean as true / false, NULL when empty (or an absent optional column). -#}
{% macro landed_boolean(column, present_columns=none) -%}
    case
        when {{ landed_text(column, present_columns) }} is not null
            then {{ parse_boolean(landed_text(column, present_columns)) }}
    end
{%- endmacro %}

{#- A boolean flag as a rule reads it: true only for a true value; empty or unreadable is false. -#}
{% macro landed_flag(column, present_columns=none) -%}
    coalesce({{ parse_boolean(landed_text(column, present_columns)) }}, false)
{%- endmacro %}

{#-
    The value of URL parameter `name`: from after `<name>=` to the next `&` or `#`, first occurrence,
    `+` and `%20` read as a space (no other decoding), trimmed; NULL when absent or empty.
-#}
{% macro url_parameter(url, name) -%}
    nullif(
        trim(replace(replace({{ adapter.dispatch('url_parameter_raw', 'marketing_kpis')(url, name) }}, '+', ' '), '%20', ' ')),
        ''
    )
{%- endmacro %}

{% macro default__url_parameter_raw(url, name) -%}
    substring({{ url }} from '[?&]{{ name }}=([^&#]*)')
{%- endmacro %}

{% macro duckdb__url_parameter_raw(url, name) -%}
    regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1)
{%- endmacro %}

{% macro spark__url_parameter_raw(url, name) -%}
    regexp_extract({{ url }}, '[?&]{{ name }}=([^&#]*)', 1)
{%- endmacro %}

{#- One row per element of a delimited list, as a set-returning select expression. -#}
{% macro split_to_rows(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_to_rows', 'marketing_kpis')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_to_rows(expression, delimiter) -%}
    unnest(string_to_array({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro duckdb__split_to_rows(expression, delimiter) -%}
    unnest(string_split({{ expression }}, '{{ delimiter }}'))
{%- endmacro %}

{#- Spark's split takes a regex: the one-character delimiter as a character class. A generator,
    so the caller keeps it out of other expressions (Spark refuses `trim(explode(...))`). -#}
{% macro spark__split_to_rows(expression, delimiter) -%}
    explode(split({{ expression }}, '[{{ delimiter }}]'))
{%- endmacro %}

{#-
    The version number of a `*_history` row, 1 = current: `_fivetran_active` first where the table
    has it, then the latest `updated_column`, then the latest `_fivetran_synced`.
-#}
{% macro version_number(id_column, updated_column) -%}
    row_number() over (
        partition by {{ id_column }}
        order by
            is_fivetran_active desc,
            {{ updated_column }} desc nulls last,
            fivetran_synced_at desc nulls last
    )
{%- endmacro %}

{#- The Fivetran bookkeeping columns of a history table, typed (absent ones NULL / false). -#}
{% macro fivetran_version_columns(present_columns) -%}
    {{ landed_flag('_fivetran_active', present_columns) }} as is_fivetran_active,
    {{ parse_timestamp(landed_text('_fivetran_synced', present_columns)) }} as fivetran_synced_at
{%- endmacro %}

{#- A UTM value as campaign matching reads it: trimmed; empty and GA4's placeholders are NULL. -#}
{% macro utm_value(expression) -%}
    case
        when lower(trim({{ expression }})) not in (
            '', '(not set)', '(none)', '(direct)', '(organic)', '(referral)'
        ) then trim({{ expression }})
    end
{%- endmacro %}

{#-
    A landed table with exact copies folded: one row per distinct landed row (every landed column
    compared), `landed_copies` counting the copies. For stats tables, where a copy would otherwise
    be summed twice; the copies count as collapsed rows.
-#}
{% macro distinct_landed_rows(relation) -%}
    {%- set columns = landed_columns(relation) -%}
    {%- if columns | length == 0 -%}
    select
        *,
        1 as landed_copies
    from {{ relation }}
    {%- else -%}
    select
        {%- for column in columns %}
        {{ adapter.quote(column) }},
        {%- endfor %}
        count(*) as landed_copies
    from {{ relation }}
    group by
        {%- for column in columns %}
        {{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#-
    The order that picks one lead among several (a deal's contacts, a customer's email matches):
    the earliest created first, then the smallest id (numeric ids compare by number: shorter first).
-#}
{% macro earliest_lead_first(created_at, lead_id) -%}
    {{ created_at }}, length({{ lead_id }}), {{ lead_id }}
{%- endmacro %}
