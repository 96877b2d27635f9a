{#-
    The attribution measures, wide: revenue, attributed revenue and gross profit next to media and
    marketing cost, per month x dimension value x attribution model - the inputs of revenue,
    attributed_revenue, roas, poas and romi, which kpi_rows turns into KPI rows from the catalog.
    Total rows (dimension `total`, value `all`, attribution_model NULL) carry all revenue and gross
    profit, which is also their attributed revenue and gross profit (every conversion is credited,
    `unattributed` included); channel and campaign rows carry the attributed amounts of each model.
    Costs come from the acquisition measures (int_acquisition_measures_by_dimension), so cost is
    defined once. credits, media_cost_lines and marketing_cost_lines count the rows behind the
    amounts: the KPIs' grid rules (catalog rows_when) read them.

    Grid: every month of the data range x every channel / campaign that has credit in any month
    (any model; `unattributed` is a channel) or media / marketing cost in any month x every model;
    the has_* flags say which.
    Sums over nothing are 0. Per-credit amounts (doubles) and gross profit are summed with
    exact_sum (each row rounded to 12 decimals, then an exact decimal sum), so every build gives
    the same bits whatever order the rows are added in (DECISIONS.md "Identical rebuilds").
-#}
with

months as (
    select * from {{ ref('int_months_spined') }}
),

conversions as (
    select * from {{ ref('int_conversions_unioned') }}
),

credits as (
    select * from {{ ref('int_attribution_credits_unioned') }}
),

acquisition_measures as (
    select * from {{ ref('int_acquisition_measures_by_dimension') }}
),

models as (
    {{ attribution_models_values() }}
),

costs as (
    select
        month,
        dimension,
        dimension_value,
        cast(media_cost as {{ double_type() }}) as media_cost,
        cast(marketing_cost as {{ double_type() }}) as marketing_cost,
        media_cost_lines,
        marketing_cost_lines
    from acquisition_measures
),

revenue_by_month as (
    select
        conversion_month as month,
        sum(revenue) as revenue,
        {{ exact_sum('gross_profit') }} as gross_profit
    from conversions
    group by conversion_month
),

credit_rows as (
    select
        conversion_month as month,
        cast('channel' as {{ dbt.type_string() }}) as dimension,
        channel as dimension_value,
        attribution_model,
        attributed_revenue,
        attributed_gross_profit
    from credits
    union all
    select
        conversion_month as month,
        cast('campaign' as {{ dbt.type_string() }}) as dimension,
        campaign_id as dimension_value,
        attribution_model,
        attributed_revenue,
        attributed_gross_profit
    from credits
    where campaign_id is not null
),

credits_by_value as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        {{ exact_sum('attributed_revenue') }} as attributed_revenue,
        {{ exact_sum('attributed_gross_profit') }} as attributed_gross_profit,
        count(*) as credits
    from credit_rows
    group by month, dimension, dimension_value, attribution_model
),

active_values as (
    select
        dimension,
        dimension_value,
        1 as has_credit,
        0 as has_media_cost,
        0 as has_marketing_cost
    from credit_rows
    union all
    select
        dimension,
        dimension_value,
        0 as has_credit,
        case when media_cost_lines > 0 then 1 else 0 end as has_media_cost,
        case when marketing_cost_lines > 0 then 1 else 0 end as has_marketing_cost
    from acquisition_measures
    where
        (media_cost_lines > 0 or marketing_cost_lines > 0)
        and dimension in ('channel', 'campaign')
),

dimension_values as (
    select
        dimension,
        dimension_value,
        max(has_credit) = 1 as has_credit_activity,
        max(has_media_cost) = 1 as has_media_cost_activity,
        max(has_marketing_cost) = 1 as has_marketing_cost_activity
    from active_values
    group by dimension, dimension_value
),

grid as (
    select
        months.month,
        cast('total' as {{ dbt.type_string() }}) as dimension,
        cast('all' as {{ dbt.type_string() }}) as dimension_value,
        cast(null as {{ dbt.type_string() }}) as attribution_model,
        true as has_credit_activity,
        true as has_media_cost_activity,
        true as has_marketing_cost_activity
    from months
    union all
    select
        months.month,
        dimension_values.dimension,
        dimension_values.dimension_value,
        models.attribution_model,
        dimension_values.has_credit_activity,
        dimension_values.has_media_cost_activity,
        dimension_values.has_marketing_cost_activity
    from months
    cross join dimension_values
    cross join models
),

amounts as (
    select
        grid.month,
        grid.dimension,
        grid.dimension_value,
        grid.attribution_model,
        grid.has_credit_activity,
        grid.has_media_cost_activity,
        grid.has_marketing_cost_activity,
        cast(coalesce(costs.media_cost, 0) as {{ double_type() }}) as media_cost,
        cast(coalesce(costs.marketing_cost, 0) as {{ double_type() }}) as marketing_cost,
        case
            when grid.dimension = 'total' then cast(coalesce(revenue_by_month.revenue, 0) as {{ double_type() }})
        end as revenue,
        case
            when grid.dimension = 'total' then cast(coalesce(revenue_by_month.gross_profit, 0) as {{ double_type() }})
        end as gross_profit,
        cast(coalesce(credits_by_value.attributed_revenue, 0) as {{ double_type() }}) as attributed_revenue,
        cast(coalesce(credits_by_value.attributed_gross_profit, 0) as {{ double_type() }}) as attributed_gross_profit,
        cast(coalesce(credits_by_value.credits, 0) as {{ dbt.type_bigint() }}) as credits,
        cast(coalesce(costs.media_cost_lines, 0) as {{ dbt.type_bigint() }}) as media_cost_lines,
        cast(coalesce(costs.marketing_cost_lines, 0) as {{ dbt.type_bigint() }}) as marketing_cost_lines
    from grid
    left join revenue_by_month
        on
            grid.month = revenue_by_month.month
            and grid.dimension = 'total'
    left join credits_by_value
        on
            grid.month = credits_by_value.month
            and grid.dimension = credits_by_value.dimension
            and grid.dimension_value = credits_by_value.dimension_value
            and grid.attribution_model = credits_by_value.attribution_model
    left join costs
        on
            grid.month = costs.month
            and grid.dimension = costs.dimension
            and grid.dimension_value = costs.dimension_value
),

final as (
    select
        month,
        dimension,
        dimension_value,
        attribution_model,
        has_credit_activity,
        has_media_cost_activity,
        has_marketing_cost_activity,
        media_cost,
        marketing_cost,
        revenue,
        gross_profit,
        credits,
        media_cost_lines,
        marketing_cost_lines,
        -- the total's attributed amounts are all revenue and gross profit
        case when dimension = 'total' then revenue else attributed_revenue end as attributed_revenue,
        case when dimension = 'total' then gross_profit else attributed_gross_profit end as attributed_gross_profit
    from amounts
)

select * from final
