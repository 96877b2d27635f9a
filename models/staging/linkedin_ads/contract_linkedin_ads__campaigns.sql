{{ config(materialized='table', enabled=input_enabled('linkedin_ads', ['campaigns'])) }}
{#- LinkedIn Ads campaigns as rows of the contract's `campaigns` table: the current version of each. -#}

with

versions as (
    select * from {{ ref('stg_linkedin_ads__campaign_versions') }}
),

{{ ad_campaign_rows('linkedin_ads', 'versions', "'paid_social'") }}

select * from campaign_rows
