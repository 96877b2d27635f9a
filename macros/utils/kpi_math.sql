{#- Arithmetic every KPI shares; the generated kpi_* macros call these. -#}

{# numerator / denominator as a double; NULL when the denominator is 0 or NULL. #}
{% macro safe_divide(numerator, denominator) -%}
    case
        when ({{ denominator }}) is null or ({{ denominator }}) = 0 then null
        else cast({{ numerator }} as {{ double_type() }}) / cast({{ denominator }} as {{ double_type() }})
    end
{%- endmacro %}

{# The continuous median (an even count takes the mean of the middle two), as an aggregate. #}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    quantile_cont({{ expression }}, 0.5)
{%- endmacro %}

{#- A 64-bit float type: `double precision` (ANSI; DuckDB, PostgreSQL), `double` on Spark. -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'marketing_kpis')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro spark__double_type() -%}
    {{ return('double') }}
{%- endmacro %}

{# Money in the reporting currency: an amount (6 decimals) x a rate (6 decimals) is exact at 12. #}
{% macro money_type() -%}
    numeric(38, 12)
{%- endmacro %}

{#- An amount (6 decimals) x an FX rate (6 decimals), exact at 12 decimals on every adapter. Spark
    keeps only 6 decimals of a product whose precision would pass 38 digits, so there the operands
    are narrowed first: 18 integer digits for the amount, 7 for the rate. -#}
{% macro money_product(amount, rate) -%}
    {{ return(adapter.dispatch('money_product', 'marketing_kpis')(amount, rate)) }}
{%- endmacro %}

{% macro default__money_product(amount, rate) -%}
    ({{ amount }} * {{ rate }})
{%- endmacro %}

{% macro spark__money_product(amount, rate) -%}
    (cast({{ amount }} as decimal(24, 6)) * cast({{ rate }} as decimal(13, 6)))
{%- endmacro %}

{#- A whole number of 10^-12 units (an integer expression) as money_type(), exactly (on Spark
    through a product whose precision stays within 38 digits: at most 24 integer digits). -#}
{% macro money_from_picos(expression) -%}
    {{ return(adapter.dispatch('money_from_picos', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__money_from_picos(expression) -%}
    cast(cast({{ expression }} as numeric(38, 0)) * cast('0.000000000001' as {{ money_type() }}) as {{ money_type() }})
{%- endmacro %}

{% macro spark__money_from_picos(expression) -%}
    cast(cast({{ expression }} as decimal(24, 0)) * cast('0.000000000001' as decimal(13, 12)) as {{ money_type() }})
{%- endmacro %}

{#- Weights and shares (unitless, at most a path's length) as exact decimals, for exact sums.
    Scale 22 is the largest whose power of ten is exact in a double (10^22), so converting back
    to double (DuckDB divides by 10^scale) is one correctly rounded division: 0.75 stays 0.75.
    A time decay weight below 5e-23 (about 74 half-lives older than the path's latest touch)
    rounds to 0; 16 integer digits are left for path totals. -#}
{% macro weight_type() -%}
    numeric(38, 22)
{%- endmacro %}

{#- A sum that comes out the same on every build: each row's value is rounded to a fixed scale
    (`money_type()` 12 decimals by default, `weight_type()` for shares) before adding up, so the
    sum is exact decimal arithmetic and no longer depends on the order the database adds rows in
    (sums of doubles do: parallel scans and hash joins change the order between runs).
    The rounding is per row, of a value computed the same way every time, so it cannot flip
    between builds. Works as an aggregate and, with `over (...)` after it, as a window. -#}
{% macro exact_sum(expression, type=none) -%}
    sum(cast({{ expression }} as {{ type or money_type() }}))
{%- endmacro %}
