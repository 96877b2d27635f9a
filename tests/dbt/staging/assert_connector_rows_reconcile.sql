{#-
    Accounting identity, per landed table that produces contract rows: landed rows (counted
    straight from source(), independently of the connector models) = contract rows + collapsed
    rows + rejected rows. Returns the landed tables that do not reconcile.
-#}
{%- set contract_models = connector_contract_models() %}

with

landed_counts as (
    -- typed and empty when no connector is selected
    select
        cast(null as {{ dbt.type_string() }}) as input_name,
        cast(null as {{ dbt.type_string() }}) as landed_table,
        0 as landed_rows
    where 1 = 0
    {% for input_name, table_name in contract_models %}
        {%- for landed_table, is_contract_table in connector_accounted_tables(input_name, table_name) %}
            union all
            select
                '{{ input_name }}' as input_name,
                '{{ landed_table }}' as landed_table,
                count(*) as landed_rows
            from {{ source(input_name, landed_table) }}
        {%- endfor %}
    {% endfor %}
),

reconciliation as (
    select * from {{ ref('fct_connector_reconciliation') }}
)

select
    landed_counts.input_name,
    landed_counts.landed_table,
    landed_counts.landed_rows,
    reconciliation.contract_rows,
    reconciliation.collapsed_rows,
    reconciliation.rejected_rows
from landed_counts
left join reconciliation
    on
        landed_counts.input_name = reconciliation.input_name
        and landed_counts.landed_table = reconciliation.landed_table
where
    reconciliation.input_name is null
    or landed_counts.landed_rows
    != reconciliation.contract_rows + reconciliation.collapsed_rows + reconciliation.rejected_rows
