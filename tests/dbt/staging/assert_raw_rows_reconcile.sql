{#-
    Accounting identity, per raw table: rows in the raw source = clean staging rows + rejected rows
    + collapsed exact duplicates. Raw counts come straight from source() for `files`, and from the
    connector contract models for connector inputs (their rows that were not rejected at the
    connector), independently of the staging models. Returns the tables that do not reconcile.
-#}
{%- set table_inputs = [] %}
{%- for table_name in raw_table_names() %}
    {%- for input_name in raw_inputs_for(table_name) %}
        {%- do table_inputs.append((table_name, input_name)) %}
    {%- endfor %}
{%- endfor %}

with

raw_counts_by_input as (
    {% for table_name, input_name in table_inputs %}
        select
            '{{ table_name }}' as source_table,
            count(*) as raw_rows
        from
            {{ source('marketing', table_name) if input_name == 'files'
                else ref('contract_' ~ input_name ~ '__' ~ table_name) }}
        {#- a connector's contract rows: not rejected, of the landed table whose rows become contract
            rows (Shopify's order-line rows only account for the lines folded into their order) #}
        where
            {{ 'true' if input_name == 'files' else "reject_reason is null and source_table = '"
                ~ input_name ~ '.' ~ connector_landed_table(input_name, table_name) ~ "'" }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

raw_counts as (
    select
        source_table,
        sum(raw_rows) as raw_rows
    from raw_counts_by_input
    group by source_table
),

reconciliation as (
    select * from {{ ref('fct_raw_row_reconciliation') }}
)

select
    raw_counts.source_table,
    raw_counts.raw_rows,
    reconciliation.clean_rows,
    reconciliation.rejected_rows,
    reconciliation.collapsed_duplicates
from raw_counts
left join reconciliation on raw_counts.source_table = reconciliation.source_table
where
    reconciliation.source_table is null
    or raw_counts.raw_rows
    != reconciliation.clean_rows + reconciliation.rejected_rows + reconciliation.collapsed_duplicates
