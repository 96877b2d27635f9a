{#-
    One lookup for mapping raw channel strings, in the spec's order of precedence:
    `exact` keys are the raw strings as the seed spells them (trimmed); `normalized` keys are
    lower-cased, from the seed first and then the canonical names themselves (a raw value that
    already is a canonical channel maps to itself). Each (match_type, lookup_key) is unique: when
    two seed spellings differ only in case, the normalized key takes the first spelling in sort
    order, so the result never depends on load order.
-#}
with

mapping as (
    select * from {{ ref('channel_mapping') }}
),

channels as (
    select * from {{ ref('channels') }}
),

seed_keys as (
    select
        trim(raw_channel) as raw_channel,
        trim(lower(channel)) as channel
    from mapping
),

exact_keys as (
    select
        'exact' as match_type,
        raw_channel as lookup_key,
        channel,
        1 as precedence
    from seed_keys
),

normalized_candidates as (
    select
        lower(raw_channel) as lookup_key,
        channel,
        1 as precedence,
        raw_channel as tie_breaker
    from seed_keys

    union all

    select
        lower(channel) as lookup_key,
        channel,
        2 as precedence,
        channel as tie_breaker
    from channels
),

normalized_ranked as (
    select
        lookup_key,
        channel,
        precedence,
        row_number() over (
            partition by lookup_key
            order by precedence, tie_breaker
        ) as candidate_rank
    from normalized_candidates
),

normalized_keys as (
    select
        'normalized' as match_type,
        lookup_key,
        channel,
        precedence
    from normalized_ranked
    where candidate_rank = 1
),

final as (
    select * from exact_keys
    union all
    select * from normalized_keys
)

select * from final
