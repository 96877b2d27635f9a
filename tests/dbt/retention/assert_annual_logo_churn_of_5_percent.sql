{#- The catalog's annualisation: 5% monthly logo churn is 1 - 0.95^12 = 0.459639912... a year. -#}
with

annualised as (
    select {{ kpi_annual_logo_churn_rate('cast(0.05 as ' ~ double_type() ~ ')') }} as annual_logo_churn_rate
),

final as (
    select * from annualised
    where
        annual_logo_churn_rate is null
        or abs(annual_logo_churn_rate - 0.459639912337363) > 0.000000000001
)

select * from final
