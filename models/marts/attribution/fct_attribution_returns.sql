{#- Return on spend per month x dimension value x model: see _attribution__models.yml. -#}
with

returns as (
    select * from {{ ref('int_attribution_measures_by_dimension') }}
),

amounts as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        media_cost,
        marketing_cost,
        coalesce(attributed_revenue, revenue) as attributed_revenue,
        coalesce(attributed_gross_profit, gross_profit) as attributed_gross_profit
    from returns
),

final as (
    select
        cast(month as date) as month,
        cast(dimension as {{ dbt.type_string() }}) as dimension,
        cast(dimension_value as {{ dbt.type_string() }}) as dimension_value,
        cast(attribution_model as {{ dbt.type_string() }}) as attribution_model,
        cast(
            coalesce(attribution_model = '{{ default_attribution_model() }}', true) as boolean
        ) as is_default_model,
        cast(attributed_revenue as {{ double_type() }}) as attributed_revenue,
        cast(attributed_gross_profit as {{ double_type() }}) as attributed_gross_profit,
        cast(media_cost as {{ double_type() }}) as media_cost,
        cast(marketing_cost as {{ double_type() }}) as marketing_cost,
        cast({{ kpi_roas('attributed_revenue', 'media_cost') }} as {{ double_type() }}) as roas,
        cast({{ kpi_poas('attributed_gross_profit', 'media_cost') }} as {{ double_type() }}) as poas,
        cast({{ kpi_romi('attributed_revenue', 'marketing_cost') }} as {{ double_type() }}) as romi
    from amounts
)

select * from final
