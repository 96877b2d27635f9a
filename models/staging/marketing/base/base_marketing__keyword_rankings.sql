{%- set columns = [
    'ranked_on',
    'keyword',
    'position',
    'is_money_keyword',
    'search_volume',
] -%}

with

{{ raw_rows_keyed('keyword_rankings', columns, ['ranked_on', 'keyword']) }},

parsed as (
    select
        *,
        {{ parse_date('ranked_on') }} as ranked_on_parsed,
        {{ parse_raw_integer('position') }} as position_parsed,
        {{ parse_boolean('is_money_keyword') }} as is_money_keyword_parsed,
        {{ parse_raw_integer('search_volume') }} as search_volume_parsed
    from keyed
),

checked as (
    select
        *,
        case
            when mkpi_malformed_row is not null then 'malformed_row'
            when copy_number > 1 then null
            when ranked_on is null or keyword is null then 'missing_key'
            when distinct_rows_with_key > 1 then 'duplicate_key'
            when position is null then 'missing_value'
            when {{ is_unreadable('ranked_on', 'ranked_on_parsed') }} then 'bad_timestamp'
            when {{ is_implausible('ranked_on_parsed') }} then 'implausible_date'
            when
                {{ is_unreadable('position', 'position_parsed') }}
                or {{ is_unreadable('search_volume', 'search_volume_parsed') }}
                or position_parsed < 1
                then 'bad_number'
            when is_money_keyword_parsed is null then 'bad_boolean'
            when search_volume_parsed < 0 then 'negative_amount'
        end as reject_reason
    from parsed
),

final as (
    select
        -- ids
        {{ dbt.hash(dbt.concat(['ranked_on', "'|'", 'keyword'])) }} as keyword_ranking_id,

        -- strings
        keyword,

        -- numerics
        position_parsed as ranking_position,
        search_volume_parsed as search_volume,

        -- booleans
        is_money_keyword_parsed as is_money_keyword,

        -- dates
        ranked_on_parsed as ranked_on,

        -- row quality
        copy_number > 1 as is_collapsed_duplicate,
        reject_reason,
        -- the raw row is kept where it is needed: on rejected rows
        {{ rejected_raw_row(columns) }} as raw_row
    from checked
)

select * from final
