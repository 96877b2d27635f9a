{#- Building blocks shared by the eight base models in staging/marketing/base. -#}

{# The raw row as JSON text, for the rejects model: what arrived, column by column. #}
{% macro raw_row_json(columns) -%}
    {{ return(adapter.dispatch('raw_row_json', 'marketing_kpis')(columns)) }}
{%- endmacro %}

{% macro default__raw_row_json(columns) -%}
    cast(json_build_object(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__raw_row_json(columns) -%}
    cast(json_object(
        {%- for column in columns %}
        '{{ column }}', {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    ) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Spark: a struct as JSON, NULL values kept as `null` as on the other adapters. -#}
{% macro spark__raw_row_json(columns) -%}
    to_json(
        named_struct(
            {%- for column in columns %}
            '{{ column }}', {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}

{#
    The first CTEs of every base model, ending in `keyed`: the raw table as trimmed text (empty =
    NULL; `hashed_columns` hashed at once and email-shaped values in every other column masked,
    macros/staging/privacy.sql, so no address reaches a relation, a key or a reject), each row's
    copy number among identical rows (1 = kept; > 1 = an exact duplicate collapsed into it) and
    the number of distinct rows sharing its key (more than one is a `duplicate_key`; tables
    without a key get 1).

    `window_column` (a column or a list of them; a table with one key column; incremental models):
    on an incremental run only the raw rows that share a key with a row dated in the re-read
    window by one of those columns (or whose first one is missing or unreadable), plus every row
    without a key, go on; a key's rows always travel together, so
    copies and `duplicate_key` conflicts come out as in a full build (macros/incremental).
    `extra_keys` (SQL of a query with one column `window_key`): more keys an incremental run
    re-reads whatever their dates, e.g. touchpoints whose lead changed status since they were
    stored.
#}
{% macro raw_rows_keyed(
    table_name, columns, key_columns, hashed_columns=[], window_column=none, extra_keys=none
) -%}
{#- the window look-up reads the raw files as stored: only when `files` is the table's one input #}
{%- set windowed = window_column and is_incremental() and raw_inputs_for(table_name) == ['files'] %}
source as (
    {{ raw_input_rows(table_name, columns) }}
),

{%- if windowed %}
{%- if key_columns | length != 1 %}
    {{ exceptions.raise_compiler_error("raw_rows_keyed: window_column needs exactly one key column") }}
{%- endif %}
{%- set key = clean_text(key_columns[0]) %}
{#- read as stored: a typed timestamp stays one; text that the cheap cast cannot read is NULL,
    so its row is re-read anyway. A row is in the window when its first window column is missing,
    unreadable or in the window, or any other window column is unreadable or in the window. #}
{%- set window_columns = [window_column] if window_column is string else window_column %}
{%- set window_start = incremental_window_start(this, window_columns[0]) %}

-- incremental: the keys of the raw rows dated in the re-read window (or not readably dated),
-- found on the key and time columns, then every raw row of those keys and every row without one
window_keys as (
    select distinct {{ key }} as window_key
    from {{ raw_as_stored(table_name) }}
    where
        {{ key }} is not null
        and (
            {{ window_timestamp(window_columns[0]) }} is null
            {%- for column in window_columns %}
            {%- if not loop.first %}
            or ({{ column }} is not null and {{ window_timestamp(column) }} is null)
            {%- endif %}
            or {{ window_timestamp(column) }} >= {{ window_start }}
            {%- endfor %}
        )
    {%- if extra_keys %}

    union

    select extra_keys.window_key
    from ({{ extra_keys }}) as extra_keys
    {%- endif %}
),

batch_source as (
    select *
    from source
    where
        {{ key }} is null
        or {{ key }} in (select window_keys.window_key from window_keys)
),
{%- endif %}

raw_text as (
    select
        {%- for column in columns %}
        {%- if column in hashed_columns %}
        {{ hashed_email(clean_text(column)) }} as {{ column }},
        {%- elif column.endswith('_id') %}
        {{ mask_emails(clean_id(column)) }} as {{ column }},
        {%- else %}
        {{ mask_emails(clean_text(column)) }} as {{ column }},
        {%- endif %}
        {%- endfor %}
        {{ strip_emails('mkpi_malformed_row') }} as mkpi_malformed_row,
        is_file_row
    from {{ 'batch_source' if windowed else 'source' }}
),

{%- if key_columns %}
-- only rows whose key occurs more than once can be copies or conflicts: the full-row comparison
-- runs on those few rows instead of the whole table
rows_per_key as (
    select
        *,
        count(*) over (partition by {{ key_columns | join(', ') }}) as rows_with_key
    from raw_text
),

repeated_keys as (
    select
        *,
        row_number() over (
            partition by {{ columns | join(', ') }}, mkpi_malformed_row
            order by {{ columns | join(', ') }}, mkpi_malformed_row
        ) as copy_number
    from rows_per_key
    where rows_with_key > 1
),

keyed as (
    select
        {{ columns | join(', ') }},
        mkpi_malformed_row,
        is_file_row,
        1 as copy_number,
        1 as distinct_rows_with_key
    from rows_per_key
    where rows_with_key = 1

    union all

    select
        {{ columns | join(', ') }},
        mkpi_malformed_row,
        is_file_row,
        copy_number,
        sum(case when copy_number = 1 then 1 else 0 end) over (
            partition by {{ key_columns | join(', ') }}
        ) as distinct_rows_with_key
    from repeated_keys
)
{%- else %}
keyed as (
    select
        *,
        row_number() over (
            partition by {{ columns | join(', ') }}, mkpi_malformed_row
            order by {{ columns | join(', ') }}, mkpi_malformed_row
        ) as copy_number,
        1 as distinct_rows_with_key
    from raw_text
)
{%- endif %}
{%- endmacro %}

{#-
    Left joins that classify a raw channel string, in the contract's order: the seed
    `channel_mapping` exactly, then trimmed and case-insensitive (or a canonical channel name), then
    the rules (`rules_relation`: a CTE of lookup_key -> channel for the model's distinct values,
    made by channel_rules_for()).
-#}
{% macro channel_lookup_joins(raw_channel, rules_relation, prefix='channel') -%}
    left join {{ ref('stg_seeds__channel_lookup') }} as {{ prefix }}_exact
        on
            {{ prefix }}_exact.match_type = 'exact'
            and {{ prefix }}_exact.lookup_key = {{ raw_channel }}
    left join {{ ref('stg_seeds__channel_lookup') }} as {{ prefix }}_normalized
        on
            {{ prefix }}_normalized.match_type = 'normalized'
            and {{ prefix }}_normalized.lookup_key = lower({{ raw_channel }})
    left join {{ rules_relation }} as {{ prefix }}_rule
        on {{ prefix }}_rule.lookup_key = lower(trim({{ raw_channel }}))
{%- endmacro %}

{#-
    CTEs ending in `output_cte` (lookup_key, channel): the rules' verdict on every distinct value of
    `column` in `source_cte`, lower-cased and trimmed (macros/staging/channel_rules.sql). Distinct
    values, not rows, go through the rules, so their pattern matching stays off the large tables.
-#}
{% macro channel_rules_for(source_cte, column, output_cte='channel_rules') -%}
{{ output_cte }}_values as (
    select distinct lower(trim({{ column }})) as lookup_key
    from {{ source_cte }}
    where {{ column }} is not null
),

{{ channel_rule_ctes(output_cte ~ '_values', output_cte) }}
{%- endmacro %}

{% macro mapped_channel(prefix='channel') -%}
    coalesce({{ prefix }}_exact.channel, {{ prefix }}_normalized.channel, {{ prefix }}_rule.channel, 'other')
{%- endmacro %}

{% macro is_channel_mapped(prefix='channel') -%}
    (
        {{ prefix }}_exact.channel is not null
        or {{ prefix }}_normalized.channel is not null
        or {{ prefix }}_rule.channel is not null
    )
{%- endmacro %}

{# The month's rate to the reporting currency: 1 for the reporting currency, else the seed's. #}
{% macro fx_rate_join(currency, on_date) -%}
    left join {{ ref('stg_seeds__fx_rates') }} as fx
        on
            fx.currency = {{ currency }}
            and fx.rate_month = cast({{ dbt.date_trunc('month', on_date) }} as date)
{%- endmacro %}

{% macro fx_rate(currency) -%}
    case
        when {{ currency }} = '{{ var("reporting_currency", "EUR") | upper }}' then 1
        else fx.rate_to_reporting
    end
{%- endmacro %}

{#-
    The raw row as a reject keeps it: a malformed file row as its line (mkpi_malformed_row: JSON
    of line number and text), any other row as JSON of its columns.
-#}
{% macro rejected_raw_row(columns) -%}
    case
        when reject_reason = 'malformed_row' then mkpi_malformed_row
        when reject_reason is not null then {{ raw_row_json(columns) }}
    end
{%- endmacro %}

{# `raw` held a value that its parser could not read. #}
{% macro is_unreadable(raw, parsed) -%}
    ({{ raw }} is not null and {{ parsed }} is null)
{%- endmacro %}
