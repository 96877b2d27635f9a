{#- Shared pieces of the attribution models (catalog/kpis.yml "Attribution, ROI and return on spend"). -#}

{# The eight attribution models, in the order reports list them. #}
{% macro attribution_models() -%}
    {{ return(['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based',
               'w_shaped', 'markov']) }}
{%- endmacro %}

{# The channel that takes the credit of a conversion without any touchpoint on its path. #}
{% macro unattributed_channel() -%}
    'unattributed'
{%- endmacro %}

{# The attribution models as a one-column relation body (`attribution_model`), for grids. #}
{% macro attribution_models_values() -%}
    {%- for model_name in attribution_models() %}
    select cast('{{ model_name }}' as {{ dbt.type_string() }}) as attribution_model
    {%- if not loop.last %}
    union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- Exact seconds from `earlier` to `later` (both UTC timestamps without time zone), as a double:
    days = seconds / 86400 (the spec's "time differences are exact"). -#}
{% macro seconds_between(earlier, later) -%}
    {{ return(adapter.dispatch('seconds_between', 'marketing_kpis')(earlier, later)) }}
{%- endmacro %}

{% macro default__seconds_between(earlier, later) -%}
    (cast(extract(epoch from {{ later }}) as {{ double_type() }})
        - cast(extract(epoch from {{ earlier }}) as {{ double_type() }}))
{%- endmacro %}

{#- Spark has no epoch field: whole microseconds since the epoch, subtracted exactly. -#}
{% macro spark__seconds_between(earlier, later) -%}
    (cast(unix_micros({{ later }}) - unix_micros({{ earlier }}) as {{ double_type() }}) / 1000000)
{%- endmacro %}

{#- A text expression to order by, byte by byte (code-point order for UTF-8), so ties break the same
    way on every database whatever its default collation. -#}
{% macro binary_sort_key(expression) -%}
    {{ return(adapter.dispatch('binary_sort_key', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__binary_sort_key(expression) -%}
    {{ expression }} collate "C"
{%- endmacro %}

{% macro duckdb__binary_sort_key(expression) -%}
    {{ expression }}
{%- endmacro %}

{#- Spark compares strings by bytes (collation UTF8_BINARY) unless told otherwise. -#}
{% macro spark__binary_sort_key(expression) -%}
    {{ expression }}
{%- endmacro %}

{#- var default_attribution_model (the model single-number views use), checked against the list. -#}
{% macro default_attribution_model() -%}
    {%- set chosen = var('default_attribution_model', 'w_shaped') -%}
    {%- if chosen not in attribution_models() -%}
        {{ exceptions.raise_compiler_error(
            "var default_attribution_model is '" ~ chosen ~ "'; choose one of " ~ attribution_models() | join(', ')
        ) }}
    {%- endif -%}
    {{ return(chosen) }}
{%- endmacro %}

{#- var time_decay_half_life_days, checked: a positive number of days. -#}
{% macro time_decay_half_life_days() -%}
    {%- set days = var('time_decay_half_life_days', 7) -%}
    {%- if days is not number or days <= 0 -%}
        {{ exceptions.raise_compiler_error(
            "var time_decay_half_life_days must be a positive number of days, got '" ~ days ~ "'"
        ) }}
    {%- endif -%}
    {{ return(days) }}
{%- endmacro %}

{#- var attribution_lookback_days, checked: a number of days, 0 or more. -#}
{% macro attribution_lookback_days() -%}
    {%- set days = var('attribution_lookback_days', 90) -%}
    {%- if days is not number or days < 0 -%}
        {{ exceptions.raise_compiler_error(
            "var attribution_lookback_days must be a number of days (0 or more), got '" ~ days ~ "'"
        ) }}
    {%- endif -%}
    {{ return(days) }}
{%- endmacro %}
