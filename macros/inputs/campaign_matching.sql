{#-
    match_campaign(utm_id, utm_campaign) of docs/connectors.md, as CTEs: connector rows carry UTM
    values, not campaign ids. `rows_cte` must have the columns `utm_id` and `utm_campaign`
    (already cleaned with utm_value()); the CTE `<rows_cte>_matched` adds `matched_campaign_id`
    and `is_unmatched_campaign`. Against the clean campaigns of every `campaigns` input:
      1. the campaign_mapping row whose utm_value is utm_id, else utm_campaign (case-insensitive);
      2. utm_id is a campaign's platform id (after `<input>:`) or its whole campaign_id;
      3. utm_campaign is a campaign_name, case-insensitive;
      4. otherwise NULL. A step that hits several campaigns is no hit.
    A row with a UTM value that matched nothing keeps NULL and is counted as unmatched.
-#}
{% macro match_campaigns(rows_cte) -%}
campaign_match_keys as (
    select
        'id' as key_type,
        campaign_id as match_value,
        campaign_id
    from {{ ref('stg_marketing__campaigns') }}

    union all

    select
        'id' as key_type,
        {{ dbt.split_part('campaign_id', "':'", 2) }} as match_value,
        campaign_id
    from {{ ref('stg_marketing__campaigns') }}
    where {{ dbt.position("':'", 'campaign_id') }} > 0

    union all

    select
        'name' as key_type,
        lower(trim(campaign_name)) as match_value,
        campaign_id
    from {{ ref('stg_marketing__campaigns') }}
),

campaign_match_hits as (
    select
        key_type,
        match_value,
        min(campaign_id) as campaign_id
    from campaign_match_keys
    group by key_type, match_value
    having count(distinct campaign_id) = 1
),

campaign_mapping_hits as (
    select
        utm_value,
        campaign_id
    from {{ ref('stg_marketing__campaign_mappings') }}
    where not is_ambiguous
),

{{ rows_cte }}_matched as (
    select
        {{ rows_cte }}.*,
        coalesce(
            mapped_by_id.campaign_id,
            mapped_by_campaign.campaign_id,
            by_id.campaign_id,
            by_name.campaign_id
        ) as matched_campaign_id,
        (
            ({{ rows_cte }}.utm_id is not null or {{ rows_cte }}.utm_campaign is not null)
            and coalesce(
                mapped_by_id.campaign_id,
                mapped_by_campaign.campaign_id,
                by_id.campaign_id,
                by_name.campaign_id
            ) is null
        ) as is_unmatched_campaign
    from {{ rows_cte }}
    left join campaign_mapping_hits as mapped_by_id
        on lower({{ rows_cte }}.utm_id) = mapped_by_id.utm_value
    left join campaign_mapping_hits as mapped_by_campaign
        on lower({{ rows_cte }}.utm_campaign) = mapped_by_campaign.utm_value
    left join campaign_match_hits as by_id
        on
            by_id.key_type = 'id'
            and {{ rows_cte }}.utm_id = by_id.match_value
    left join campaign_match_hits as by_name
        on
            by_name.key_type = 'name'
            and lower({{ rows_cte }}.utm_campaign) = by_name.match_value
)
{%- endmacro %}
