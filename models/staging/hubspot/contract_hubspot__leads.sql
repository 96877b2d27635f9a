{{ config(materialized='table', enabled=input_enabled('hubspot', ['leads'])) }}
{#-
    HubSpot contacts as rows of the contract's `leads` table (docs/connectors.md), one per landed
    contact. Deleted contacts (`deleted_in_source`) and contacts merged into another
    (`merged_away`) are rejected here; the rest go through the contract's staging like files.
    Columns are text, as the contract's base model reads every input; email-shaped values of the
    text columns are masked (an address becomes its token, which the base model turns into
    email_hash); ids are HubSpot's numeric object ids.
-#}

with

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

lifecycle_changes as (
    select * from {{ ref('stg_hubspot__lifecycle_stage_changes') }}
),

merged_ids as (
    select merged_contact_id as merged_id from {{ ref('stg_hubspot__contact_merges') }}
),

lifecycle_from_history as (
    -- a skipped stage takes the later stage's time; moving back and forth keeps the first time
    select
        contact_id,
        min(case when stage_rank >= 3 then changed_at end) as mql_at,
        min(case when stage_rank >= 4 then changed_at end) as sql_at,
        min(case when stage_rank >= 6 then changed_at end) as customer_at
    from lifecycle_changes
    group by contact_id
),

with_url_values as (
    select
        contacts.*,
        lower({{ url_parameter('contacts.first_url', 'utm_source') }}) as utm_source,
        lower({{ url_parameter('contacts.first_url', 'utm_medium') }}) as utm_medium,
        -- masked before matching: an email-shaped campaign id or name is masked the same way
        {{ mask_emails(utm_value(url_parameter('contacts.first_url', 'utm_id'))) }} as utm_id,
        {{ mask_emails(utm_value(url_parameter('contacts.first_url', 'utm_campaign'))) }} as utm_campaign
    from contacts
),

with_utm_pair as (
    select
        *,
        case
            when utm_source is not null or utm_medium is not null
                then coalesce(utm_source, '(not set)') || ' / ' || coalesce(utm_medium, '(not set)')
        end as utm_channel
    from with_url_values
),

{{ match_campaigns('with_utm_pair') }},

{{ channel_rules_for('with_utm_pair', 'utm_channel', 'utm_channel_rules') }},

mapped as (
    select
        with_utm_pair_matched.*,
        -- the first URL's pair counts only when it maps to a channel
        case
            when {{ is_channel_mapped('utm') }} then with_utm_pair_matched.utm_channel
            else coalesce(with_utm_pair_matched.analytics_source, '(not set)')
        end as original_channel
    from with_utm_pair_matched
    {{ channel_lookup_joins('with_utm_pair_matched.utm_channel', 'utm_channel_rules', prefix='utm') }}
),

checked as (
    select
        mapped.*,
        case
            when mapped.is_deleted then 'deleted_in_source'
            when merged_ids.merged_id is not null then 'merged_away'
        end as reject_reason,
        case when mapped.has_lifecycle_columns then mapped.mql_at else history.mql_at end as mql_at_final,
        case when mapped.has_lifecycle_columns then mapped.sql_at else history.sql_at end as sql_at_final,
        case
            when mapped.has_lifecycle_columns then mapped.customer_at else history.customer_at
        end as customer_at_final
    from mapped
    left join merged_ids on mapped.contact_id = merged_ids.merged_id
    left join lifecycle_from_history as history on mapped.contact_id = history.contact_id
),

final as (
    select
        -- contract columns
        contact_id as lead_id,
        cast(created_at as {{ dbt.type_string() }}) as created_at,
        {{ mask_emails('email') }} as email,
        {{ mask_emails('original_channel') }} as original_channel,
        matched_campaign_id as original_campaign_id,
        cast(mql_at_final as {{ dbt.type_string() }}) as mql_at,
        cast(sql_at_final as {{ dbt.type_string() }}) as sql_at,
        cast(customer_at_final as {{ dbt.type_string() }}) as customer_at,

        -- campaign matching
        utm_id,
        utm_campaign,
        is_unmatched_campaign,

        -- landed row accounting
        'hubspot.contact' as source_table,
        contact_id as landed_key,
        1 as landed_rows,
        reject_reason
    from checked
)

select * from final
