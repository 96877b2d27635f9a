{{ config(materialized='table', enabled=input_enabled('shopify', ['orders'])) }}
{#-
    Shopify orders as rows of the contract's `orders` table (docs/connectors.md), one per landed
    order, plus one accounting row per landed order line (source_table `shopify.order_line`,
    never a contract row). Exclusions per order, the first that applies: deleted
    (`deleted_in_source`), test (`test_order`), cancelled (`cancelled_order`); its lines share the
    order's reason, the lines of a kept order are collapsed into it, and a line whose order is not
    landed at all is rejected as `orphan_order_line`.

    lead_id: the order's note attribute `lead_id`, else the clean lead whose email matches the
    order's email, else the one matching its customer's email (several: earliest created, then
    smallest id; none: NULL, which the contract rejects as `orphan_lead_id`). revenue: the
    subtotal, less the order's line taxes when prices include taxes. cogs: quantity x unit cost
    summed over the lines, via variant and inventory item; NULL when any line lacks one of them
    (or a quantity), or the order has no lines. Numbers stay exact decimals.
-#}

with

orders as (
    select * from {{ ref('stg_shopify__orders') }}
),

order_lines as (
    select * from {{ ref('stg_shopify__order_lines') }}
),

variants as (
    select * from {{ ref('stg_shopify__product_variants') }}
),

inventory_items as (
    select * from {{ ref('stg_shopify__inventory_items') }}
),

customers as (
    select * from {{ ref('stg_shopify__customers') }}
),

tax_lines as (
    select * from {{ ref('stg_shopify__tax_lines') }}
),

note_attributes as (
    select * from {{ ref('stg_shopify__order_note_attributes') }}
),

clean_leads as (
    select
        lead_id,
        email_hash,
        created_at
    from {{ ref('stg_marketing__leads') }}
    where email_hash is not null
),

variant_items as (
    -- lookups keyed by id: an id landed twice takes its smallest value, so no line is counted twice
    select
        variant_id,
        min(inventory_item_id) as inventory_item_id
    from variants
    group by variant_id
),

item_costs as (
    select
        inventory_item_id,
        min(unit_cost) as unit_cost
    from inventory_items
    group by inventory_item_id
),

customer_emails as (
    select distinct
        customer_id,
        email
    from customers
    where email is not null
),

order_fates as (
    -- per order id: kept when any landed row of it is kept, else the reason of its first row by
    -- the precedence of the reasons (what the order's lines share)
    select
        order_id,
        min(
            case
                when is_deleted then 1
                when is_test then 2
                when is_cancelled then 3
                else 0
            end
        ) as fate
    from orders
    group by order_id
),

costed_lines as (
    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.quantity * item_costs.unit_cost as line_cost
    from order_lines
    left join variant_items on order_lines.variant_id = variant_items.variant_id
    left join item_costs on variant_items.inventory_item_id = item_costs.inventory_item_id
),

order_cogs as (
    -- NULL when any line has no cost (no variant, no inventory item, no cost or no quantity)
    select
        order_id,
        case when count(*) = count(line_cost) then sum(line_cost) end as cogs
    from costed_lines
    group by order_id
),

order_taxes as (
    select
        order_lines.order_id,
        sum(tax_lines.price) as taxes
    from tax_lines
    inner join order_lines on tax_lines.order_line_id = order_lines.order_line_id
    group by order_lines.order_id
),

note_lead_ids as (
    select
        order_id,
        min(attribute_value) as lead_id
    from note_attributes
    where
        lower(attribute_name) = 'lead_id'
        and attribute_value is not null
    group by order_id
),

email_candidates as (
    -- 1: the order's email, 2: its customer's email (used only when the first matches no lead)
    select
        orders.order_id,
        1 as email_source,
        orders.email
    from orders
    where orders.email is not null

    union all

    select
        orders.order_id,
        2 as email_source,
        customer_emails.email
    from orders
    inner join customer_emails on orders.customer_id = customer_emails.customer_id
),

email_matches as (
    select distinct
        email_candidates.order_id,
        email_candidates.email_source,
        clean_leads.lead_id,
        clean_leads.created_at
    from email_candidates
    inner join clean_leads
        on {{ salted_email_hash('email_candidates.email') }} = clean_leads.email_hash
),

ranked_email_matches as (
    select
        order_id,
        lead_id,
        row_number() over (
            partition by order_id
            order by email_source, {{ earliest_lead_first('created_at', 'lead_id') }}
        ) as match_rank
    from email_matches
),

checked_orders as (
    select
        orders.*,
        order_cogs.cogs,
        coalesce(note_lead_ids.lead_id, ranked_email_matches.lead_id) as lead_id,
        case
            when orders.is_taxes_included
                then orders.subtotal_price - coalesce(order_taxes.taxes, 0)
            else orders.subtotal_price
        end as revenue,
        case
            when orders.is_deleted then 'deleted_in_source'
            when orders.is_test then 'test_order'
            when orders.is_cancelled then 'cancelled_order'
        end as reject_reason
    from orders
    left join note_lead_ids on orders.order_id = note_lead_ids.order_id
    left join ranked_email_matches
        on
            orders.order_id = ranked_email_matches.order_id
            and ranked_email_matches.match_rank = 1
    left join order_cogs on orders.order_id = order_cogs.order_id
    left join order_taxes on orders.order_id = order_taxes.order_id
),

checked_lines as (
    select
        order_lines.order_line_id,
        order_lines.order_id,
        case
            when order_fates.order_id is null then 'orphan_order_line'
            when order_fates.fate = 1 then 'deleted_in_source'
            when order_fates.fate = 2 then 'test_order'
            when order_fates.fate = 3 then 'cancelled_order'
        end as reject_reason
    from order_lines
    left join order_fates on order_lines.order_id = order_fates.order_id
),

order_rows as (
    select
        -- contract columns
        {{ mask_emails('order_id') }} as order_id,
        {{ mask_emails('lead_id') }} as lead_id,
        cast(coalesce(processed_at, created_at) as {{ dbt.type_string() }}) as ordered_at,
        {{ contract_number_text('revenue') }} as revenue,
        {{ contract_number_text('cogs') }} as cogs,
        {{ mask_emails('upper(currency_code)') }} as currency,

        -- landed row accounting
        'shopify.order' as source_table,
        {{ mask_emails('order_id') }} as landed_key,
        1 as landed_rows,
        reject_reason
    from checked_orders
),

line_rows as (
    -- never contract rows: each stands for one landed line, collapsed into its order or rejected
    select
        {{ mask_emails('order_id') }} as order_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as ordered_at,
        cast(null as {{ dbt.type_string() }}) as revenue,
        cast(null as {{ dbt.type_string() }}) as cogs,
        cast(null as {{ dbt.type_string() }}) as currency,
        'shopify.order_line' as source_table,
        {{ mask_emails('order_line_id') }} as landed_key,
        1 as landed_rows,
        reject_reason
    from checked_lines
),

final as (
    select * from order_rows
    union all
    select * from line_rows
)

select * from final
