{#-
    UTM values on connector rows that named no campaign (docs/connectors.md): the rows keep a NULL
    campaign, never dropped, and are counted here per input and value. A warn test reports them.
-#}
{%- set utm_models = connector_models_with_utm() %}

with

unioned as (
    -- typed and empty when no connector carries UTM values
    select
        cast(null as {{ dbt.type_string() }}) as input_name,
        cast(null as {{ dbt.type_string() }}) as utm_id,
        cast(null as {{ dbt.type_string() }}) as utm_campaign
    where 1 = 0
    {% for input_name, table_name in utm_models %}
        union all
        select
            '{{ input_name }}' as input_name,
            utm_id,
            utm_campaign
        from {{ ref('contract_' ~ input_name ~ '__' ~ table_name) }}
        where is_unmatched_campaign and reject_reason is null
    {% endfor %}
),

final as (
    select
        input_name,
        utm_id,
        utm_campaign,
        cast(count(*) as {{ dbt.type_bigint() }}) as unmatched_rows
    from unioned
    group by input_name, utm_id, utm_campaign
)

select * from final
