{{ config(materialized='table', enabled=input_enabled('facebook_ads', ['costs'])) }}
{#-
    Meta Ads spend as rows of the contract's `costs` table: one `media` row per campaign and day,
    summed over the campaign's ads (an ad's campaign from its current ad_history version; an ad
    without one keeps its cost with no campaign), in the currency of the ad account.
-#}

with

stats as (
    select * from {{ ref('stg_facebook_ads__ad_stats') }}
),

ads as (
    select * from {{ ref('stg_facebook_ads__ad_versions') }}
    where is_current_version
),

accounts as (
    select * from {{ ref('stg_facebook_ads__account_versions') }}
    where is_current_version
),

priced as (
    select
        ads.campaign_id,
        stats.stats_date,
        'paid_social' as channel,
        accounts.currency,
        stats.spend as amount,
        stats.impressions,
        stats.clicks,
        stats.has_unreadable_cost,
        stats.landed_copies
    from stats
    left join ads on stats.ad_id = ads.ad_id
    left join accounts on stats.account_id = accounts.account_id
),

{{ ad_cost_rows('facebook_ads', 'basic_ad', 'priced') }}

select * from cost_rows
