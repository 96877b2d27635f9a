{{ config(enabled=input_enabled('search_console', ['keyword_rankings'])) }}
{#-
    One row per distinct landed row of Search Console's bulk export (searchdata_site_impression),
    typed, exact copies folded (`landed_copies`), with the row's position
    sum_top_position / impressions + 1 (NULL without impressions). Read only when Fivetran's
    keyword report is not landed (that table wins); one of the two tables must be landed.
-#}
{%- set landed = source('search_console', 'searchdata_site_impression') -%}
{%- set report = source('search_console', 'keyword_site_report_by_site') -%}
{%- set report_exists = landed_table_exists(report) -%}
{%- set exists = landed_table_exists(landed) -%}
{#- tooling (var enable_all_inputs: sqlfluff compiles every input without its tables) never stops -#}
{%- set is_tooling = var('enable_all_inputs', false) in [true, 'true', 'True'] -%}
{%- if execute and not report_exists and not exists and not is_tooling -%}
    {{ exceptions.raise_compiler_error(
        "search_console: neither table 'keyword_site_report_by_site' nor 'searchdata_site_impression'"
        ~ " found (in " ~ landed.schema ~ "; on DuckDB <raw_data_dir>/search_console/<table>.csv or .parquet)"
    ) }}
{%- endif -%}
{%- set is_read = exists and not (execute and report_exists) -%}
{#- the columns the select below reads: none of the table's when it is not read -#}
{%- set present = landed_columns(landed) if is_read else [] -%}
{%- set columns = [
    'data_date', 'site_url', 'query', 'is_anonymized_query', 'country', 'device', 'impressions',
    'sum_top_position',
] %}

with

source as (
    {{ landed_rows_if_read(landed, is_read, columns) }}
),

renamed as (
    select
        -- dimensions
        {{ parse_date(landed_text('data_date')) }} as ranked_on,
        {{ landed_text('site_url') }} as site,
        {{ landed_text('query') }} as query,
        {{ landed_flag('is_anonymized_query') }} as is_anonymized_query,
        coalesce(lower({{ landed_text('search_type', present) }}), 'web') as search_type,
        {{ landed_text('country') }} as country,
        {{ landed_text('device') }} as device,

        -- numerics
        {{ parse_number(landed_text('impressions')) }} as impressions,
        {{ parse_number(landed_text('sum_top_position')) }} as sum_top_position,

        -- exact copies of the landed row folded into this one
        landed_copies
    from source
),

final as (
    select
        ranked_on,
        site,
        query,
        is_anonymized_query,
        search_type,
        country,
        device,
        impressions,
        sum_top_position,
        landed_copies,
        'search_console.searchdata_site_impression' as source_table,
        -- zero-based top position summed over impressions: the mean is one-based
        case when impressions > 0 then sum_top_position / impressions + 1 end as ranking_position,
        -- the row's share of the impressions-weighted mean position
        sum_top_position + impressions as position_x_impressions
    from renamed
)

select * from final
