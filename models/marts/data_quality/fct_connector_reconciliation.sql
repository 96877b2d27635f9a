{#-
    One row per landed table that produces contract rows (docs/connectors.md): where every landed
    row went. landed_rows = contract_rows + collapsed_rows + rejected_rows, where collapsed rows
    are folded into a contract row (older history versions, a campaign-day's segment rows).
    Contract rows can still be rejected by the contract's own staging; fct_raw_row_reconciliation
    counts those. Empty when no connector is selected.
-#}
{%- set accounted = [] -%}
{%- for input_name, table_name in connector_contract_models() -%}
    {%- for landed_table, is_contract_table in connector_accounted_tables(input_name, table_name) -%}
        {%- do accounted.append((input_name, table_name, landed_table, is_contract_table)) -%}
    {%- endfor -%}
{%- endfor %}

with

{% for input_name, table_name, landed_table, is_contract_table in accounted %}
    {{ input_name }}__{{ landed_table }} as (
        -- rows of a landed table folded into the contract rows of another (is_contract_table
        -- false: Shopify's order lines) are all collapsed, none is a contract row
        select
            '{{ input_name }}' as input_name,
            '{{ landed_table }}' as landed_table,
            sum(landed_rows) as landed_rows,
            sum(case when reject_reason is null then {{ 1 if is_contract_table else 0 }} else 0 end)
                as contract_rows,
            sum(case when reject_reason is null then landed_rows - {{ 1 if is_contract_table else 0 }} else 0 end)
                as collapsed_rows,
            sum(case when reject_reason is not null then landed_rows else 0 end) as rejected_rows
        from {{ ref('contract_' ~ input_name ~ '__' ~ table_name) }}
        where source_table = '{{ input_name }}.{{ landed_table }}'
    ),

{% endfor %}
unioned as (
    -- typed and empty when no connector is selected
    select
        cast(null as {{ dbt.type_string() }}) as input_name,
        cast(null as {{ dbt.type_string() }}) as landed_table,
        0 as landed_rows,
        0 as contract_rows,
        0 as collapsed_rows,
        0 as rejected_rows
    where 1 = 0
    {% for input_name, table_name, landed_table, is_contract_table in accounted %}
        union all
        select * from {{ input_name }}__{{ landed_table }}
    {% endfor %}
),

final as (
    select
        input_name,
        landed_table,
        cast(coalesce(landed_rows, 0) as {{ dbt.type_bigint() }}) as landed_rows,
        cast(coalesce(contract_rows, 0) as {{ dbt.type_bigint() }}) as contract_rows,
        cast(coalesce(collapsed_rows, 0) as {{ dbt.type_bigint() }}) as collapsed_rows,
        cast(coalesce(rejected_rows, 0) as {{ dbt.type_bigint() }}) as rejected_rows,
        coalesce(landed_rows, 0)
        = coalesce(contract_rows, 0) + coalesce(collapsed_rows, 0) + coalesce(rejected_rows, 0)
            as is_reconciled
    from unioned
)

select * from final
