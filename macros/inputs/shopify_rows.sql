{#-
    Shopify (docs/connectors.md): the REST-API connector and the GraphQL connector land some
    columns under different names (`currency` / `currency_code`, `subtotal_price` /
    `subtotal_price_set_shop_amount`, a note attribute's `name` / `key`). A model reads whichever
    is landed; when none is, the run stops with one line naming the table and the columns.
-#}

{#-
    The landed text of the first of `columns` the table has (coalesced in that order when several
    are landed); stops the run when none is. `present_columns`: landed_columns() of the table
    (empty at parse time, when nothing is checked).
-#}
{% macro landed_text_any(columns, present_columns, input_name, table_name) -%}
    {%- set found = columns | select('in', present_columns) | list -%}
    {%- if execute and present_columns | length > 0 and found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            input_name ~ ": table '" ~ table_name ~ "' is missing column '" ~ columns[0] ~ "' (or "
            ~ columns[1:] | map('tojson') | join(', ') | replace('"', "'") ~ ")"
        ) }}
    {%- endif -%}
    {%- if found | length == 0 -%}
        {{ landed_text(columns[0]) }}
    {%- elif found | length == 1 -%}
        {{ landed_text(found[0]) }}
    {%- else -%}
        coalesce(
        {%- for column in found -%}
            {{ landed_text(column) }}{{ ', ' if not loop.last }}
        {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
