{{ config(materialized='table', enabled=input_enabled('facebook_ads', ['campaigns'])) }}
{#- Meta Ads campaigns as rows of the contract's `campaigns` table: the current version of each. -#}

with

versions as (
    select * from {{ ref('stg_facebook_ads__campaign_versions') }}
),

{{ ad_campaign_rows('facebook_ads', 'versions', "'paid_social'") }}

select * from campaign_rows
