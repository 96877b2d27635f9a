{#-
    Accounting identity, per raw table: rows in the raw source = clean staging rows + rejected rows
    + collapsed exact duplicates. Raw counts come straight from source() for `files`, and from the
    connector contract models for connector inputs (their rows that were not rejected at the
    connector), independently of the staging models. Returns the tables that do not reconcile.
-#}
with

{% for table_name in raw_table_names() %}
    {{ table_name }}_raw as (
        select
            '{{ table_name }}' as source_table,
            {%- for input_name in raw_inputs_for(table_name) %}
            {%- if input_name == 'files' %}
            (select count(*) from {{ source('marketing', table_name) }})
            {%- else %}
            (
                select count(*) from {{ ref('contract_' ~ input_name ~ '__' ~ table_name) }}
                where reject_reason is null
            )
            {%- endif %}
            {{- ' +' if not loop.last }}
            {%- endfor %} as raw_rows
    ),

{% endfor %}
raw_counts as (
    {% for table_name in raw_table_names() %}
        select * from {{ table_name }}_raw
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
