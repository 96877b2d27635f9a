{#-
    Typing raw text the same way on every adapter. Each parser returns NULL for a value it cannot
    read, so a model compares `raw is not null and parsed is null` to find a bad value and reject
    the row with a reason instead of failing the build.

    Accepted forms (docs/raw-data.md): ISO 8601 dates and timestamps, UTC unless an offset
    is given; `.` as decimal mark (`,` in files with var decimal_mark: ','); booleans true/false, t/f, 1/0, yes/no in any case, empty = false.
-#}

{#- An offset is at most 14 hours (real time zones run from -12:00 to +14:00): `+25:00` is unreadable. -#}
{% macro iso_timestamp_pattern() -%}
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?[ ]?(Z|z|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?$'
{%- endmacro %}

{#- An offset after a time of day: a date's own `-01` is never read as one. -#}
{% macro offset_pattern() -%}
    '[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?[ ]?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro %}

{#- `mark`: the decimal mark, `.` or `,` (var decimal_mark, for file rows). -#}
{% macro number_pattern(mark='.') -%}
    '^[+-]?([0-9]{1,18}([{{ mark }}][0-9]*)?|[{{ mark }}][0-9]+)$'
{%- endmacro %}

{% macro integer_pattern(mark='.') -%}
    '^[+-]?[0-9]{1,18}([{{ mark }}]0*)?$'
{%- endmacro %}

{#- Var decimal_mark, checked: the decimal mark of numbers in raw files, `.` (default) or `,`. -#}
{% macro file_decimal_mark() -%}
    {%- set mark = var('decimal_mark', '.') | string -%}
    {%- if mark not in ['.', ','] -%}
        {{ exceptions.raise_compiler_error("var decimal_mark must be '.' or ',', got '" ~ mark ~ "'") }}
    {%- endif -%}
    {{ return(mark) }}
{%- endmacro %}

{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#-
    Spellings of "no value" that exports write into id columns (docs/raw-data.md): compared
    trimmed and in lower case. tests/python/fixtures/hostile and src/mkpi/devtools/sampling/reject_rules.py use
    the same list.
-#}
{% macro null_id_spellings() -%}
    {{ return(['null', 'none', 'nil', 'nan', 'n/a', 'na', '#n/a', '(null)', '(none)', '(not set)', 'undefined']) }}
{%- endmacro %}

{#- An id column as trimmed text: empty and the spellings of "no value" are NULL. -#}
{% macro clean_id(column) -%}
    case
        when lower({{ clean_text(column) }}) not in (
            {%- for spelling in null_id_spellings() %}'{{ spelling }}'{{ ', ' if not loop.last }}{% endfor -%}
        )
            then {{ clean_text(column) }}
    end
{%- endmacro %}

{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'marketing_kpis')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    ({{ expression }} ~ ({{ pattern }}))
{%- endmacro %}

{% macro duckdb__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{#- regexp_replace with capture group `group` (a number) as the replacement: `\1` on most
    adapters, `$1` on Spark (Java's replacement syntax). -#}
{% macro regex_replace_group(expression, pattern, group) -%}
    {{ return(adapter.dispatch('regex_replace_group', 'marketing_kpis')(expression, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_replace_group(expression, pattern, group) -%}
    regexp_replace({{ expression }}, {{ pattern }}, '\{{ group }}')
{%- endmacro %}

{% macro spark__regex_replace_group(expression, pattern, group) -%}
    regexp_replace({{ expression }}, {{ pattern }}, '${{ group }}')
{%- endmacro %}

{# A UTC timestamp (without time zone) from ISO text, or NULL. #}
{% macro parse_timestamp(expression) -%}
    case
        when {{ regex_matches(expression, iso_timestamp_pattern()) }}
            then {{ adapter.dispatch('try_timestamp', 'marketing_kpis')(expression) }}
    end
{%- endmacro %}

{% macro default__try_timestamp(expression) -%}
    {{ target.schema }}.mkpi_try_timestamp({{ expression }})
{%- endmacro %}

{% macro duckdb__try_timestamp(expression) -%}
    case
        when regexp_matches({{ expression }}, {{ offset_pattern() }})
            then timezone('UTC', try_cast({{ expression }} as timestamptz))
        else try_cast({{ expression }} as timestamp)
    end
{%- endmacro %}

{#- Spark reads every ISO form the pattern admits (an offset converts to the session's UTC); only
    a lower-case `z` needs upper-casing. -#}
{% macro spark__try_timestamp(expression) -%}
    try_cast(upper({{ expression }}) as timestamp)
{%- endmacro %}

{# A date from ISO text (a timestamp's UTC date), or NULL. #}
{% macro parse_date(expression) -%}
    cast({{ parse_timestamp(expression) }} as date)
{%- endmacro %}

{% macro parse_number(expression, mark='.') -%}
    case
        when {{ regex_matches(expression, number_pattern(mark)) }}
            then cast({{ decimal_point(expression, mark) }} as {{ dbt.type_numeric() }})
    end
{%- endmacro %}

{% macro parse_integer(expression, mark='.') -%}
    case
        when {{ regex_matches(expression, integer_pattern(mark)) }}
            then cast(cast({{ decimal_point(expression, mark) }} as {{ dbt.type_numeric() }}) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}

{% macro decimal_point(expression, mark) -%}
    {{ expression if mark == '.' else "replace(" ~ expression ~ ", ',', '.')" }}
{%- endmacro %}

{#-
    A number / integer of a contract row (base models): rows from files use var decimal_mark,
    connector rows (typed where they landed) `.`; `is_file_row` tells them apart.
-#}
{% macro parse_raw_number(expression) -%}
    {{ parse_by_row_origin(parse_number, expression) }}
{%- endmacro %}

{% macro parse_raw_integer(expression) -%}
    {{ parse_by_row_origin(parse_integer, expression) }}
{%- endmacro %}

{#- `parser` (parse_number or parse_integer) with var decimal_mark for file rows, `.` for others. -#}
{% macro parse_by_row_origin(parser, expression) -%}
    {%- set mark = file_decimal_mark() -%}
    {%- if mark == '.' -%}
        {{ parser(expression) }}
    {%- else -%}
        case when is_file_row then {{ parser(expression, mark) }} else {{ parser(expression) }} end
    {%- endif -%}
{%- endmacro %}

{# true / false, or NULL for a value that is not a boolean. Empty (NULL) is false. #}
{% macro parse_boolean(expression) -%}
    case
        when {{ expression }} is null then false
        when lower({{ expression }}) in ('true', 't', '1', 'yes') then true
        when lower({{ expression }}) in ('false', 'f', '0', 'no') then false
    end
{%- endmacro %}

{# PostgreSQL has no try_cast: a small function turns a failed cast into NULL. #}
{% macro create_try_cast_functions() %}
    {#- the function runs in UTC whatever the session's or the server's time zone -#}
    {%- set sql -%}
        create schema if not exists {{ target.schema }};
        create or replace function {{ target.schema }}.mkpi_try_timestamp(value text)
        returns timestamp language plpgsql immutable set timezone = 'UTC' as $body$
        begin
            if value ~ {{ offset_pattern() }} then
                return (value::timestamptz at time zone 'UTC');
            end if;
            return value::timestamp;
        exception when others then
            return null;
        end;
        $body$;
        create or replace function {{ target.schema }}.mkpi_raise(message text)
        returns text language plpgsql volatile as $body$
        begin
            raise exception '%', message;
        end;
        $body$;
    {%- endset -%}
    {%- do run_query(sql) -%}
    {{ return('') }}
{% endmacro %}

{#-
    Plausible dates (docs/raw-data.md): a parsed date or timestamp before var
    `plausible_dates_from` (default 2000-01-01) or on or after var `plausible_dates_until`
    (default 2100-01-01) is a sentinel or a typo (1900-01-01, 0001-01-01, 2202-...), rejected as
    `implausible_date`, so one bad row cannot stretch every month range. An end date on or after
    the window's end (9999-12-31 and similar "open" markers) means no end: open_end() reads it as
    NULL.
-#}
{% macro is_implausible(parsed) -%}
    (
        {{ parsed }} < cast('{{ var("plausible_dates_from", "2000-01-01") }}' as date)
        or {{ parsed }} >= cast('{{ var("plausible_dates_until", "2100-01-01") }}' as date)
    )
{%- endmacro %}

{% macro open_end(parsed) -%}
    case
        when {{ parsed }} < cast('{{ var("plausible_dates_until", "2100-01-01") }}' as date)
            then {{ parsed }}
    end
{%- endmacro %}

{#- An end date before the plausible window; one after it is no end (open_end), never a reject. -#}
{% macro is_implausible_end(parsed) -%}
    ({{ parsed }} < cast('{{ var("plausible_dates_from", "2000-01-01") }}' as date))
{%- endmacro %}

{#- Stops the query with `message` (text) as the error: a test's one-line explanation. -#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'marketing_kpis')(message)) }}
{%- endmacro %}

{% macro default__raise_error(message) -%}
    {{ target.schema }}.mkpi_raise({{ message }})
{%- endmacro %}

{% macro duckdb__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}
