{#-
    Every raw row that did not make it into clean staging, with its table and reason: contract rows
    (source_table = the contract table) and landed connector rows rejected before they became
    contract rows (source_table = `<input>.<landed table>`, raw_row = the landed key).
-#}
with

rejected as (
    select
        'campaigns' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__campaigns') }}
    where reject_reason is not null

    union all

    select
        'costs' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__costs') }}
    where reject_reason is not null

    union all

    select
        'leads' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__leads') }}
    where reject_reason is not null

    union all

    select
        'touchpoints' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__touchpoints') }}
    where reject_reason is not null

    union all

    select
        'deals' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__deals') }}
    where reject_reason is not null

    union all

    select
        'subscriptions' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__subscriptions') }}
    where reject_reason is not null

    union all

    select
        'orders' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__orders') }}
    where reject_reason is not null

    union all

    select
        'keyword_rankings' as source_table,
        reject_reason,
        raw_row
    from {{ ref('base_marketing__keyword_rankings') }}
    where reject_reason is not null
    {% for input_name, table_name in connector_contract_models() %}
        union all

        select
            source_table,
            reject_reason,
            {{ raw_row_json(['landed_key']) }} as raw_row
        from {{ ref('contract_' ~ input_name ~ '__' ~ table_name) }}
        where reject_reason is not null
    {% endfor %}
),

final as (
    select
        {{ dbt.hash(dbt.concat(['source_table', "'|'", 'raw_row'])) }} as rejected_row_id,
        source_table,
        reject_reason,
        raw_row
    from rejected
)

select * from final
