{#- Every raw row that did not make it into clean staging, with its table and reason. -#}
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
