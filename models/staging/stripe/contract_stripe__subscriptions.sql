{{ config(materialized='table', enabled=input_enabled('stripe', ['subscriptions'])) }}
{#-
    Stripe invoice lines as versions of the contract's `subscriptions` table (docs/connectors.md).
    Each landed line is rejected here (void_invoice, proration_line, not_subscription_line, first
    that applies), or is a priced period of its subscription: MRR = unit_amount x quantity / minor
    units x the interval's share of a month, exact (macros/inputs/stripe_rows.sql).

    Versions per subscription: lines in order of (start, line id); each ends at the earlier of its
    own end and the next line's start; when the current subscription row has ended_at, every end
    is clipped to its date; a line left with start >= end is collapsed into the version of the
    surviving line before it (else after it). Consecutive lines with the same plan, MRR and
    currency where one ends the day the next starts merge into one version. The last version is
    open (valid_to NULL) while the subscription is active, trialing or past_due.

    landed_rows counts every line merged or collapsed into a version, so each landed line counts
    once: in a contract row, as collapsed, or rejected. A subscription whose every line collapses
    still gives one version, valid on no day (valid_to = valid_from), which carries its lines.
    The lead: the customer's metadata lead id when present, else the clean lead with the
    customer's email (earliest created, then smallest id); none leaves NULL (orphan_lead_id).
-#}

with

lines as (
    select * from {{ ref('stg_stripe__invoice_line_items') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

subscription_versions as (
    select * from {{ ref('stg_stripe__subscription_versions') }}
),

prices as (
    select * from {{ ref('stg_stripe__prices') }}
),

customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

clean_leads as (
    select
        lead_id,
        email_hash,
        created_at
    from {{ ref('stg_marketing__leads') }}
),

invoice_states as (
    -- an invoice landed twice is usable only when no copy is deleted, draft or void
    select
        invoice_id,
        max(
            case when is_deleted or coalesce(invoice_status, '') in ('draft', 'void') then 1 else 0 end
        ) as is_void
    from invoices
    group by invoice_id
),

current_prices as (
    select
        *,
        row_number() over (partition by price_id order by nickname, unit_amount) as price_copy
    from prices
),

current_subscriptions as (
    select
        subscription_id,
        customer_id,
        subscription_status,
        cast(ended_at as date) as ended_on
    from subscription_versions
    where is_current_version
),

checked as (
    select
        lines.*,
        case
            when invoice_states.invoice_id is null or invoice_states.is_void = 1 then 'void_invoice'
            when lines.is_proration then 'proration_line'
            when coalesce(lines.line_type, '') != 'subscription' or lines.subscription_id is null
                then 'not_subscription_line'
        end as reject_reason
    from lines
    left join invoice_states on lines.invoice_id = invoice_states.invoice_id
),

priced as (
    select
        checked.line_id,
        checked.subscription_id,
        checked.currency,
        cast(checked.period_start_at as date) as line_start,
        cast(checked.period_end_at as date) as line_end,
        coalesce(current_prices.nickname, checked.price_id) as plan,
        case
            when checked.amount = 0 then cast(0 as {{ money_type() }})
            else {{ stripe_mrr(
                'current_prices.unit_amount',
                'coalesce(checked.quantity, 1)',
                'current_prices.recurring_interval',
                'coalesce(current_prices.recurring_interval_count, 1)',
                stripe_currency_minor('checked.currency'),
            ) }}
        end as mrr
    from checked
    left join current_prices
        on
            checked.price_id = current_prices.price_id
            and current_prices.price_copy = 1
    where checked.reject_reason is null
),

ordered as (
    -- a line whose period does not read cannot be placed among the others: it stays alone
    -- (line_seq NULL) and goes out with no valid_from, which the contract rejects
    select
        priced.*,
        case
            when priced.line_start is not null and priced.line_end is not null
                then row_number() over (
                    partition by
                        priced.subscription_id,
                        priced.line_start is not null and priced.line_end is not null
                    order by priced.line_start, priced.line_id
                )
        end as line_seq
    from priced
),

cut as (
    select
        ordered.*,
        current_subscriptions.ended_on,
        current_subscriptions.subscription_status,
        current_subscriptions.customer_id,
        lead(ordered.line_start) over (
            partition by ordered.subscription_id, ordered.line_seq is not null
            order by ordered.line_seq
        ) as next_start
    from ordered
    left join current_subscriptions on ordered.subscription_id = current_subscriptions.subscription_id
),

clipped as (
    -- the earlier of the own end, the next line's start and the subscription's end
    select
        *,
        case
            when next_start is not null and next_start < line_end then next_start
            else line_end
        end as cut_end
    from cut
),

ended as (
    select
        *,
        case
            when ended_on is not null and ended_on < cut_end then ended_on
            else cut_end
        end as version_end
    from clipped
),

surviving as (
    select
        *,
        line_seq is not null and line_start < version_end as is_surviving
    from ended
),

with_previous as (
    select
        *,
        lag(plan) over (partition by subscription_id, is_surviving order by line_seq) as previous_plan,
        lag(mrr) over (partition by subscription_id, is_surviving order by line_seq) as previous_mrr,
        lag(currency) over (partition by subscription_id, is_surviving order by line_seq) as previous_currency,
        lag(version_end) over (partition by subscription_id, is_surviving order by line_seq) as previous_end,
        lag(line_seq) over (partition by subscription_id, is_surviving order by line_seq) as previous_seq
    from surviving
),

breaks as (
    -- a surviving line starts a new version unless it continues the one before it
    select
        *,
        case
            when
                is_surviving
                and previous_seq is not null
                and {{ same_value('previous_plan', 'plan') }}
                and {{ same_value('previous_mrr', 'mrr') }}
                and {{ same_value('previous_currency', 'currency') }}
                and previous_end = line_start
                then 0
            else 1
        end as starts_version
    from with_previous
),

grouped as (
    -- surviving lines: their version's number; collapsed lines: the number of the surviving line
    -- before them (else after them), taken below
    select
        *,
        case
            when is_surviving
                then sum(starts_version) over (
                    partition by subscription_id, is_surviving
                    order by line_seq
                    rows between unbounded preceding and current row
                )
        end as surviving_version
    from breaks
),

attached as (
    select
        *,
        case
            when line_seq is null then null
            else coalesce(
                surviving_version,
                max(surviving_version) over (
                    partition by subscription_id, line_seq is not null
                    order by line_seq
                    rows between unbounded preceding and current row
                ),
                min(surviving_version) over (
                    partition by subscription_id, line_seq is not null
                    order by line_seq
                    rows between current row and unbounded following
                ),
                0
            )
        end as version_number
    from grouped
),

versions as (
    -- version 0: every line of the subscription collapsed; it is valid on no day
    select
        subscription_id,
        version_number,
        max(customer_id) as customer_id,
        max(subscription_status) as subscription_status,
        min(case when is_surviving or version_number = 0 then line_seq end) as first_seq,
        min(case when is_surviving or version_number = 0 then line_start end) as valid_from,
        max(case when is_surviving then version_end end) as valid_to,
        count(*) as landed_rows
    from attached
    where line_seq is not null
    group by subscription_id, version_number
),

version_values as (
    select
        versions.*,
        attached.line_id as first_line_id,
        attached.plan,
        attached.mrr,
        attached.currency,
        max(versions.version_number) over (partition by versions.subscription_id) as last_version
    from versions
    inner join attached
        on
            versions.subscription_id = attached.subscription_id
            and versions.first_seq = attached.line_seq
),

unplaced as (
    -- lines whose period does not read: one row each, no valid_from
    select
        subscription_id,
        customer_id,
        line_id as first_line_id,
        plan,
        mrr,
        currency,
        cast(null as date) as valid_from,
        line_end as valid_to,
        false as is_open,
        1 as landed_rows
    from attached
    where line_seq is null
),

placed as (
    select
        subscription_id,
        customer_id,
        first_line_id,
        plan,
        mrr,
        currency,
        valid_from,
        coalesce(valid_to, valid_from) as valid_to,
        version_number = last_version
        and version_number > 0
        and coalesce(subscription_status, '') in ('active', 'trialing', 'past_due') as is_open,
        landed_rows
    from version_values
),

contract_versions as (
    select * from placed
    union all
    select * from unplaced
),

email_leads as (
    select
        customers.customer_id,
        clean_leads.lead_id,
        row_number() over (
            partition by customers.customer_id
            order by {{ earliest_lead_first('clean_leads.created_at', 'clean_leads.lead_id') }}
        ) as lead_rank
    from customers
    inner join clean_leads on {{ salted_email_hash('customers.email') }} = clean_leads.email_hash
    where customers.email is not null
),

customer_leads as (
    -- a customer landed twice takes its first metadata lead id
    select
        customers.customer_id,
        coalesce(min(customers.metadata_lead_id), min(email_leads.lead_id)) as lead_id
    from customers
    left join email_leads
        on
            customers.customer_id = email_leads.customer_id
            and email_leads.lead_rank = 1
    group by customers.customer_id
),

final as (
    select
        -- contract columns
        contract_versions.subscription_id,
        customer_leads.lead_id,
        contract_versions.plan,
        {{ decimal_text('contract_versions.mrr') }} as mrr,
        contract_versions.currency,
        cast(contract_versions.valid_from as {{ dbt.type_string() }}) as valid_from,
        cast(
            case when not contract_versions.is_open then contract_versions.valid_to end as {{ dbt.type_string() }}
        ) as valid_to,

        -- landed row accounting
        'stripe.invoice_line_item' as source_table,
        contract_versions.first_line_id as landed_key,
        contract_versions.landed_rows,
        cast(null as {{ dbt.type_string() }}) as reject_reason
    from contract_versions
    left join customer_leads on contract_versions.customer_id = customer_leads.customer_id

    union all

    select
        subscription_id,
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as plan,
        cast(null as {{ dbt.type_string() }}) as mrr,
        currency,
        cast(null as {{ dbt.type_string() }}) as valid_from,
        cast(null as {{ dbt.type_string() }}) as valid_to,
        'stripe.invoice_line_item' as source_table,
        line_id as landed_key,
        1 as landed_rows,
        reject_reason
    from checked
    where reject_reason is not null
)

select * from final
