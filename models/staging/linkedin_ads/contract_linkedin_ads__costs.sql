{{ config(materialized='table', enabled=input_enabled('linkedin_ads', ['costs'])) }}
{#-
    LinkedIn Ads spend as rows of the contract's `costs` table: one `media` row per campaign and
    day, in the currency of the campaign's account (var linkedin_ads_cost_currency: usd takes
    cost_in_usd in USD instead).
-#}
{%- set cost_currency = var('linkedin_ads_cost_currency', 'local') | lower -%}
{%- if cost_currency not in ['local', 'usd'] -%}
    {{ exceptions.raise_compiler_error(
        "var linkedin_ads_cost_currency must be local or usd, got '" ~ cost_currency ~ "'"
    ) }}
{%- endif %}
{%- set in_usd = cost_currency == 'usd' %}

with

stats as (
    select * from {{ ref('stg_linkedin_ads__campaign_stats') }}
),

campaigns as (
    select * from {{ ref('stg_linkedin_ads__campaign_versions') }}
    where is_current_version
),

accounts as (
    select * from {{ ref('stg_linkedin_ads__account_versions') }}
    where is_current_version
),

priced as (
    select
        stats.campaign_id,
        stats.stats_date,
        'paid_social' as channel,
        {{ "'USD'" if in_usd else 'accounts.currency' }} as currency,
        {{ 'stats.cost_in_usd' if in_usd else 'stats.cost_in_local_currency' }} as amount,
        stats.impressions,
        stats.clicks,
        stats.has_unreadable_cost,
        stats.landed_copies
    from stats
    left join campaigns on stats.campaign_id = campaigns.campaign_id
    left join accounts on campaigns.account_id = accounts.account_id
),

{{ ad_cost_rows('linkedin_ads', 'ad_analytics_by_campaign', 'priced') }}

select * from cost_rows
