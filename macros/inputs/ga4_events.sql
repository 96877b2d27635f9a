{#-
    The GA4 BigQuery export on DuckDB (docs/connectors.md, "GA4 on DuckDB"): the nested export,
    one row per event with `event_params` a list of (key, value) structs and the session's
    attribution in `session_traffic_source_last_click`, flattened to the columns of the flat
    table `events_flat` (_ga4__sources.yml) so everything downstream reads one shape.
-#}

{#- The export's fields the flat table needs; the first five must be there. -#}
{% macro ga4_required_fields() %}
    {{ return(['event_date', 'event_timestamp', 'event_name', 'user_pseudo_id', 'event_params']) }}
{% endmacro %}

{#- flat column -> (event_params key, value field read first; the other one when it is NULL) -#}
{% macro ga4_event_params() %}
    {{ return({
        'ga_session_id': ('ga_session_id', 'int_value'),
        'page_location': ('page_location', 'string_value'),
        'engagement_time_msec': ('engagement_time_msec', 'int_value'),
        'param_source': ('source', 'string_value'),
        'param_medium': ('medium', 'string_value'),
        'param_campaign': ('campaign', 'string_value'),
        'param_campaign_id': ('campaign_id', 'string_value'),
    }) }}
{% endmacro %}

{#- flat column -> path in session_traffic_source_last_click -#}
{% macro ga4_session_traffic_fields() %}
    {{ return({
        'session_manual_source': 'manual_campaign.source',
        'session_manual_medium': 'manual_campaign.medium',
        'session_manual_campaign_id': 'manual_campaign.campaign_id',
        'session_manual_campaign_name': 'manual_campaign.campaign_name',
        'session_cross_channel_source': 'cross_channel_campaign.source',
        'session_cross_channel_medium': 'cross_channel_campaign.medium',
        'session_google_ads_campaign_id': 'google_ads_campaign.campaign_id',
    }) }}
{% endmacro %}

{#-
    The types the nested fields are read as. A struct is cast by field name, so a field the file
    lacks (an older export) is NULL and fields the project does not read are dropped; int_value is
    read as text, which also takes a JSON export's integers written as strings.
-#}
{% macro ga4_event_params_type() -%}
    struct(key varchar, value struct(string_value varchar, int_value varchar))[]
{%- endmacro %}

{% macro ga4_session_traffic_type() -%}
    struct(
        manual_campaign struct(campaign_id varchar, campaign_name varchar, source varchar, medium varchar),
        google_ads_campaign struct(campaign_id varchar),
        cross_channel_campaign struct(source varchar, medium varchar)
    )
{%- endmacro %}

{#-
    on-run-start, DuckDB: when `<input_folder>/events.parquet`, a folder `events/` of Parquet files
    or `events.jsonl` exists (first found wins), the view `<schema>.<identifier>` (the source table
    `events_flat`) becomes the flattening select over it. Returns the file's location, or none
    when there is no nested export (the flat table is then read as any landed table). A missing
    required field stops the run with one line naming the input, the table and the field.
-#}
{% macro register_ga4_nested_events(schema, identifier, input_folder) %}
    {%- set base = input_folder ~ '/events' -%}
    {%- set present = run_query(
        "select (select count(*) from glob('" ~ base ~ ".parquet')),"
        ~ " (select count(*) from glob('" ~ base ~ "/*.parquet')),"
        ~ " (select count(*) from glob('" ~ base ~ ".jsonl'))"
    ).rows[0] -%}
    {%- if present[0] > 0 -%}
        {%- set location = base ~ '.parquet' -%}
        {%- set reader = "read_parquet('" ~ location ~ "')" -%}
    {%- elif present[1] > 0 -%}
        {%- set location = base ~ '/*.parquet' -%}
        {%- set reader = "read_parquet('" ~ location ~ "', union_by_name = true)" -%}
    {%- elif present[2] > 0 -%}
        {%- set location = base ~ '.jsonl' -%}
        {%- set reader = "read_json('" ~ location ~ "', format = 'newline_delimited')" -%}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set described = run_query('describe select * from ' ~ reader) -%}
    {%- set found = described.columns[0].values() | map('lower') | list -%}
    {%- set types = dict(zip(found, described.columns[1].values() | map('lower') | list)) -%}
    {%- for field in ga4_required_fields() if field not in found -%}
        {{ exceptions.raise_compiler_error(
            "ga4: table 'events' is missing column '" ~ field ~ "' (in " ~ location ~ ")"
        ) }}
    {%- endfor -%}
    {%- if present[0] == 0 and present[1] == 0 -%}
        {#- JSON: every field read with its type (no sampling); fields a row omits are NULL -#}
        {%- set reader -%}
            read_json('{{ location }}', format = 'newline_delimited', columns = {
                'event_date': 'varchar', 'event_timestamp': 'varchar', 'event_name': 'varchar',
                'user_pseudo_id': 'varchar', 'user_id': 'varchar',
                'event_params': '{{ ga4_event_params_type() | replace("\n", " ") }}',
                'session_traffic_source_last_click': '{{ ga4_session_traffic_type() | replace("\n", " ") }}'
            })
        {%- endset -%}
        {%- set found = found + ['user_id', 'session_traffic_source_last_click'] -%}
        {%- set types = {'event_params': ga4_event_params_type()} -%}
    {%- endif -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- do run_query(
        'create or replace view ' ~ schema ~ '.' ~ identifier ~ ' as '
        ~ ga4_flatten_select(reader, found, types)
    ) -%}
    {{ return(location) }}
{% endmacro %}

{#-
    The flattening select over `reader` (a table function), `found` its top-level fields and
    `types` their types. event_params is cast only when its values lack string_value or
    int_value (the export's own type has both, and rebuilding every list costs seconds).
-#}
{% macro ga4_flatten_select(reader, found, types={}) -%}
    {%- set params_type = types.get('event_params', '') -%}
    {%- set cast_params = 'string_value' not in params_type or 'int_value' not in params_type -%}
    {%- set has_traffic = 'session_traffic_source_last_click' in found -%}
    select
        cast(event_date as varchar) as event_date,
        cast(event_timestamp as varchar) as event_timestamp,
        cast(event_name as varchar) as event_name,
        cast(user_pseudo_id as varchar) as user_pseudo_id,
        {{ 'cast(user_id as varchar)' if 'user_id' in found else 'cast(null as varchar)' }} as user_id,
        {%- for column, (key, first_field) in ga4_event_params().items() %}
        {%- set other_field = 'string_value' if first_field == 'int_value' else 'int_value' %}
        {#- the first param with the key (an index of NULL, for a missing key, is NULL) #}
        coalesce(
            cast(event_params[list_position(param_keys, '{{ key }}')].value.{{ first_field }} as varchar),
            cast(event_params[list_position(param_keys, '{{ key }}')].value.{{ other_field }} as varchar)
        ) as {{ column }},
        {%- endfor %}
        {%- for column, path in ga4_session_traffic_fields().items() %}
        {{ 'traffic.' ~ path if has_traffic else 'cast(null as varchar)' }} as {{ column }},
        {%- endfor %}
        cast(null as varchar) as mkpi_malformed_row
    from (
        select
            event_date,
            event_timestamp,
            event_name,
            user_pseudo_id,
            {%- if 'user_id' in found %}
            user_id,
            {%- endif %}
            {%- if cast_params %}
            cast(event_params as {{ ga4_event_params_type() }}) as event_params,
            {%- else %}
            event_params,
            {%- endif %}
            list_transform(event_params, lambda p: p.key) as param_keys,
            {%- if has_traffic %}
            cast(session_traffic_source_last_click as {{ ga4_session_traffic_type() }}) as traffic,
            {%- endif %}
        from {{ reader }}
    ) as export
{%- endmacro %}

{#- A UTC timestamp, exact to the microsecond, from microseconds since the epoch (a bigint). -#}
{% macro timestamp_from_epoch_micros(expression) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_micros', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_micros(expression) -%}
    (timestamp '1970-01-01 00:00:00' + {{ expression }} * interval '1 microsecond')
{%- endmacro %}

{% macro duckdb__timestamp_from_epoch_micros(expression) -%}
    make_timestamp({{ expression }})
{%- endmacro %}

{% macro spark__timestamp_from_epoch_micros(expression) -%}
    timestamp_micros({{ expression }})
{%- endmacro %}

{#-
    One value per row standing for all of `columns` (equal rows, equal values; NULL and '' differ):
    exact copies of a GA4 event are folded by it. DuckDB: its 64-bit row hash; elsewhere md5 of
    the row's text.
-#}
{% macro ga4_row_hash(columns) -%}
    {{ return(adapter.dispatch('ga4_row_hash', 'marketing_kpis')(columns)) }}
{%- endmacro %}

{% macro default__ga4_row_hash(columns) -%}
    md5(cast(row({{ columns | join(', ') }}) as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro duckdb__ga4_row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- Spark: a 64-bit hash of the row as a JSON array (its own hash skips NULLs, so it could not
    tell NULL from an absent value or two NULLs in different columns apart). -#}
{% macro spark__ga4_row_hash(columns) -%}
    xxhash64(to_json(array(
        {%- for column in columns %}cast({{ column }} as {{ dbt.type_string() }}){{ ', ' if not loop.last }}{% endfor -%}
    )))
{%- endmacro %}

{#-
    Aggregate: `value` on the group's earliest row by `order_column` (a number) among the rows
    where `value` is not NULL; NULL when there is none. Rows of equal order: any of their values.
-#}
{% macro ga4_earliest_value(value, order_column='event_order') -%}
    {{ return(adapter.dispatch('ga4_earliest_value', 'marketing_kpis')(value, order_column)) }}
{%- endmacro %}

{% macro default__ga4_earliest_value(value, order_column) -%}
    (array_agg({{ value }} order by {{ order_column }}) filter (where {{ value }} is not null))[1]
{%- endmacro %}

{% macro duckdb__ga4_earliest_value(value, order_column) -%}
    arg_min({{ value }}, {{ order_column }}) filter (where {{ value }} is not null)
{%- endmacro %}

{% macro spark__ga4_earliest_value(value, order_column) -%}
    min_by({{ value }}, {{ order_column }}) filter (where {{ value }} is not null)
{%- endmacro %}

{#-
    Aggregate: the sum of `value` over a session's distinct events (`event_hash` tells copies
    apart), NULL when no event has a value: exact copies of an event count once.
-#}
{% macro ga4_distinct_events_sum(value, event_hash) -%}
    {{ return(adapter.dispatch('ga4_distinct_events_sum', 'marketing_kpis')(value, event_hash)) }}
{%- endmacro %}

{% macro default__ga4_distinct_events_sum(value, event_hash) -%}
    (
        select sum(cast(split_part(event_value, '|', 2) as {{ dbt.type_bigint() }}))
        from unnest(
            array_agg(distinct cast({{ event_hash }} as {{ dbt.type_string() }}) || '|' || cast({{ value }} as {{ dbt.type_string() }}))
                filter (where {{ value }} is not null)
        ) as event_value
    )
{%- endmacro %}

{#- DuckDB: one sum over distinct numbers instead of a list of distinct pairs (about 6 s less on
    ten million events). Each event becomes hash x 2^40 + value: distinct events give distinct
    numbers (copies share hash and value), and the sum modulo 2^40 is the sum of the values,
    exact while a session's sum stays below 2^40 (milliseconds: 34 years). -#}
{% macro duckdb__ga4_distinct_events_sum(value, event_hash) -%}
    sum(distinct cast({{ event_hash }} as hugeint) * 1099511627776 + {{ value }}) % 1099511627776
{%- endmacro %}

{#- Spark: the set of distinct (event, value) pairs, added up. -#}
{% macro spark__ga4_distinct_events_sum(value, event_hash) -%}
    case
        when count({{ value }}) > 0
            then aggregate(
                collect_set(
                    case
                        when {{ value }} is not null
                            then named_struct('event_hash', {{ event_hash }}, 'value', cast({{ value }} as {{ dbt.type_bigint() }}))
                    end
                ),
                cast(0 as {{ dbt.type_bigint() }}),
                (total, event) -> total + event.value
            )
    end
{%- endmacro %}

{#-
    A landed integer (microseconds, session id, milliseconds) as a bigint, NULL when the text does
    not read as one. DuckDB: its own cast, several times faster than the regex-checked parser on
    ten million events (it also reads `1e3` and `1_000`); elsewhere parse_integer.
-#}
{% macro ga4_integer(expression) -%}
    {{ return(adapter.dispatch('ga4_integer', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__ga4_integer(expression) -%}
    {{ parse_integer(expression) }}
{%- endmacro %}

{% macro duckdb__ga4_integer(expression) -%}
    try_cast({{ expression }} as {{ dbt.type_bigint() }})
{%- endmacro %}
