{{ config(enabled=input_enabled('search_console', ['keyword_rankings'])) }}
{#-
    One row per distinct landed row of Fivetran's keyword report (keyword_site_report_by_site),
    typed, exact copies folded (`landed_copies`). The query column is `query`, or `keyword` on
    older connections; search_type absent reads as web. No rows when the table is not landed (the
    bulk export's table is read instead: stg_search_console__site_impressions).
-#}
{%- set landed = source('search_console', 'keyword_site_report_by_site') -%}
{%- set exists = landed_table_exists(landed) -%}
{%- set present = landed_columns(landed) -%}
{%- if execute and exists and 'query' not in present and 'keyword' not in present -%}
    {{ exceptions.raise_compiler_error(
        "search_console: table 'keyword_site_report_by_site' is missing column 'query'"
        ~ " (older connections name it 'keyword'; in " ~ landed ~ ")"
    ) }}
{%- endif -%}
{%- set query_column = 'keyword' if execute and exists and 'query' not in present else 'query' -%}
{%- set columns = ['date', 'site', query_column, 'country', 'device', 'impressions', 'position'] %}

with

source as (
    {{ landed_rows_if_read(landed, exists, columns) }}
),

renamed as (
    select
        -- dimensions
        {{ parse_date(landed_text(adapter.quote('date'))) }} as ranked_on,
        {{ landed_text('site') }} as site,
        {{ landed_text(adapter.quote(query_column)) }} as query,
        false as is_anonymized_query,
        coalesce(lower({{ landed_text('search_type', present) }}), 'web') as search_type,
        {{ landed_text('country') }} as country,
        {{ landed_text('device') }} as device,

        -- numerics
        {{ parse_number(landed_text('impressions')) }} as impressions,
        {{ parse_number(landed_text(adapter.quote('position'))) }} as ranking_position,

        -- exact copies of the landed row folded into this one
        landed_copies
    from source
),

final as (
    select
        *,
        'search_console.keyword_site_report_by_site' as source_table,
        -- the row's share of the impressions-weighted mean position
        ranking_position * impressions as position_x_impressions
    from renamed
)

select * from final
