{#-
    The last steps shared by the three ad-platform connectors (docs/connectors.md): campaign
    versions -> one `campaigns` row per campaign (its current version; older versions are
    collapsed), and landed stats rows -> one `costs` row per campaign and day (`media`, summed over
    every other segment). Ids become `<input>:<platform id>`; columns are text, as the contract's
    base models read every input; ids, names and keys are masked (mask_emails, privacy.sql).
-#}

{#-
    `versions_cte`: campaign_id, campaign_name, start_date, end_date, is_current_version, plus
    whatever `channel_sql` reads. `ended_on_sql` turns end_date into the contract's end.
-#}
{% macro ad_campaign_rows(input_name, versions_cte, channel_sql, ended_on_sql='end_date') -%}
campaign_landed_rows as (
    select
        campaign_id,
        count(*) as landed_rows
    from {{ versions_cte }}
    group by campaign_id
),

campaign_rows as (
    select
        -- contract columns
        {{ mask_emails(platform_campaign_id(input_name, versions_cte ~ '.campaign_id')) }} as campaign_id,
        {{ mask_emails(versions_cte ~ '.campaign_name') }} as campaign_name,
        {{ channel_sql }} as channel,
        cast({{ versions_cte }}.start_date as {{ dbt.type_string() }}) as started_on,
        cast({{ ended_on_sql }} as {{ dbt.type_string() }}) as ended_on,

        -- landed row accounting: older versions are collapsed into the current one
        '{{ input_name }}.campaign_history' as source_table,
        {{ mask_emails(versions_cte ~ '.campaign_id') }} as landed_key,
        campaign_landed_rows.landed_rows,
        cast(null as {{ dbt.type_string() }}) as reject_reason
    from {{ versions_cte }}
    inner join campaign_landed_rows
        on {{ versions_cte }}.campaign_id = campaign_landed_rows.campaign_id
    where {{ versions_cte }}.is_current_version
)
{%- endmacro %}

{#-
    `stats_cte`: one row per distinct landed stats row with campaign_id (platform id, NULL when
    unknown), stats_date, channel, currency, amount, impressions, clicks and landed_copies (exact
    copies folded into it, which count as collapsed). Rows with 0 spend are kept.
-#}
{% macro ad_cost_rows(input_name, stats_table, stats_cte) -%}
cost_rows as (
    select
        -- contract columns
        cast(stats_date as {{ dbt.type_string() }}) as cost_date,
        channel,
        {{ mask_emails(platform_campaign_id(input_name, 'campaign_id')) }} as campaign_id,
        'media' as cost_category,
        -- NULL (the contract rejects it) when any of the day's rows has a cost that is no number
        {{ contract_number_text(
            'case when max(case when has_unreadable_cost then 1 else 0 end) = 0 then sum(amount) end'
        ) }} as amount,
        currency,
        cast(cast(sum(impressions) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) as impressions,
        cast(cast(sum(clicks) as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }}) as clicks,

        -- landed row accounting: a campaign-day's rows are collapsed into one cost row
        '{{ input_name }}.{{ stats_table }}' as source_table,
        {{ mask_emails(dbt.concat([
            "coalesce(campaign_id, '')", "'|'", "coalesce(cast(stats_date as " ~ dbt.type_string() ~ "), '')"
        ])) }} as landed_key,
        sum(landed_copies) as landed_rows,
        cast(null as {{ dbt.type_string() }}) as reject_reason
    from {{ stats_cte }}
    group by stats_date, channel, campaign_id, currency
)
{%- endmacro %}

{#- A number as contract text, at the contract's numeric scale: the same text on every adapter. -#}
{% macro contract_number_text(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_numeric() }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro platform_campaign_id(input_name, platform_id) -%}
    {{ dbt.concat(["'" ~ input_name ~ ":'", platform_id]) }}
{%- endmacro %}

{#- Google Ads advertising_channel_type -> channel: var google_ads_channel_types over the defaults. -#}
{% macro google_ads_channel(channel_type) -%}
    {%- set types = {
        'SEARCH': 'paid_search',
        'SHOPPING': 'paid_search',
        'PERFORMANCE_MAX': 'paid_search',
        'DISPLAY': 'display',
        'VIDEO': 'display',
        'DEMAND_GEN': 'display',
        'DISCOVERY': 'display',
    } -%}
    {%- for channel_type_value, channel in (var('google_ads_channel_types', none) or {}).items() -%}
        {%- do types.update({channel_type_value | upper: channel}) -%}
    {%- endfor -%}
    case {{ channel_type }}
        {%- for channel_type_value, channel in types.items() %}
        when '{{ channel_type_value | upper }}' then '{{ channel }}'
        {%- endfor %}
        else 'paid_search'
    end
{%- endmacro %}
