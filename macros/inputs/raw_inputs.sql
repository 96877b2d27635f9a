{#-
    Input selection (docs/connectors.md): var `raw_inputs` maps each contract table to the inputs
    whose rows are unioned into it before contract staging. `files` is the contract's own tables
    (raw_schema, or <raw_data_dir>/... on DuckDB); every other input is a connector whose landed
    tables (models/staging/<input>/) are turned into contract rows by
    `contract_<input>__<table>` models. A table left out of the map reads [files].

    These macros run at parse time too (model `enabled` configs call them), so they use only vars.
-#}

{#- contract table -> the inputs allowed to feed it -#}
{% macro allowed_raw_inputs() %}
    {{ return({
        'campaigns': ['google_ads', 'facebook_ads', 'linkedin_ads', 'files'],
        'costs': ['google_ads', 'facebook_ads', 'linkedin_ads', 'files'],
        'leads': ['hubspot', 'files'],
        'deals': ['hubspot', 'files'],
        'touchpoints': ['ga4', 'files'],
        'subscriptions': ['stripe', 'files'],
        'orders': ['shopify', 'files'],
        'keyword_rankings': ['search_console', 'files'],
    }) }}
{% endmacro %}

{#-
    The checked var: {table: [input, ...]} for all eight tables. One line names what is wrong.
    var enable_all_inputs (tooling only: `make sqlfluff` lints every connector's models) selects
    every allowed input of every table.
-#}
{% macro raw_inputs() %}
    {%- set configured = var('raw_inputs', none) or {} -%}
    {%- set allowed = allowed_raw_inputs() -%}
    {%- if var('enable_all_inputs', false) in [true, 'true', 'True'] -%}
        {{ return(allowed) }}
    {%- endif -%}
    {%- if configured is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var raw_inputs must map contract tables to lists of inputs, got '" ~ configured ~ "'"
        ) }}
    {%- endif -%}
    {%- set selection = {} -%}
    {%- for table_name, inputs in configured.items() -%}
        {%- if table_name not in allowed -%}
            {{ exceptions.raise_compiler_error(
                "var raw_inputs: unknown contract table '" ~ table_name ~ "' (tables: "
                ~ allowed.keys() | join(', ') ~ ")"
            ) }}
        {%- endif -%}
        {%- set listed = [inputs] if inputs is string else inputs -%}
        {%- if listed is none or listed | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "var raw_inputs: table '" ~ table_name ~ "' has an empty list of inputs"
            ) }}
        {%- endif -%}
        {%- for input_name in listed if input_name not in allowed[table_name] -%}
            {{ exceptions.raise_compiler_error(
                "var raw_inputs: input '" ~ input_name ~ "' cannot feed table '" ~ table_name
                ~ "' (allowed: " ~ allowed[table_name] | join(', ') ~ ")"
            ) }}
        {%- endfor -%}
        {%- do selection.update({table_name: listed | unique | list}) -%}
    {%- endfor -%}
    {%- for table_name in allowed if table_name not in selection -%}
        {%- do selection.update({table_name: ['files']}) -%}
    {%- endfor -%}
    {{ return(selection) }}
{% endmacro %}

{#- The inputs that feed one contract table. -#}
{% macro raw_inputs_for(table_name) %}
    {{ return(raw_inputs()[table_name]) }}
{% endmacro %}

{#- Whether `input_name` feeds any of `table_names` (all tables when none are given). -#}
{% macro input_enabled(input_name, table_names=none) %}
    {%- set selection = raw_inputs() -%}
    {%- for table_name in (table_names or selection.keys()) if input_name in selection[table_name] -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{#- Whether any connector is selected: then `files` tables sit in <raw_data_dir>/files/. -#}
{% macro any_connector_selected() %}
    {%- for inputs in raw_inputs().values() -%}
        {%- for input_name in inputs if input_name != 'files' -%}
            {{ return(true) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}

{#-
    The rows of one contract table from every selected input, unioned (`union all`), each column
    as text exactly as the contract's base model expects them. Connector rows come from the
    `contract_<input>__<table>` models, only those that are not rejected at the connector. Two
    more columns: `mkpi_malformed_row` (a file row that could not be split into fields, see
    macros/raw/; NULL for a warehouse table that lacks the column and for connector rows) and
    `is_file_row` (the row comes from `files`: its numbers use var decimal_mark).
-#}
{% macro raw_input_rows(table_name, columns) -%}
    {%- for input_name in raw_inputs_for(table_name) %}
    {%- if not loop.first %}

    union all

    {% endif %}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
    {%- if input_name == 'files' %}
        {%- set relation = source('marketing', table_name) %}
        {#- a unit test's fixture (no schema) or a warehouse table without the column: no malformed rows #}
        {%- if execute and (relation.schema is none or 'mkpi_malformed_row' not in landed_columns(relation)) %}
        cast(null as {{ dbt.type_string() }}) as mkpi_malformed_row,
        {%- else %}
        cast(mkpi_malformed_row as {{ dbt.type_string() }}) as mkpi_malformed_row,
        {%- endif %}
        true as is_file_row
    from {{ relation }}
    {%- else %}
        cast(null as {{ dbt.type_string() }}) as mkpi_malformed_row,
        false as is_file_row
    from {{ ref('contract_' ~ input_name ~ '__' ~ table_name) }}
    where
        reject_reason is null
        and source_table = '{{ input_name }}.{{ connector_landed_table(input_name, table_name) }}'
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The connector contract models that are built: [(input, contract table), ...]. -#}
{% macro connector_contract_models() %}
    {%- set models = [] -%}
    {%- for table_name, inputs in raw_inputs().items() -%}
        {%- for input_name in inputs if input_name != 'files' -%}
            {%- do models.append((input_name, table_name)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(models) }}
{% endmacro %}

{#-
    The landed table whose rows become the contract rows of a connector contract model
    (docs/connectors.md); its rows carry `source_table` = `<input>.<landed table>`. A contract
    model may also account for rows of other landed tables folded into its rows (Shopify's order
    lines): those carry their own `source_table` and are never contract rows. Search Console reads
    the bulk export's table when the connector's report table is not landed.
-#}
{% macro connector_landed_table(input_name, table_name) %}
    {%- set tables = {
        ('hubspot', 'leads'): 'contact',
        ('hubspot', 'deals'): 'deal',
        ('google_ads', 'campaigns'): 'campaign_history',
        ('google_ads', 'costs'): 'campaign_stats',
        ('facebook_ads', 'campaigns'): 'campaign_history',
        ('facebook_ads', 'costs'): 'basic_ad',
        ('linkedin_ads', 'campaigns'): 'campaign_history',
        ('linkedin_ads', 'costs'): 'ad_analytics_by_campaign',
        ('ga4', 'touchpoints'): 'events_flat',
        ('search_console', 'keyword_rankings'): 'keyword_site_report_by_site',
        ('stripe', 'subscriptions'): 'invoice_line_item',
        ('shopify', 'orders'): 'order',
    } -%}
    {%- set landed = tables[(input_name, table_name)] -%}
    {%- if (input_name, table_name) == ('search_console', 'keyword_rankings') and execute
        and not landed_table_exists(source('search_console', 'keyword_site_report_by_site')) -%}
        {%- set landed = 'searchdata_site_impression' -%}
    {%- endif -%}
    {{ return(landed) }}
{% endmacro %}

{#-
    Every landed table a connector contract model accounts for: [(landed table, is the table whose
    rows become contract rows), ...]; the reconciliation has one row per landed table.
-#}
{% macro connector_accounted_tables(input_name, table_name) %}
    {%- set tables = [(connector_landed_table(input_name, table_name), true)] -%}
    {%- if (input_name, table_name) == ('shopify', 'orders') -%}
        {%- do tables.append(('order_line', false)) -%}
    {%- endif -%}
    {{ return(tables) }}
{% endmacro %}

{#- The connector contract models whose rows carry UTM values matched to campaigns. -#}
{% macro connector_models_with_utm() %}
    {%- set models = [] -%}
    {%- for input_name, table_name in connector_contract_models() -%}
        {%- if (input_name, table_name) in [('hubspot', 'leads'), ('ga4', 'touchpoints')] -%}
            {%- do models.append((input_name, table_name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(models) }}
{% endmacro %}
