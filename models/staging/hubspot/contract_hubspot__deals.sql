{{ config(materialized='table', enabled=input_enabled('hubspot', ['deals'])) }}
{#-
    HubSpot deals as rows of the contract's `deals` table (docs/connectors.md), one per landed
    deal. Deleted deals (`deleted_in_source`) and deals merged into another (`merged_away`) are
    rejected here. The deal's lead: its associated contacts, each replaced by the contact it was
    merged into, kept if a clean lead; of several, the earliest created (then the smallest id);
    none leaves NULL, which the contract rejects (`orphan_lead_id`).
-#}

with

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

deal_contacts as (
    select * from {{ ref('stg_hubspot__deal_contacts') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

merged_deals as (
    select * from {{ ref('stg_hubspot__merged_deals') }}
),

surviving_contacts as (
    select * from {{ ref('stg_hubspot__contact_merges') }}
),

clean_leads as (
    select
        lead_id,
        created_at
    from {{ ref('stg_marketing__leads') }}
),

candidate_leads as (
    select distinct
        deal_contacts.deal_id,
        clean_leads.lead_id,
        clean_leads.created_at
    from deal_contacts
    left join surviving_contacts on deal_contacts.contact_id = surviving_contacts.merged_contact_id
    inner join clean_leads
        on coalesce(surviving_contacts.surviving_contact_id, deal_contacts.contact_id) = clean_leads.lead_id
),

ranked_leads as (
    select
        deal_id,
        lead_id,
        row_number() over (
            partition by deal_id
            order by {{ earliest_lead_first('created_at', 'lead_id') }}
        ) as lead_rank
    from candidate_leads
),

stage_values as (
    -- won if the stage is won; lost if closed (is_closed, or where the connection has no
    -- is_closed: probability 0) and not won; else open. A stage id landed with conflicting
    -- definitions has no stage.
    select
        stage_id,
        case when count(distinct stage) = 1 then min(stage) end as stage
    from (
        select
            stage_id,
            case
                when is_closed_won then 'won'
                when coalesce(is_closed, probability = 0) then 'lost'
                else 'open'
            end as stage
        from stages
    ) as defined
    group by stage_id
),

merged_away as (
    select distinct merged_deal_id from merged_deals
),

staged as (
    select
        deals.*,
        ranked_leads.lead_id,
        stage_values.stage,
        case
            when deals.is_deleted then 'deleted_in_source'
            when merged_away.merged_deal_id is not null then 'merged_away'
        end as reject_reason
    from deals
    left join ranked_leads
        on
            deals.deal_id = ranked_leads.deal_id
            and ranked_leads.lead_rank = 1
    left join stage_values on deals.pipeline_stage_id = stage_values.stage_id
    left join merged_away on deals.deal_id = merged_away.merged_deal_id
),

final as (
    select
        -- contract columns
        deal_id,
        lead_id,
        cast(created_at as {{ dbt.type_string() }}) as created_at,
        -- an open deal's close date is HubSpot's expected close date, not a close
        cast(case when stage in ('won', 'lost') then close_date_at end as {{ dbt.type_string() }}) as closed_at,
        stage,
        {{ contract_number_text('amount') }} as amount,
        coalesce(
            currency_code,
            '{{ (var("hubspot_default_currency", none) or var("reporting_currency", "EUR")) | upper }}'
        ) as currency,

        -- landed row accounting
        'hubspot.deal' as source_table,
        deal_id as landed_key,
        1 as landed_rows,
        reject_reason
    from staged
)

select * from final
