{#-
    on-run-start: make the raw tables of the selected inputs (var raw_inputs, macros/inputs)
    available and check them against their declarations before anything builds: the contract's
    tables (`marketing` source, _marketing__sources.yml) that `files` feeds, and the landed tables
    of every selected connector (models/staging/<input>/_<input>__sources.yml; a table or column
    with `meta.optional` may be absent).

    DuckDB: `<raw_data_dir>/<table>.parquet` if present, else `<table>.csv`, becomes the view
    `<raw_schema>.<table>` (with a connector selected, the contract's tables sit in
    `<raw_data_dir>/files/`); a connector's tables are `<raw_data_dir>/<input>/<table>` in the
    schema var `<input>_schema`. Every column is exposed as text, Parquet's types cast (typing
    happens in staging, so a bad value is a reject, not a failed build). `<table>__as_stored` is
    the file as stored (Parquet typed), read only to find an incremental run's rows
    (macros/incremental). Warehouses: the tables already sit in their schemas.
    A missing table or column stops the run with one line that names it (and the input).
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

{#- Contract tables to register: those `files` feeds, plus the optional lookups (campaign_mapping). -#}
{% macro files_tables_needed() %}
    {%- set selection = raw_inputs() -%}
    {%- set needed = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'marketing' -%}
        {%- if node.meta.get('optional') or 'files' in selection.get(node.name, []) -%}
            {%- do needed.append((node.name, node.meta.get('optional', false))) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(needed) }}
{% endmacro %}

{#- The enabled connector sources (a disabled input's source is not in the graph): [node, ...]. -#}
{% macro connector_source_tables() %}
    {%- set nodes = [] -%}
    {%- for node in graph.sources.values() if node.source_meta.get('input') -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {{ return(nodes | sort(attribute='unique_id')) }}
{% endmacro %}

{#- A connector table's missing required column stops the run with one line. -#}
{% macro check_landed_columns(node, found_columns, location) %}
    {%- set found = found_columns | map('lower') | list -%}
    {%- for column_name, column in node.columns.items() -%}
        {%- if column_name | lower not in found and not (column.meta or {}).get('optional') -%}
            {{ exceptions.raise_compiler_error(
                node.source_meta.input ~ ": table '" ~ node.name ~ "' is missing column '"
                ~ column_name ~ "' (in " ~ location ~ ")"
            ) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}

{% macro default__register_raw_tables() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- for table_name, optional in files_tables_needed() -%}
        {%- set found = table_columns(schema, table_name) -%}
        {%- if found | length == 0 and not optional -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' not found in schema '" ~ schema ~ "'"
            ) }}
        {%- endif -%}
        {%- if found | length > 0 -%}
            {{ check_raw_columns(table_name, found, schema ~ '.' ~ table_name) }}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in connector_source_tables() -%}
        {%- set found = table_columns(node.schema, node.identifier) -%}
        {%- if found | length == 0 and not node.meta.get('optional') -%}
            {{ exceptions.raise_compiler_error(
                node.source_meta.input ~ ": table '" ~ node.identifier ~ "' not found in schema '"
                ~ node.schema ~ "'"
            ) }}
        {%- endif -%}
        {%- if found | length > 0 -%}
            {{ check_landed_columns(node, found, node.schema ~ '.' ~ node.identifier) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(marketing_kpis.create_try_cast_functions()) }}
{% endmacro %}

{#- The columns of a warehouse table (none when it does not exist). -#}
{% macro table_columns(schema, table_name) %}
    {%- set columns_query -%}
        select column_name from information_schema.columns
        where table_schema = '{{ schema }}' and table_name = '{{ table_name }}'
    {%- endset -%}
    {{ return(run_query(columns_query).columns[0].values() | list) }}
{% endmacro %}

{#-
    DuckDB: one view `<schema>.<table>` over `<folder>/<table>.parquet`, else `.csv`, every column
    as text. Returns the file's location, or none when neither file exists.
-#}
{% macro register_file_view(schema, table_name, folder, as_stored=false) %}
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
        {{ return(none) }}
    {%- endif -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- do run_query(
        'create or replace view ' ~ schema ~ '.' ~ table_name ~ ' as select * from ' ~ reader
    ) -%}
    {%- if as_stored -%}
        {#- the file as stored (Parquet keeps its types), for incremental window look-ups -#}
        {%- set stored = "read_parquet('" ~ parquet ~ "')" if present[0] > 0 else reader -%}
        {%- do run_query(
            'create or replace view ' ~ schema ~ '.' ~ table_name ~ '__as_stored as select * from ' ~ stored
        ) -%}
    {%- endif -%}
    {{ return(location) }}
{% endmacro %}

{% macro duckdb__register_raw_tables() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- set folder = raw_data_dir() | replace("'", "''") -%}
    {#- with a connector selected, the contract's own tables sit in <raw_data_dir>/files/ -#}
    {%- set files_folder = folder ~ '/files' if any_connector_selected() else folder -%}
    {%- for table_name, optional in files_tables_needed() -%}
        {%- set location = register_file_view(schema, table_name, files_folder, as_stored=not optional) -%}
        {%- if location is none and not optional -%}
            {{ exceptions.raise_compiler_error(
                "raw table '" ~ table_name ~ "' not found: expected " ~ files_folder ~ '/'
                ~ table_name ~ ".csv or .parquet"
            ) }}
        {%- elif location is none -%}
            {%- do run_query('drop view if exists ' ~ schema ~ '.' ~ table_name) -%}
        {%- else -%}
            {%- set found = run_query('describe ' ~ schema ~ '.' ~ table_name).columns[0].values() -%}
            {{ check_raw_columns(table_name, found, location) }}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in connector_source_tables() -%}
        {%- set input_folder = folder ~ '/' ~ node.source_meta.input -%}
        {%- set location = register_file_view(node.schema, node.identifier, input_folder) -%}
        {%- if location is none and not node.meta.get('optional') -%}
            {{ exceptions.raise_compiler_error(
                node.source_meta.input ~ ": table '" ~ node.identifier ~ "' not found: expected "
                ~ input_folder ~ '/' ~ node.identifier ~ ".csv or .parquet"
            ) }}
        {%- elif location is none -%}
            {%- do run_query('drop view if exists ' ~ node.schema ~ '.' ~ node.identifier) -%}
        {%- else -%}
            {%- set found = run_query('describe ' ~ node.schema ~ '.' ~ node.identifier).columns[0].values() -%}
            {{ check_landed_columns(node, found, location) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{# The eight raw tables, in contract order (static, so models can loop over them at parse time). #}
{% macro raw_table_names() %}
    {{ return(['campaigns', 'costs', 'leads', 'touchpoints', 'deals', 'subscriptions', 'orders', 'keyword_rankings']) }}
{% endmacro %}
