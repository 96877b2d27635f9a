{#-
    Building blocks of the Stripe connector (models/staging/stripe/): landed times that are epoch
    seconds or ISO text, JSON metadata values, and the exact MRR of a priced invoice line.
-#}

{#-
    A landed Stripe time as a UTC timestamp: Fivetran lands Stripe's times as timestamps, API
    extracts and older pipelines as Unix epoch seconds (an integer, `1700000000` or
    `1700000000.0`). Anything else is read as ISO 8601 text; unreadable is NULL.
-#}
{% macro stripe_timestamp(text_expression) -%}
    case
        when {{ regex_matches(text_expression, "'^[0-9]{1,12}([.]0*)?$'") }}
            then {{ adapter.dispatch('epoch_seconds_timestamp', 'marketing_kpis')(
                "cast(cast(" ~ text_expression ~ " as " ~ dbt.type_numeric() ~ ") as " ~ dbt.type_bigint() ~ ")"
            ) }}
        else {{ parse_timestamp(text_expression) }}
    end
{%- endmacro %}

{% macro default__epoch_seconds_timestamp(seconds) -%}
    (timestamp '1970-01-01 00:00:00' + {{ seconds }} * interval '1 second')
{%- endmacro %}

{% macro duckdb__epoch_seconds_timestamp(seconds) -%}
    make_timestamp({{ seconds }} * 1000000)
{%- endmacro %}

{% macro spark__epoch_seconds_timestamp(seconds) -%}
    timestamp_seconds({{ seconds }})
{%- endmacro %}

{#-
    The text value of top-level key `key` in JSON object text, trimmed (empty = NULL). Text that
    is not valid JSON, or not an object, has no key. PostgreSQL reads it through
    `<schema>.mkpi_try_json` (created by stripe_json_function, the customers model's pre-hook).
-#}
{% macro json_text_value(json_text, key) -%}
    nullif(trim({{ adapter.dispatch('json_text_value', 'marketing_kpis')(json_text, key) }}), '')
{%- endmacro %}

{% macro default__json_text_value(json_text, key) -%}
    ({{ target.schema }}.mkpi_try_json({{ json_text }}) ->> '{{ key | replace("'", "''") }}')
{%- endmacro %}

{% macro duckdb__json_text_value(json_text, key) -%}
    case
        when json_valid({{ json_text }})
            then json_extract_string({{ json_text }}, '$."{{ key | replace("'", "''") | replace('"', '\\"') }}"')
    end
{%- endmacro %}

{#- Spark: NULL for text that is not JSON; the key in bracket notation. -#}
{% macro spark__json_text_value(json_text, key) -%}
    get_json_object({{ json_text }}, '$[''{{ key | replace("'", "") }}'']')
{%- endmacro %}

{#- PostgreSQL: text -> json, NULL when it is not valid JSON (other adapters: nothing to do). -#}
{% macro stripe_json_function() -%}
    {{ return(adapter.dispatch('stripe_json_function', 'marketing_kpis')()) }}
{%- endmacro %}

{% macro default__stripe_json_function() -%}
    create or replace function {{ target.schema }}.mkpi_try_json(value text)
    returns json language plpgsql immutable as $body$
    begin
        return value::json;
    exception when others then
        return null;
    end;
    $body$
{%- endmacro %}

{% macro duckdb__stripe_json_function() -%}
    select 1
{%- endmacro %}

{% macro spark__stripe_json_function() -%}
    select 1
{%- endmacro %}

{#- Minor units per major unit of a currency (Stripe): 1 for zero-decimal currencies, 1000 for
    three-decimal ones, else 100. -#}
{% macro stripe_currency_minor(currency) -%}
    case
        when {{ currency }} in (
            'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND',
            'VUV', 'XAF', 'XOF', 'XPF'
        ) then 1
        when {{ currency }} in ('BHD', 'JOD', 'KWD', 'OMR', 'TND') then 1000
        else 100
    end
{%- endmacro %}

{#- Integer division of two integer-valued expressions, truncated toward zero, exact. -#}
{% macro integer_quotient(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_quotient', 'marketing_kpis')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_quotient(numerator, denominator) -%}
    div(cast({{ numerator }} as numeric), cast({{ denominator }} as numeric))
{%- endmacro %}

{% macro duckdb__integer_quotient(numerator, denominator) -%}
    (cast({{ numerator }} as hugeint) // cast({{ denominator }} as hugeint))
{%- endmacro %}

{#- Spark's `div` returns a bigint (it wraps past 2^63): subtract the remainder, then the exact
    decimal division has no fraction. -#}
{% macro spark__integer_quotient(numerator, denominator) -%}
    cast(
        (cast({{ numerator }} as decimal(38, 0)) - cast({{ numerator }} as decimal(38, 0)) % cast({{ denominator }} as decimal(38, 0)))
        / cast({{ denominator }} as decimal(38, 0))
        as decimal(38, 0)
    )
{%- endmacro %}

{#-
    The MRR of a priced line as money_type(), exactly: unit_amount x quantity / minor x f, with
    f = 1/n (month), 1/(12n) (year), 52/(12n) (week), 365/(12n) (day), rounded half away from
    zero to 12 decimals (the money type's scale) in one integer division, never through a double.
    All arguments are integers (bigint); interval is lower-case text. An unknown interval or a
    count below 1 is NULL.
-#}
{% macro stripe_mrr(unit_amount, quantity, interval, interval_count, minor) -%}
    {%- set per_year = "case " ~ interval ~ " when 'month' then 12 when 'year' then 1 when 'week' then 52 when 'day' then 365 end" -%}
    {%- set numerator = "cast(" ~ unit_amount ~ " as numeric(38, 0)) * (" ~ quantity ~ ") * (" ~ per_year ~ ")" -%}
    {%- set denominator = "(" ~ minor ~ ") * 12 * (" ~ interval_count ~ ")" -%}
    case
        when ({{ interval_count }}) >= 1
            then {{ money_from_picos(
                "case when " ~ numerator ~ " < 0 then -1 else 1 end * " ~ integer_quotient(
                    "abs(" ~ numerator ~ ") * 2000000000000 + " ~ denominator,
                    "2 * " ~ denominator,
                )
            ) }}
    end
{%- endmacro %}

{#- A money_type() value as plain decimal text without trailing zeros (`49`, `16.333333333333`). -#}
{% macro decimal_text(expression) -%}
    regexp_replace(
        regexp_replace(cast(cast({{ expression }} as {{ money_type() }}) as {{ dbt.type_string() }}), '0+$', ''),
        '[.]$',
        ''
    )
{%- endmacro %}

{#- Null-safe equality: both NULL, or equal. -#}
{% macro same_value(left, right) -%}
    ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
