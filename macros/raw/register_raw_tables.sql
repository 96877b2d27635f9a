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
    {%- do check_warehouse_raw_tables() -%}
    {{ return(marketing_kpis.create_try_cast_functions() if execute else '') }}
{% endmacro %}

{#- Warehouses: every needed raw table and column is there (one line naming what is not). -#}
{% macro check_warehouse_raw_tables() %}
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
    {{ return('') }}
{% endmacro %}

{#- Spark: the warehouse check alone (Spark has try_cast and raise_error of its own). -#}
{% macro spark__register_raw_tables() %}
    {%- do check_warehouse_raw_tables() -%}
    {{ return('') }}
{% endmacro %}

{#- The columns of a warehouse table, lower-cased (none when it does not exist): landed_columns
    of the relation, through dbt's adapter on every warehouse (Spark has no information_schema). -#}
{% macro table_columns(schema, table_name) %}
    {{ return(landed_columns(api.Relation.create(
        database=target.get('database'), schema=schema, identifier=table_name
    ))) }}
{% endmacro %}

{#-
    The CSV dialect raw files are read with (docs/raw-data.md, "File format"): always a header
    row, `"` as quote and as its own escape, every value as text, and the delimiter and encoding
    of vars `csv_delimiter` (default `,`) and `csv_encoding` (default `utf-8`; `latin-1` and
    `utf-16` are the others DuckDB reads without an extension). Nothing is sniffed, so a quote
    first used deep in a file reads like one in its first row. `mkpi load-postgres` reads files
    with the same dialect (src/mkpi/loader.py mirrors csv_dialect and csv_reader).
-#}
{% macro csv_dialect() %}
    {%- set delimiter = var('csv_delimiter', ',') | string -%}
    {%- set delimiter = '\t' if delimiter in ['\\t', 'tab'] else delimiter -%}
    {%- set encoding = var('csv_encoding', 'utf-8') | string | lower | replace('_', '-') -%}
    {%- set aliases = {'utf8': 'utf-8', 'latin1': 'latin-1', 'iso-8859-1': 'latin-1', 'utf16': 'utf-16'} -%}
    {%- set encoding = aliases.get(encoding, encoding) -%}
    {%- if delimiter | length != 1 or delimiter in ['"', '\n', '\r'] -%}
        {{ exceptions.raise_compiler_error(
            "var csv_delimiter must be one character other than a quote or a line break, got '"
            ~ delimiter ~ "'"
        ) }}
    {%- endif -%}
    {%- if encoding not in ['utf-8', 'latin-1', 'utf-16'] -%}
        {{ exceptions.raise_compiler_error(
            "var csv_encoding must be utf-8, latin-1 or utf-16, got '" ~ encoding
            ~ "' (save a Windows-1252 file as latin-1 only if it has no euro sign or curly quotes, else as UTF-8)"
        ) }}
    {%- endif -%}
    {{ return({'delimiter': delimiter, 'encoding': encoding}) }}
{% endmacro %}

{#- read_csv() of one file in the dialect; malformed rows (a wrong number of fields) skipped. -#}
{% macro csv_reader(csv, extra='') %}
    {%- set dialect = csv_dialect() -%}
    {{ return(
        "read_csv('" ~ csv ~ "', header = true, delim = '" ~ dialect.delimiter | replace("'", "''")
        ~ "', quote = '\"', escape = '\"', encoding = '" ~ dialect.encoding
        ~ "', all_varchar = true, ignore_errors = true" ~ extra ~ ")"
    ) }}
{% endmacro %}

{#-
    Latin-1 has no characters at bytes 0x80-0x9F (Windows-1252 puts the euro sign and curly quotes
    there), and DuckDB refuses such a file as a whole: find the first one, to name its line.
    Returns none or the 1-based line number.
-#}
{% macro first_non_latin1_line(csv) %}
    {%- set found = run_query(
        "select regexp_matches(h, '^(?:[0-9A-F]{2})*?[89][0-9A-F]'),"
        ~ " (length(pairs) - length(replace(pairs, ' 0A', ''))) // 3 + 1"
        ~ " from (select h, regexp_replace(regexp_extract(h, '^((?:[0-9A-F]{2})*?)[89][0-9A-F]', 1),"
        ~ " '([0-9A-F]{2})', ' \\1', 'g') as pairs"
        ~ " from (select hex(content) as h from read_blob('" ~ csv ~ "')))"
    ).rows[0] -%}
    {{ return(found[1] if found[0] else none) }}
{% endmacro %}

{#-
    Read one CSV file for a view: checks the encoding (one line naming file and line when a line is
    not valid in var csv_encoding) and collects its malformed rows (a wrong number of fields, an
    unterminated quote) into the table `<schema>.<table>__malformed` (mkpi_malformed_row: JSON of
    the line number and the line as {{ dbt.type_string() }}). `keep_malformed` false (connector files): a malformed
    row stops the run with one line instead. Returns the select the view is made of.
-#}
{% macro csv_view_select(schema, table_name, csv, label, keep_malformed) %}
    {%- set dialect = csv_dialect() -%}
    {%- if dialect.encoding == 'latin-1' -%}
        {%- set bad_line = first_non_latin1_line(csv) -%}
        {%- if bad_line is not none -%}
            {{ exceptions.raise_compiler_error(
                label ~ ": " ~ csv ~ " line " ~ bad_line ~ " is not valid latin-1 (a byte 0x80-0x9F,"
                ~ " e.g. a Windows-1252 euro sign): save the file as UTF-8 and set var csv_encoding: utf-8"
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- set malformed = schema ~ '.' ~ table_name ~ '__malformed' -%}
    {#- DuckDB's rejects tables, one pair per file and run (a name is never scanned into twice) -#}
    {%- set rejects = 'mkpi_rejects_' ~ invocation_id[:8] ~ '_' ~ schema ~ '_' ~ table_name -%}
    {%- set scan -%}
        {#- a table, so the scan runs to the end before its rejects are read; every column
            counted, so every value is read (and checked against the encoding) -#}
        create or replace temp table {{ rejects }}_rows as
        select count(columns(*)) from {{ csv_reader(csv, ", store_rejects = true, rejects_table = '" ~ rejects ~ "', rejects_scan = '" ~ rejects ~ "_scans'") }};
        {#- a scan without errors may leave no table -#}
        create temp table if not exists {{ rejects }} (line ubigint, error_type varchar, csv_line varchar);
        create or replace table {{ malformed }} as
        select
            line,
            min(cast(error_type as varchar)) as error_type,
            cast(json_object('line', line, 'text', min(csv_line)) as varchar) as mkpi_malformed_row
        from temp.{{ rejects }}
        group by line;
        select
            (select min(line) from {{ malformed }} where error_type = 'INVALID ENCODING'),
            (select min(line) from {{ malformed }} where error_type != 'INVALID ENCODING'),
            (select min(error_type) from {{ malformed }} where error_type != 'INVALID ENCODING')
    {%- endset -%}
    {%- set found = run_query(scan).rows[0] -%}
    {%- if found[0] is not none -%}
        {{ exceptions.raise_compiler_error(
            label ~ ": " ~ csv ~ " line " ~ found[0] ~ " is not valid " ~ dialect.encoding
            ~ " (set var csv_encoding: utf-8, latin-1 or utf-16)"
        ) }}
    {%- endif -%}
    {%- if found[1] is not none and not keep_malformed -%}
        {{ exceptions.raise_compiler_error(
            label ~ ": " ~ csv ~ " line " ~ found[1] ~ " is malformed (" ~ found[2] | lower
            ~ "; delimiter '" ~ dialect.delimiter ~ "', var csv_delimiter)"
        ) }}
    {%- endif -%}
    {{ return(
        "select *, cast(null as varchar) as mkpi_malformed_row from " ~ csv_reader(csv)
        ~ " union all by name select mkpi_malformed_row from " ~ malformed
    ) }}
{% endmacro %}

{#-
    DuckDB: one view `<schema>.<table>` over `<folder>/<table>.parquet`, else `.csv`, every column
    as text, plus `mkpi_malformed_row` (NULL, or a CSV row that could not be split into the
    header's fields: then every other column is NULL). A zero-byte CSV is an empty table with
    `columns`. Returns the file's location, or none when neither file exists.
-#}
{% macro register_file_view(schema, table_name, folder, columns, as_stored=false, label=none, keep_malformed=true) %}
    {%- set parquet = folder ~ '/' ~ table_name ~ '.parquet' -%}
    {%- set csv = folder ~ '/' ~ table_name ~ '.csv' -%}
    {%- set present = run_query(
        "select (select count(*) from glob('" ~ parquet ~ "')) as n_parquet,"
        ~ " (select count(*) from glob('" ~ csv ~ "')) as n_csv"
    ).rows[0] -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- if present[0] > 0 -%}
        {%- set location = parquet -%}
        {#- Parquet arrives typed; cast to text so both file kinds reach staging alike -#}
        {%- set reader = "(select columns(*)::varchar from read_parquet('" ~ parquet ~ "'))" -%}
        {%- set view_select = "select *, cast(null as varchar) as mkpi_malformed_row from " ~ reader -%}
    {%- elif present[1] > 0 -%}
        {%- set location = csv -%}
        {%- set size = run_query("select size from read_blob('" ~ csv ~ "')").rows[0][0] -%}
        {%- if size == 0 -%}
            {#- a zero-byte file: the table without rows -#}
            {%- set reader -%}
                (select {% for column in columns %}cast(null as varchar) as {{ column }}, {% endfor -%}
                cast(null as varchar) as mkpi_malformed_row where false)
            {%- endset -%}
            {%- set view_select = "select * from " ~ reader -%}
        {%- else -%}
            {%- set reader = csv_reader(csv) -%}
            {%- set view_select = csv_view_select(
                schema, table_name, csv, label or "raw table '" ~ table_name ~ "'", keep_malformed
            ) -%}
        {%- endif -%}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
    {#- the name quoted: Shopify's `order` is a reserved word -#}
    {%- do run_query('create or replace view ' ~ schema ~ '.' ~ adapter.quote(table_name) ~ ' as ' ~ view_select) -%}
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
        {%- set location = register_file_view(
            schema, table_name, files_folder, raw_contract()[table_name], as_stored=not optional
        ) -%}
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
        {%- set is_ga4_events = (node.source_meta.input, node.name) == ('ga4', 'events_flat') -%}
        {#- GA4: the nested export, flattened (macros/inputs/ga4_events.sql), wins over the flat table -#}
        {%- set location = register_ga4_nested_events(node.schema, node.identifier, input_folder)
            if is_ga4_events else none -%}
        {%- if location is none -%}
            {%- set location = register_file_view(
                node.schema, node.identifier, input_folder, node.columns.keys() | list,
                label=node.source_meta.input ~ ": table '" ~ node.identifier ~ "'", keep_malformed=false
            ) -%}
        {%- endif -%}
        {%- if location is none and not node.meta.get('optional') -%}
            {{ exceptions.raise_compiler_error(
                node.source_meta.input ~ ": table '" ~ node.identifier ~ "' not found: expected "
                ~ input_folder ~ '/' ~ node.identifier ~ ".csv or .parquet"
                ~ (", or the nested export events.parquet, events/*.parquet or events.jsonl" if is_ga4_events else "")
            ) }}
        {%- elif location is none -%}
            {%- do run_query('drop view if exists ' ~ node.schema ~ '.' ~ adapter.quote(node.identifier)) -%}
        {%- else -%}
            {%- set found = run_query('describe ' ~ node.schema ~ '.' ~ adapter.quote(node.identifier)).columns[0].values() -%}
            {{ check_landed_columns(node, found, location) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{# The eight raw tables, in contract order (static, so models can loop over them at parse time). #}
{% macro raw_table_names() %}
    {{ return(['campaigns', 'costs', 'leads', 'touchpoints', 'deals', 'subscriptions', 'orders', 'keyword_rankings']) }}
{% endmacro %}
