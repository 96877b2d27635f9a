{%- set columns = [
    'subscription_id',
    'lead_id',
    'plan',
    'mrr',
    'currency',
    'valid_from',
    'valid_to',
] -%}

with

{{ raw_rows_keyed('subscriptions', columns, ['subscription_id', 'valid_from']) }},

clean_leads as (
    select lead_id from {{ ref('stg_marketing__leads') }}
),

typed as (
    select
        *,
        {{ parse_date('valid_from') }} as valid_from_parsed,
        {{ parse_date('valid_to') }} as valid_to_read,
        {{ parse_raw_number('mrr') }} as mrr_parsed,
        upper(currency) as currency_normalized
    from keyed
),

parsed as (
    -- an end on or after the plausible window (9999-12-31, ...) is no end: still active
    select
        *,
        {{ open_end('valid_to_read') }} as valid_to_parsed
    from typed
),

converted as (
    -- a version converts at the rate of the month it starts in, so its MRR stays constant
    select
        parsed.*,
        {{ fx_rate('parsed.currency_normalized') }} as fx_rate,
        clean_leads.lead_id is not null as has_clean_lead
    from parsed
    {{ fx_rate_join('parsed.currency_normalized', 'parsed.valid_from_parsed') }}
    left join clean_leads on parsed.lead_id = clean_leads.lead_id
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when subscription_id is null or valid_from is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when mrr is null or currency is null then 'missing_value'
            when
                {{ is_unreadable('valid_from', 'valid_from_parsed') }}
                or {{ is_unreadable('valid_to', 'valid_to_read') }}
                then 'bad_timestamp'
            when {{ is_implausible('valid_from_parsed') }} or {{ is_implausible_end('valid_to_read') }}
                then 'implausible_date'
            when {{ is_unreadable('mrr', 'mrr_parsed') }} then 'bad_number'
            when mrr_parsed < 0 then 'negative_amount'
            when valid_to_parsed < valid_from_parsed then 'end_before_start'
            when fx_rate is null then 'unknown_currency'
            when not has_clean_lead then 'orphan_lead_id'
        end as row_reject_reason
    from converted
),

ordered_versions as (
    -- the versions that pass every row check, in order of valid_from within their subscription
    -- (the key makes valid_from unique there); a version valid on no day (valid_to = valid_from)
    -- overlaps nothing. NULL valid_to (still running) is an end after every date.
    select
        subscription_id,
        valid_from_parsed,
        max(coalesce(valid_to_parsed, cast('9999-12-31' as date))) over (
            partition by subscription_id
            order by valid_from_parsed
            rows between unbounded preceding and 1 preceding
        ) as latest_earlier_end,
        lead(valid_from_parsed) over (
            partition by subscription_id
            order by valid_from_parsed
        ) as next_start,
        coalesce(valid_to_parsed, cast('9999-12-31' as date)) as version_end
    from checked
    where
        row_reject_reason is null
        and copy_number = 1
        and (valid_to_parsed is null or valid_to_parsed > valid_from_parsed)
),

overlapping as (
    -- a version overlaps another when both are valid on some day: an earlier version ends after
    -- it starts, or the next one starts before it ends. Every such version is rejected, never one
    -- picked: the project cannot tell which of two conflicting versions is right.
    select
        subscription_id,
        valid_from_parsed
    from ordered_versions
    where latest_earlier_end > valid_from_parsed or next_start < version_end
),

rejected as (
    select
        checked.*,
        case
            when checked.row_reject_reason is not null then checked.row_reject_reason
            when overlapping.subscription_id is not null then 'overlapping_version'
        end as reject_reason
    from checked
    left join overlapping
        on
            checked.subscription_id = overlapping.subscription_id
            and checked.valid_from_parsed = overlapping.valid_from_parsed
            and checked.copy_number = 1
),

final as (
    select
        -- ids
        {{ dbt.hash(dbt.concat(['subscription_id', "'|'", 'valid_from'])) }} as subscription_version_id,
        subscription_id,
        lead_id,

        -- strings
        plan,
        currency_normalized as original_currency,

        -- numerics (MRR in the reporting currency)
        cast({{ money_product('mrr_parsed', 'fx_rate') }} as {{ money_type() }}) as mrr,
        mrr_parsed as original_mrr,
        cast(fx_rate as {{ dbt.type_numeric() }}) as fx_rate,

        -- dates (valid_to is exclusive; NULL = still active)
        valid_from_parsed as valid_from,
        valid_to_parsed as valid_to,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from rejected
)

select * from final
