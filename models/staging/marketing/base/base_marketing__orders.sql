{%- set columns = [
    'order_id',
    'lead_id',
    'ordered_at',
    'revenue',
    'cogs',
    'currency',
] -%}

with

{{ raw_rows_keyed('orders', columns, ['order_id']) }},

clean_leads as (
    select lead_id from {{ ref('stg_marketing__leads') }}
),

parsed as (
    select
        *,
        {{ parse_timestamp('ordered_at') }} as ordered_at_parsed,
        {{ parse_raw_number('revenue') }} as revenue_parsed,
        {{ parse_raw_number('cogs') }} as cogs_parsed,
        upper(currency) as currency_normalized
    from keyed
),

converted as (
    select
        parsed.*,
        {{ fx_rate('parsed.currency_normalized') }} as fx_rate,
        clean_leads.lead_id is not null as has_clean_lead
    from parsed
    {{ fx_rate_join('parsed.currency_normalized', 'parsed.ordered_at_parsed') }}
    left join clean_leads on parsed.lead_id = clean_leads.lead_id
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when order_id is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when
                ordered_at is null or revenue is null or currency is null
                then 'missing_value'
            when {{ is_unreadable('ordered_at', 'ordered_at_parsed') }} then 'bad_timestamp'
            when {{ is_implausible('ordered_at_parsed') }} then 'implausible_date'
            when
                {{ is_unreadable('revenue', 'revenue_parsed') }}
                or {{ is_unreadable('cogs', 'cogs_parsed') }}
                then 'bad_number'
            when revenue_parsed < 0 or cogs_parsed < 0 then 'negative_amount'
            when fx_rate is null then 'unknown_currency'
            when not has_clean_lead then 'orphan_lead_id'
        end as reject_reason
    from converted
),

final as (
    select
        -- ids
        order_id,
        lead_id,

        -- strings
        currency_normalized as original_currency,

        -- numerics (money in the reporting currency; cogs NULL when the export has none)
        cast({{ money_product('revenue_parsed', 'fx_rate') }} as {{ money_type() }}) as revenue,
        cast({{ money_product('cogs_parsed', 'fx_rate') }} as {{ money_type() }}) as cogs,
        revenue_parsed as original_revenue,
        cogs_parsed as original_cogs,
        cast(fx_rate as {{ dbt.type_numeric() }}) as fx_rate,

        -- timestamps (UTC)
        ordered_at_parsed as ordered_at,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from checked
)

select * from final
