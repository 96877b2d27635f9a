{#-
    One row per raw table x issue: rejected rows by reason, collapsed exact duplicates, raw
    channel strings that no mapping matched (kept as channel `other`), and connector UTM values
    that named no campaign (kept with a NULL campaign). The data-health panel reads it.
-#}
with

rejected_rows as (
    select * from {{ ref('stg_marketing__rejected_rows') }}
),

rejected as (
    select
        source_table,
        'rejected_row' as issue_type,
        reject_reason as issue,
        count(*) as affected_rows
    from rejected_rows
    group by source_table, reject_reason
),

{% for table_name in raw_table_names() %}
    {{ table_name }}_collapsed as (
        select
            '{{ table_name }}' as source_table,
            'collapsed_duplicate' as issue_type,
            'exact_duplicate' as issue,
            count(*) as affected_rows
        from {{ ref('base_marketing__' ~ table_name) }}
        where is_collapsed_duplicate
        having count(*) > 0
    ),

{% endfor %}
{% set channel_columns = {
    'campaigns': 'raw_channel',
    'costs': 'raw_channel',
    'leads': 'raw_original_channel',
    'touchpoints': 'raw_channel',
} %}
{% for table_name, column in channel_columns.items() %}
    {{ table_name }}_unmapped as (
        select
            '{{ table_name }}' as source_table,
            'unmapped_channel' as issue_type,
            coalesce({{ column }}, '(empty)') as issue,
            count(*) as affected_rows
        from {{ ref('stg_marketing__' ~ table_name) }}
        where not is_channel_mapped
        group by coalesce({{ column }}, '(empty)')
    ),

{% endfor %}
unmatched_campaigns as (
    select
        input_name as source_table,
        'unmatched_campaign' as issue_type,
        coalesce(utm_id, utm_campaign) as issue,
        unmatched_rows as affected_rows
    from {{ ref('fct_connector_unmatched_campaigns') }}
),

unioned as (
    select * from rejected
    union all
    select * from unmatched_campaigns
    {% for table_name in raw_table_names() %}
        union all
        select * from {{ table_name }}_collapsed
    {% endfor %}
    {% for table_name in channel_columns %}
        union all
        select * from {{ table_name }}_unmapped
    {% endfor %}
),

final as (
    select
        source_table,
        issue_type,
        issue,
        cast(affected_rows as {{ dbt.type_bigint() }}) as affected_rows
    from unioned
)

select * from final
