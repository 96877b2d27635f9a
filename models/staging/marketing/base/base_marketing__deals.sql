{%- set columns = [
    'deal_id',
    'lead_id',
    'created_at',
    'closed_at',
    'stage',
    'amount',
    'currency',
] -%}

with

{{ raw_rows_keyed('deals', columns, ['deal_id']) }},

clean_leads as (
    select lead_id from {{ ref('stg_marketing__leads') }}
),

parsed as (
    select
        *,
        {{ parse_timestamp('created_at') }} as created_at_parsed,
        {{ parse_timestamp('closed_at') }} as closed_at_parsed,
        lower(stage) as stage_normalized,
        {{ parse_raw_number('amount') }} as amount_parsed,
        upper(currency) as currency_normalized
    from keyed
),

converted as (
    -- a deal converts at the rate of the month it closed in, an open deal at its creation month
    select
        parsed.*,
        {{ fx_rate('parsed.currency_normalized') }} as fx_rate,
        clean_leads.lead_id is not null as has_clean_lead
    from parsed
    {{ fx_rate_join('parsed.currency_normalized', 'coalesce(parsed.closed_at_parsed, parsed.created_at_parsed)') }}
    left join clean_leads on parsed.lead_id = clean_leads.lead_id
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when deal_id is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when
                created_at is null
                or amount is null or currency is null
                or (stage_normalized = 'won' and closed_at is null)
                then 'missing_value'
            when
                {{ is_unreadable('created_at', 'created_at_parsed') }}
                or {{ is_unreadable('closed_at', 'closed_at_parsed') }}
                then 'bad_timestamp'
            when
                {{ is_implausible('created_at_parsed') }}
                or {{ is_implausible('closed_at_parsed') }}
                then 'implausible_date'
            when {{ is_unreadable('amount', 'amount_parsed') }} then 'bad_number'
            when amount_parsed < 0 then 'negative_amount'
            when closed_at_parsed < created_at_parsed then 'end_before_start'
            when stage_normalized is null or stage_normalized not in ('open', 'won', 'lost') then 'invalid_stage'
            when fx_rate is null then 'unknown_currency'
            when not has_clean_lead then 'orphan_lead_id'
        end as reject_reason
    from converted
),

final as (
    select
        -- ids
        deal_id,
        lead_id,

        -- strings
        stage_normalized as stage,
        currency_normalized as original_currency,

        -- numerics (amount in the reporting currency)
        cast({{ money_product('amount_parsed', 'fx_rate') }} as {{ money_type() }}) as amount,
        amount_parsed as original_amount,
        cast(fx_rate as {{ dbt.type_numeric() }}) as fx_rate,

        -- booleans
        coalesce(stage_normalized = 'won', false) as is_won,

        -- timestamps (UTC)
        created_at_parsed as created_at,
        closed_at_parsed as closed_at,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from checked
)

select * from final
