with

base as (
    select * from {{ ref('base_marketing__keyword_rankings') }}
),

clean as (
    select
        keyword_ranking_id,
        keyword,
        ranking_position,
        search_volume,
        is_money_keyword,
        ranked_on
    from base
    where reject_reason is null and not is_collapsed_duplicate
)

select * from clean
