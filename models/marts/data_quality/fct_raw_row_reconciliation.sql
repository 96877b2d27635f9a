{#- One row per raw table: where every raw row went (clean, rejected, collapsed duplicate). -#}
with

{% for table_name in raw_table_names() %}
    {{ table_name }}_counts as (
        select
            '{{ table_name }}' as source_table,
            (select count(*) from {{ ref('base_marketing__' ~ table_name) }}) as raw_rows,
            (select count(*) from {{ ref('stg_marketing__' ~ table_name) }}) as clean_rows,
            (
                select count(*) from {{ ref('stg_marketing__rejected_rows') }}
                where source_table = '{{ table_name }}'
            ) as rejected_rows,
            (
                select count(*) from {{ ref('base_marketing__' ~ table_name) }}
                where is_collapsed_duplicate
            ) as collapsed_duplicates
    ),

{% endfor %}
unioned as (
    {% for table_name in raw_table_names() %}
        select * from {{ table_name }}_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_table,
        cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
        cast(clean_rows as {{ dbt.type_bigint() }}) as clean_rows,
        cast(rejected_rows as {{ dbt.type_bigint() }}) as rejected_rows,
        cast(collapsed_duplicates as {{ dbt.type_bigint() }}) as collapsed_duplicates,
        raw_rows = clean_rows + rejected_rows + collapsed_duplicates as is_reconciled
    from unioned
)

select * from final
