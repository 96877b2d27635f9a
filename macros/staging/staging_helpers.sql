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

{#
    The first CTEs of every base model, ending in `keyed`: the raw table as trimmed text (empty =
    NULL; `hashed_columns` hashed at once so the raw value never reaches a relation), each row's
    copy number among identical rows (1 = kept; > 1 = an exact duplicate collapsed into it) and
    the number of distinct rows sharing its key (more than one is a `duplicate_key`; tables
    without a key get 1).

    `window_column` (a table with one key column, incremental models): on an incremental run only
    the raw rows that share a key with a row whose `window_column` lies in the re-read window (or
    cannot be read), plus every row without a key, go on; a key's rows always travel together, so
    copies and `duplicate_key` conflicts come out as in a full build (macros/incremental).
#}
{% macro raw_rows_keyed(table_name, columns, key_columns, hashed_columns=[], window_column=none) -%}
source as (
    select * from {{ source('marketing', table_name) }}
),

raw_text as (
    select
        {%- for column in columns %}
        {%- if column in hashed_columns %}
        {{ dbt.hash("lower(" ~ clean_text(column) ~ ")") }} as {{ column }}{{ ',' if not loop.last }}
        {%- else %}
        {{ clean_text(column) }} as {{ column }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from source
),

{%- set rows_relation = 'raw_text' %}
{%- if window_column and is_incremental() %}
{%- if key_columns | length != 1 %}
    {{ exceptions.raise_compiler_error("raw_rows_keyed: window_column needs exactly one key column") }}
{%- endif %}
{%- set key = key_columns[0] %}
{%- set rows_relation = 'batch_rows' %}

window_keys as (
    select distinct {{ key }}
    from raw_text
    where
        {{ key }} is not null
        and (
            {{ window_timestamp(window_column) }} is null
            or {{ window_timestamp(window_column) }} >= {{ incremental_window_start(this, window_column) }}
        )
),

batch_rows as (
    select *
    from raw_text
    where
        {{ key }} is null
        or {{ key }} in (select window_keys.{{ key }} from window_keys)
),
{%- endif %}

{%- if key_columns %}
-- only rows whose key occurs more than once can be copies or conflicts: the full-row comparison
-- runs on those few rows instead of the whole table
rows_per_key as (
    select
        *,
        count(*) over (partition by {{ key_columns | join(', ') }}) as rows_with_key
    from {{ rows_relation }}
),

repeated_keys as (
    select
        *,
        row_number() over (
            partition by {{ columns | join(', ') }}
            order by {{ columns | join(', ') }}
        ) as copy_number
    from rows_per_key
    where rows_with_key > 1
),

keyed as (
    select
        {{ columns | join(', ') }},
        1 as copy_number,
        1 as distinct_rows_with_key
    from rows_per_key
    where rows_with_key = 1

    union all

    select
        {{ columns | join(', ') }},
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
            partition by {{ columns | join(', ') }}
            order by {{ columns | join(', ') }}
        ) as copy_number,
        1 as distinct_rows_with_key
    from {{ rows_relation }}
)
{%- endif %}
{%- endmacro %}

{# Left joins that map a raw channel string: exact first, then case-insensitive / canonical. #}
{% macro channel_lookup_joins(raw_channel, prefix='channel') -%}
    left join {{ ref('stg_seeds__channel_lookup') }} as {{ prefix }}_exact
        on
            {{ prefix }}_exact.match_type = 'exact'
            and {{ prefix }}_exact.lookup_key = {{ raw_channel }}
    left join {{ ref('stg_seeds__channel_lookup') }} as {{ prefix }}_normalized
        on
            {{ prefix }}_normalized.match_type = 'normalized'
            and {{ prefix }}_normalized.lookup_key = lower({{ raw_channel }})
{%- endmacro %}

{% macro mapped_channel(prefix='channel') -%}
    coalesce({{ prefix }}_exact.channel, {{ prefix }}_normalized.channel, 'other')
{%- endmacro %}

{% macro is_channel_mapped(prefix='channel') -%}
    ({{ prefix }}_exact.channel is not null or {{ prefix }}_normalized.channel is not null)
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

{# `raw` held a value that its parser could not read. #}
{% macro is_unreadable(raw, parsed) -%}
    ({{ raw }} is not null and {{ parsed }} is null)
{%- endmacro %}
