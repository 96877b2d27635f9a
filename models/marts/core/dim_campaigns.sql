{#-
    One row per campaign id the data knows: every clean campaign of the campaigns table, plus ids
    that appear only on costs, leads or touchpoints (has_campaign_record false; name, channel and
    dates unknown), so every campaign_id in the marts and fct_kpis joins to a row here.
-#}
with

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

costs as (
    select * from {{ ref('stg_marketing__costs') }}
),

leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
),

referenced_ids as (
    select campaign_id from costs
    union
    select original_campaign_id as campaign_id from leads
    union
    select campaign_id from touchpoints
),

unlisted as (
    select referenced_ids.campaign_id
    from referenced_ids
    left join campaigns
        on referenced_ids.campaign_id = campaigns.campaign_id
    where
        referenced_ids.campaign_id is not null
        and campaigns.campaign_id is null
),

all_campaigns as (
    select
        campaign_id,
        campaign_name,
        channel,
        started_on,
        ended_on,
        true as has_campaign_record
    from campaigns

    union all

    select
        campaign_id,
        null as campaign_name,
        null as channel,
        null as started_on,
        null as ended_on,
        false as has_campaign_record
    from unlisted
),

final as (
    select
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
        cast(coalesce(campaign_name, campaign_id) as {{ dbt.type_string() }}) as campaign_label,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(started_on as date) as started_on,
        cast(ended_on as date) as ended_on,
        cast(has_campaign_record as boolean) as has_campaign_record
    from all_campaigns
)

select * from final
