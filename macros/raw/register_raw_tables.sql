{#-
    on-run-start: make the eight raw tables available and check them against the contract
    (the `marketing` source's columns in _marketing__sources.yml) before anything builds.

    DuckDB: `<raw_data_dir>/<table>.parquet` if present, else `<table>.csv`, becomes the view
    `<raw_schema>.<table>`; every column is exposed as text, Parquet's types cast (typing happens
    in staging, so a bad value is a reject, not a failed build). `<table>__as_stored` is the file
    as stored (Parquet typed), read only to find an incremental run's rows (macros/incremental). Warehouses: the tables already
    sit in `raw_schema`.
    A missing table or column stops the run with one line that names it.
-#}
{% macro register_raw_tables() %}
    {{ return(adapter.dispatch('register_raw_tables', 'marketing_kpis')()) }}
{% endmacro %}

{% macro raw_contract() %}
    {#- {table: [column, ...]} from the source definition: the contract's one home. -#}
    {%- set contract = {} -%}
    {%- for node in graph.sources.values() if node.source_name == 'marketing' -%}
        {%- do contract.update({node.name: node.columns.keys() | list}) -%}
    {%- endfor -%}
    {{ return(contract) }}
{% endmacro %}

{% macro raw_data_dir() %}
    {%- set configured = var('raw_data_dir', none) -%}
    {{ return(configured if configured else 'data/sample') }}
{% endmacro %}

{% macro check_raw_columns(table_name, found_columns, location) %}
    {%- set found = found_columns | map('lower') | list -%}
    {%- for column in raw_contract()[table_name] if column | lower not in found -%}
        {{ exceptions.raise_compiler_error(
            "raw table '" ~ table_name ~ "' is missing column '" ~ column ~ "' (in " ~ location ~ ")"
        ) }}
    {%- endfor -%}
{% endmacro %}

{% macro default__register_raw_tables() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- for table_name in raw_contract() -%}
        {%- set columns_query -%}
            select column_name from information_schema.columns
            where table_schema = '{{ schema }}' and table_name = '{{ table_name }}'
        {%- endset -%}
        {%- set found = run_query(columns_query).columns[0].values() | list -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' not found in schema '" ~ schema ~ "'"
            ) }}
        {%- endif -%}
        {{ check_raw_columns(table_name, found, schema ~ '.' ~ table_name) }}
    {%- endfor -%}
    {{ return(marketing_kpis.create_try_cast_functions()) }}
{% endmacro %}

{% macro duckdb__register_raw_tables() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- set folder = raw_data_dir() | replace("'", "''") -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- for table_name in raw_contract() -%}
        {%- set parquet = folder ~ '/' ~ table_name ~ '.parquet' -%}
        {%- set csv = folder ~ '/' ~ table_name ~ '.csv' -%}
        {%- set present = run_query(
            "select (select count(*) from glob('" ~ parquet ~ "')) as n_parquet,"
            ~ " (select count(*) from glob('" ~ csv ~ "')) as n_csv"
        ).rows[0] -%}
        {%- if present[0] > 0 -%}
            {%- set location = parquet -%}
            {#- Parquet arrives typed; cast to text so both file kinds reach staging alike -#}
            {%- set reader = "(select columns(*)::varchar from read_parquet('" ~ parquet ~ "'))" -%}
        {%- elif present[1] > 0 -%}
            {%- set location = csv -%}
            {%- set reader = "read_csv('" ~ csv ~ "', header = true, all_varchar = true)" -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' not found: expected " ~ csv ~ " or .parquet"
            ) }}
        {%- endif -%}
        {%- do run_query(
            'create or replace view ' ~ schema ~ '.' ~ table_name ~ ' as select * from ' ~ reader
        ) -%}
        {#- the file as stored (Parquet keeps its types), for incremental window look-ups -#}
        {%- set stored = "read_parquet('" ~ parquet ~ "')" if present[0] > 0 else reader -%}
        {%- do run_query(
            'create or replace view ' ~ schema ~ '.' ~ table_name ~ '__as_stored as select * from ' ~ stored
        ) -%}
        {%- set found = run_query('describe ' ~ schema ~ '.' ~ table_name).columns[0].values() -%}
        {{ check_raw_columns(table_name, found, location) }}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{# The eight raw tables, in contract order (static, so models can loop over them at parse time). #}
{% macro raw_table_names() %}
    {{ return(['campaigns', 'costs', 'leads', 'touchpoints', 'deals', 'subscriptions', 'orders', 'keyword_rankings']) }}
{% endmacro %}
