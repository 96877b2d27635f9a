{#-
    Money-keyword rankings per month: the ranking rows flagged is_money_keyword (their count and
    position sum, for the mean position), and the money keywords ranked in the month with how many
    of them average position 10 or better over their money-flagged rows of the month. The page-one
    test compares the position sum with 10 x the row count, so a mean of exactly 10 is page one
    without any floating-point rounding. Every month of the data range.
-#}
with

months as (
    select * from {{ ref('int_months_spined') }}
),

keyword_rankings as (
    select * from {{ ref('stg_marketing__keyword_rankings') }}
),

money_rankings as (
    select
        keyword,
        ranking_position,
        cast({{ dbt.date_trunc('month', 'ranked_on') }} as date) as month
    from keyword_rankings
    where is_money_keyword
),

keyword_months as (
    select
        month,
        keyword,
        count(*) as ranking_rows,
        sum(ranking_position) as position_sum
    from money_rankings
    group by month, keyword
),

aggregated as (
    select
        month,
        sum(ranking_rows) as money_keyword_ranking_rows,
        sum(position_sum) as money_keyword_position_sum,
        count(*) as money_keywords_ranked,
        sum(case when position_sum <= 10 * ranking_rows then 1 else 0 end) as money_keywords_on_page_one
    from keyword_months
    group by month
),

final as (
    select
        months.month,
        cast(coalesce(aggregated.money_keyword_ranking_rows, 0) as {{ dbt.type_bigint() }})
            as money_keyword_ranking_rows,
        cast(coalesce(aggregated.money_keyword_position_sum, 0) as {{ dbt.type_bigint() }})
            as money_keyword_position_sum,
        cast(coalesce(aggregated.money_keywords_ranked, 0) as {{ dbt.type_bigint() }}) as money_keywords_ranked,
        cast(coalesce(aggregated.money_keywords_on_page_one, 0) as {{ dbt.type_bigint() }})
            as money_keywords_on_page_one
    from months
    left join aggregated
        on months.month = aggregated.month
)

select * from final
