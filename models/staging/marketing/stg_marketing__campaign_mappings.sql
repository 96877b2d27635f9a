{#-
    UTM value -> campaign, the first step of campaign matching for connector rows: the optional
    `campaign_mapping` table among the `files` inputs when it exists, else the seed of that name.
    Values are trimmed and lower-cased (matching is case-insensitive); a value mapped to several
    campaigns maps to none (`is_ambiguous`), as every matching step treats several hits.
-#}
{%- set files_table = source('marketing', 'campaign_mapping') -%}
{%- set use_files = execute and load_relation(files_table) is not none %}

with

mapping as (
    select * from {{ files_table if use_files else ref('campaign_mapping') }}
),

cleaned as (
    select
        -- masked as campaign ids and connector UTM values are, so an email-shaped value still matches
        lower({{ mask_emails(clean_text('utm_value')) }}) as utm_value,
        {{ mask_emails(clean_text('campaign_id')) }} as campaign_id
    from mapping
),

final as (
    select
        utm_value,
        min(campaign_id) as campaign_id,
        count(distinct campaign_id) > 1 as is_ambiguous
    from cleaned
    where utm_value is not null and campaign_id is not null
    group by utm_value
)

select * from final
