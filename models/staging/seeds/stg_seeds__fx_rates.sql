with

source as (
    select * from {{ ref('fx_rates') }}
),

renamed as (
    select
        upper(trim(currency)) as currency,
        cast({{ dbt.date_trunc('month', 'month') }} as date) as rate_month,
        cast(rate_to_reporting as {{ dbt.type_numeric() }}) as rate_to_reporting
    from source
)

select * from renamed
