{{ config(materialized='table', enabled=input_enabled('search_console', ['keyword_rankings'])) }}
{#-
    Search Console rows as rows of the contract's `keyword_rankings` table (docs/connectors.md):
    one row per day and keyword (the query lower-cased and trimmed) over sites, countries and
    devices, the position the impressions-weighted mean rounded half up (rows without impressions
    weigh nothing; when no row has impressions, the plain mean). Landed rows without a query are
    rejected as `anonymised_query`, then those of another search type than web as
    `not_web_search`, then, when var search_console_sites lists sites, those of other sites as
    `site_not_selected`. The landed table read is Fivetran's keyword report, else the bulk export's
    (each staging model holds rows only when its table is the one read).
-#}
{%- set sites = var('search_console_sites', none) -%}
{%- set sites = [sites] if sites is string else sites -%}
{%- if sites is not none and (sites is not iterable or sites is mapping) -%}
    {{ exceptions.raise_compiler_error(
        "var search_console_sites must be a list of sites (or null for all), got '" ~ sites ~ "'"
    ) }}
{%- endif %}

with

reports as (
    select * from {{ ref('stg_search_console__keyword_reports') }}
),

bulk_export as (
    select * from {{ ref('stg_search_console__site_impressions') }}
),

money_keywords as (
    select * from {{ ref('stg_marketing__money_keywords') }}
),

landed as (
    select
        ranked_on,
        site,
        query,
        is_anonymized_query,
        search_type,
        country,
        device,
        impressions,
        ranking_position,
        position_x_impressions,
        landed_copies,
        source_table
    from reports

    union all

    select
        ranked_on,
        site,
        query,
        is_anonymized_query,
        search_type,
        country,
        device,
        impressions,
        ranking_position,
        position_x_impressions,
        landed_copies,
        source_table
    from bulk_export
),

checked as (
    select
        *,
        {{ mask_emails('lower(query)') }} as keyword,
        case
            when query is null or is_anonymized_query then 'anonymised_query'
            when search_type != 'web' then 'not_web_search'
            {%- if sites is not none %}
            when lower(coalesce(site, '')) not in (
                {%- for site in sites %}
                '{{ site | string | trim | lower | replace("'", "''") }}'{{ ',' if not loop.last }}
                {%- endfor %}
                {%- if sites | length == 0 %}''{% endif %}
            ) then 'site_not_selected'
            {%- endif %}
        end as reject_reason
    from landed
),

rejected as (
    -- one row per rejected landed row (exact copies together)
    select
        reject_reason,
        source_table,
        {{ dbt.concat([
            "coalesce(cast(ranked_on as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(" ~ mask_emails('site') ~ ", '')", "'|'",
            "coalesce(" ~ mask_emails('query') ~ ", '')", "'|'",
            "coalesce(" ~ mask_emails('country') ~ ", '')", "'|'",
            "coalesce(" ~ mask_emails('device') ~ ", '')", "'|'",
            "search_type",
        ]) }} as landed_key,
        landed_copies
    from checked
    where reject_reason is not null
),

rejected_rows as (
    -- landed rows that differ only in columns outside the key share one reject row, with the
    -- reason that comes first (the codes sort in their order of precedence)
    select
        source_table,
        landed_key,
        min(reject_reason) as reject_reason,
        sum(landed_copies) as landed_rows
    from rejected
    group by source_table, landed_key
),

kept as (
    select
        *,
        -- a row weighs by its impressions when it has a position and impressions
        case
            when impressions > 0 and position_x_impressions is not null then impressions
        end as weight
    from checked
    where reject_reason is null
),

grouped as (
    select
        source_table,
        ranked_on,
        keyword,
        sum(case when weight is not null then position_x_impressions end) as weighted_sum,
        sum(weight) as weight_sum,
        sum(ranking_position) as position_sum,
        count(ranking_position) as positions,
        sum(landed_copies) as landed_rows
    from kept
    group by source_table, ranked_on, keyword
),

positioned as (
    select
        source_table,
        ranked_on,
        keyword,
        landed_rows,
        floor(
            case
                when weight_sum > 0 then weighted_sum / weight_sum
                when positions > 0 then position_sum / positions
            end + 0.5
        ) as ranking_position
    from grouped
),

ranked as (
    select
        positioned.source_table,
        positioned.ranked_on,
        positioned.keyword,
        positioned.landed_rows,
        positioned.ranking_position,
        money_keywords.search_volume,
        money_keywords.keyword is not null as is_money_keyword
    from positioned
    left join money_keywords on positioned.keyword = money_keywords.keyword
),

final as (
    select
        -- contract columns
        cast(ranked_on as {{ dbt.type_string() }}) as ranked_on,
        keyword,
        cast(cast(ranking_position as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) as position,
        case when is_money_keyword then 'true' else 'false' end as is_money_keyword,
        cast(search_volume as {{ dbt.type_string() }}) as search_volume,

        -- landed row accounting
        source_table,
        {{ dbt.concat([
            "coalesce(cast(ranked_on as " ~ dbt.type_string() ~ "), '')", "'|'", "keyword",
        ]) }} as landed_key,
        landed_rows,
        cast(null as {{ dbt.type_string() }}) as reject_reason
    from ranked

    union all

    select
        cast(null as {{ dbt.type_string() }}) as ranked_on,
        cast(null as {{ dbt.type_string() }}) as keyword,
        cast(null as {{ dbt.type_string() }}) as position,
        cast(null as {{ dbt.type_string() }}) as is_money_keyword,
        cast(null as {{ dbt.type_string() }}) as search_volume,
        source_table,
        landed_key,
        landed_rows,
        reject_reason
    from rejected_rows
)

select * from final
