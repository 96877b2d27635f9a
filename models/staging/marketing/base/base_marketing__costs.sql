{%- set columns = [
    'cost_date',
    'channel',
    'campaign_id',
    'cost_category',
    'amount',
    'currency',
    'impressions',
    'clicks',
] -%}

with

{{ raw_rows_keyed('costs', columns, []) }},

{{ channel_rules_for('keyed', 'channel') }},

parsed as (
    select
        keyed.*,
        {{ parse_date('keyed.cost_date') }} as cost_date_parsed,
        lower(keyed.cost_category) as cost_category_normalized,
        {{ parse_raw_number('keyed.amount') }} as amount_parsed,
        upper(keyed.currency) as currency_normalized,
        {{ parse_raw_integer('keyed.impressions') }} as impressions_parsed,
        {{ parse_raw_integer('keyed.clicks') }} as clicks_parsed,
        {{ mapped_channel() }} as mapped_channel,
        {{ is_channel_mapped() }} as is_channel_mapped
    from keyed
    {{ channel_lookup_joins('keyed.channel', 'channel_rules') }}
),

converted as (
    select
        parsed.*,
        {{ fx_rate('parsed.currency_normalized') }} as fx_rate
    from parsed
    {{ fx_rate_join('parsed.currency_normalized', 'parsed.cost_date_parsed') }}
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when
                cost_date is null or cost_category is null or amount is null or currency is null
                then 'missing_value'
            when {{ is_unreadable('cost_date', 'cost_date_parsed') }} then 'bad_timestamp'
            when {{ is_implausible('cost_date_parsed') }} then 'implausible_date'
            when
                {{ is_unreadable('amount', 'amount_parsed') }}
                or {{ is_unreadable('impressions', 'impressions_parsed') }}
                or {{ is_unreadable('clicks', 'clicks_parsed') }}
                then 'bad_number'
            when amount_parsed < 0 or impressions_parsed < 0 or clicks_parsed < 0 then 'negative_amount'
            when cost_category_normalized not in ('media', 'marketing_other', 'sales') then 'invalid_category'
            when fx_rate is null then 'unknown_currency'
        end as reject_reason
    from converted
),

final as (
    select
        -- ids
        {{ dbt.hash(raw_row_json(columns)) }} as cost_line_id,
        campaign_id,

        -- strings
        channel as raw_channel,
        mapped_channel as channel,
        cost_category_normalized as cost_category,
        currency_normalized as original_currency,

        -- numerics (amount in the reporting currency)
        cast({{ money_product('amount_parsed', 'fx_rate') }} as {{ money_type() }}) as amount,
        amount_parsed as original_amount,
        cast(fx_rate as {{ dbt.type_numeric() }}) as fx_rate,
        impressions_parsed as impressions,
        clicks_parsed as clicks,

        -- booleans
        is_channel_mapped,

        -- dates
        cost_date_parsed as cost_date,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from checked
)

select * from final
