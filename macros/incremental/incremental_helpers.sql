{#-
    Incremental builds (DECISIONS.md D16). Raw files carry no load time, so a run re-reads a
    window of event time: every raw touchpoint whose `occurred_at` is at or after
    max(stored occurred_at) - var incremental_lookback_days - 1 day (the extra day absorbs UTC
    offsets), every touchpoint whose time is missing or unreadable, and every row sharing a key
    with those. Rows are stamped with the run's start (`batch_loaded_at`); the row-level
    attribution models then rebuild exactly the journeys (leads and anonymous visitors) that the
    newest batch or a recent CRM change touched (`int_journeys_changed`). Changes to older rows
    need `dbt build --full-refresh`; the raw-row reconciliation test fails when rows were missed.
-#}

{#- var incremental_lookback_days, checked: a whole number of days, 0 or more. -#}
{% macro incremental_lookback_days() -%}
    {%- set days = var('incremental_lookback_days', 3) -%}
    {%- if days is not number or days < 0 or days != days | int -%}
        {{ exceptions.raise_compiler_error(
            "var incremental_lookback_days must be a whole number of days (0 or more), got '" ~ days ~ "'"
        ) }}
    {%- endif -%}
    {{ return(days | int) }}
{%- endmacro %}

{#-
    The start of the re-read window: a scalar subquery over a relation's timestamp column, on its
    clean rows (a rejected row's time, 9999-12-31 say, must not move the window past the data).
-#}
{% macro incremental_window_start(relation, timestamp_column) -%}
    (
        select
            coalesce(
                {{ dbt.dateadd('day', -(incremental_lookback_days() + 1), 'max(' ~ timestamp_column ~ ')') }},
                cast('1900-01-01' as {{ dbt.type_timestamp() }})
            )
        from {{ relation }}
        where reject_reason is null
    )
{%- endmacro %}

{#- When this run started, as a timestamp literal: the `batch_loaded_at` of the rows it writes. -#}
{% macro batch_loaded_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#-
    A cheap reading of raw timestamp text, used only to choose the rows to re-read: NULL where it
    cannot read the text (such rows are always re-read). DuckDB's own cast is several times faster
    than the regex-checked parser; elsewhere the parser itself is used.
-#}
{% macro window_timestamp(expression) -%}
    {{ return(adapter.dispatch('window_timestamp', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__window_timestamp(expression) -%}
    {{ parse_timestamp(expression) }}
{%- endmacro %}

{% macro duckdb__window_timestamp(expression) -%}
    try_cast({{ expression }} as timestamp)
{%- endmacro %}

{#-
    The raw table as stored, for the incremental window look-up: on DuckDB the file itself
    (Parquet keeps its types, so finding the window's keys reads two typed columns instead of
    casting every value to text and back); elsewhere the raw table.
-#}
{% macro raw_as_stored(table_name) -%}
    {{ return(adapter.dispatch('raw_as_stored', 'marketing_kpis')(table_name)) }}
{%- endmacro %}

{% macro default__raw_as_stored(table_name) -%}
    {{ source('marketing', table_name) }}
{%- endmacro %}

{% macro duckdb__raw_as_stored(table_name) -%}
    {%- set relation = source('marketing', table_name) -%}
    {{ relation.incorporate(path={'identifier': relation.identifier ~ '__as_stored'}) }}
{%- endmacro %}

{#-
    The materialization of the incremental models: `incremental` (delete the changed journeys'
    rows, then append), except on Spark, whose Parquet tables have no DELETE: there they are
    tables, rebuilt in full on every run (DECISIONS.md D28).
-#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'marketing_kpis')()) }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- The leads / visitors whose journeys this run rebuilds, as a subquery for `in (...)`. -#}
{% macro changed_journeys(journey_type) -%}
    {%- if journey_type not in ['lead', 'visitor'] -%}
        {{ exceptions.raise_compiler_error("changed_journeys: journey_type must be lead or visitor") }}
    {%- endif -%}
    (
        select {{ journey_type }}_id
        from {{ ref('int_journeys_changed') }}
        where journey_type = '{{ journey_type }}'
    )
{%- endmacro %}

{#-
    pre_hook of the incremental base models: rows without a key cannot be matched by
    `delete+insert`, and every one of them is re-read each run, so the stored ones go first.
-#}
{% macro delete_rows_without_key(key_column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ key_column }} is null
    {%- endif -%}
{%- endmacro %}

{#-
    pre_hook of the incremental attribution tables: before the run's rows are appended, delete the
    stored rows of every journey being rebuilt (and `extra_condition`, e.g. all Markov rows).
-#}
{% macro delete_changed_journeys(lead_column='lead_id', visitor_column=none, extra_condition=none) -%}
    {%- if is_incremental() -%}
        {%- set conditions = [] -%}
        {%- if lead_column -%}
            {%- do conditions.append(lead_column ~ ' in ' ~ changed_journeys('lead')) -%}
        {%- endif -%}
        {%- if visitor_column -%}
            {%- do conditions.append(visitor_column ~ ' in ' ~ changed_journeys('visitor')) -%}
        {%- endif -%}
        {%- if extra_condition -%}
            {%- do conditions.append(extra_condition) -%}
        {%- endif -%}
        delete from {{ this }} where {{ conditions | join(' or ') }}
    {%- endif -%}
{%- endmacro %}
