{#-
    The money keywords and their search volume, for the keyword_rankings rows the Search Console
    connector makes: the optional `money_keywords` table among the `files` inputs when it exists,
    else the seed of that name. Keywords are trimmed and lower-cased (matching is
    case-insensitive; an email-shaped keyword masked as the connector masks queries); a volume
    that is no integer is NULL, and a keyword listed with different volumes has none.
-#}
{%- set files_table = source('marketing', 'money_keywords') -%}
{%- set use_files = execute and load_relation(files_table) is not none %}

with

money_keywords as (
    select * from {{ files_table if use_files else ref('money_keywords') }}
),

cleaned as (
    select
        {{ mask_emails('lower(' ~ clean_text('keyword') ~ ')') }} as keyword,
        {{ parse_integer(clean_text('search_volume'), file_decimal_mark()) }} as search_volume
    from money_keywords
),

final as (
    select
        keyword,
        case when count(distinct search_volume) = 1 then min(search_volume) end as search_volume,
        count(distinct search_volume) > 1 as has_conflicting_volumes
    from cleaned
    where keyword is not null
    group by keyword
)

select * from final
