{#-
    Revenue events, each a conversion of its lead (spec "Conventions"): won deals at `closed_at`
    with `amount`, orders at `ordered_at` with `revenue`, in the reporting currency. Gross profit:
    orders revenue - cogs (cogs NULL: revenue x var gross_margin), deals amount x gross_margin.
    `opportunity_at` is when the W-shaped opportunity touch is taken: a deal's `created_at`; an
    order's own time, so its opportunity touch is the last touch of the path.
-#}
with

deals as (
    select * from {{ ref('stg_marketing__deals') }}
),

orders as (
    select * from {{ ref('stg_marketing__orders') }}
),

won_deals as (
    select
        'deal:' || deal_id as conversion_id,
        cast('deal' as {{ dbt.type_string() }}) as conversion_type,
        deal_id as source_id,
        lead_id,
        amount as revenue,
        cast(amount as {{ double_type() }}) * {{ var('gross_margin') }} as gross_profit,
        created_at as opportunity_at,
        closed_at as converted_at
    from deals
    where is_won and closed_at is not null
),

placed_orders as (
    select
        'order:' || order_id as conversion_id,
        cast('order' as {{ dbt.type_string() }}) as conversion_type,
        order_id as source_id,
        lead_id,
        revenue,
        cast(coalesce(revenue - cogs, revenue * {{ var('gross_margin') }}) as {{ double_type() }}) as gross_profit,
        ordered_at as opportunity_at,
        ordered_at as converted_at
    from orders
),

unioned as (
    select * from won_deals
    union all
    select * from placed_orders
),

final as (
    select
        conversion_id,
        conversion_type,
        source_id,
        lead_id,
        revenue,
        gross_profit,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date) as conversion_month,
        opportunity_at,
        converted_at
    from unioned
)

select * from final
