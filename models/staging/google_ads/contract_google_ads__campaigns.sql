{{ config(materialized='table', enabled=input_enabled('google_ads', ['campaigns'])) }}
{#-
    Google Ads campaigns as rows of the contract's `campaigns` table: the current version of each
    campaign; the channel from advertising_channel_type; an end on or after 2037-12-30 is no end.
-#}

with

versions as (
    select * from {{ ref('stg_google_ads__campaign_versions') }}
),

{{ ad_campaign_rows(
    'google_ads', 'versions',
    google_ads_channel('versions.advertising_channel_type'),
    "case when versions.end_date < cast('2037-12-30' as date) then versions.end_date end",
) }}

select * from campaign_rows
