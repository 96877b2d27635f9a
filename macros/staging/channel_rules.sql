{#-
    Channel classification by rules (docs/raw-data.md "Channels"), the step after the seed
    `channel_mapping` (exact, then case-insensitive) and the canonical names. Applied to distinct
    values, never per row: `values_cte` has the column `lookup_key` (a raw channel string,
    lower-cased and trimmed); `output_cte` gets (lookup_key, channel) for every value a rule
    classifies.
    - `<source> / <medium>` pairs (also `source/medium` without spaces) by rules modelled on GA4's
      default channel group, with the known sites of seed `channel_source_categories`;
    - any other value is a label, classified by the keywords of seed `channel_label_keywords`.
-#}
{% macro channel_rule_ctes(values_cte, output_cte) -%}
{{ output_cte }}_split as (
    select
        lookup_key,
        {{ dbt.position("' / '", "' ' || lookup_key || ' '") }} as spaced_slash,
        {{ dbt.position("'/'", 'lookup_key') }} as slash,
        ' ' || lookup_key || ' ' as padded,
        {{ dbt.position("' '", 'lookup_key') }} = 0 as has_no_space
    from {{ values_cte }}
),

{{ output_cte }}_slashed as (
    select
        *,
        -- `a/b` in a value without spaces, a character on each side
        has_no_space and slash > 1 and slash < length(lookup_key) as is_bare_pair
    from {{ output_cte }}_split
),

{{ output_cte }}_parts as (
    -- a pair: ` / ` anywhere (split at the first), or `a/b` in a value without spaces
    select
        lookup_key,
        case
            when spaced_slash > 0 then trim(substr(padded, 1, spaced_slash - 1))
            when is_bare_pair then substr(lookup_key, 1, slash - 1)
        end as source_raw,
        case
            when spaced_slash > 0 then trim(substr(padded, spaced_slash + 3))
            when is_bare_pair then substr(lookup_key, slash + 1)
        end as medium_raw,
        spaced_slash > 0 or is_bare_pair as is_pair
    from {{ output_cte }}_slashed
),

{{ output_cte }}_pairs as (
    -- an empty side is `(not set)`; `www.`, `m.`, `l.`, `lm.` come off a source that keeps a dot
    select
        lookup_key,
        {{ regex_replace_group(
            "coalesce(nullif(source_raw, ''), '(not set)')", "'^(www|m|l|lm)[.](.+[.].+)$'", 2
        ) }} as source_name,
        coalesce(nullif(medium_raw, ''), '(not set)') as medium
    from {{ output_cte }}_parts
    where is_pair
),

{{ output_cte }}_site_hits as (
    -- the source is a known site: a domain entry (t.co) itself; a name (google) as itself, with a
    -- suffix (google.de, google.co.uk) or as a subdomain (news.google.com); webmail is no site
    select
        pairs.lookup_key,
        max(case when sites.category = 'search' then 1 else 0 end) = 1 as is_search_site,
        max(case when sites.category = 'social' then 1 else 0 end) = 1 as is_social_site,
        max(case when sites.category = 'video' then 1 else 0 end) = 1 as is_video_site,
        max(case when sites.category = 'shopping' then 1 else 0 end) = 1 as is_shopping_site
    from {{ output_cte }}_pairs as pairs
    inner join {{ ref('channel_source_categories') }} as sites
        on
            pairs.source_name not like 'mail.%'
            and pairs.source_name not like 'webmail.%'
            and (
                pairs.source_name = sites.source
                or (
                    {{ dbt.position("'.'", 'sites.source') }} = 0
                    and {{ regex_matches(
                        'pairs.source_name',
                        "'^(' || sites.source || '[.]([a-z]{2,3}[.])?[a-z]{2,}|.*[.]' || sites.source
                        || '[.]([a-z]{2,3}[.])?[a-z]{2,})$'"
                    ) }}
                )
            )
    group by pairs.lookup_key
),

{{ output_cte }}_pairs_classified as (
    select
        pairs.lookup_key,
        {{ channel_pair_rule(
            'pairs.source_name', 'pairs.medium',
            'coalesce(hits.is_search_site, false)', 'coalesce(hits.is_social_site, false)',
            'coalesce(hits.is_video_site, false)', 'coalesce(hits.is_shopping_site, false)',
        ) }} as channel
    from {{ output_cte }}_pairs as pairs
    left join {{ output_cte }}_site_hits as hits on pairs.lookup_key = hits.lookup_key
),

{{ output_cte }}_labels as (
    -- every run of characters other than a-z and 0-9 is one space
    select
        lookup_key,
        trim({{ replace_non_alphanumerics('lookup_key') }}) as label
    from {{ output_cte }}_parts
    where not is_pair
),

{{ output_cte }}_label_hits as (
    select
        labels.lookup_key,
        keywords.channel,
        row_number() over (partition by labels.lookup_key order by keywords.rule_order) as hit_rank
    from {{ output_cte }}_labels as labels
    inner join {{ ref('channel_label_keywords') }} as keywords
        on
            (keywords.match_type = 'whole_label' and labels.label = keywords.keyword)
            or (
                keywords.match_type = 'word'
                and {{ dbt.position("' ' || keywords.keyword || ' '", "' ' || labels.label || ' '") }} > 0
            )
),

{{ output_cte }} as (
    select
        lookup_key,
        channel
    from {{ output_cte }}_pairs_classified
    where channel is not null

    union all

    select
        lookup_key,
        channel
    from {{ output_cte }}_label_hits
    where hit_rank = 1
)
{%- endmacro %}

{#- A `<source> / <medium>` pair in GA4's default channel group order; NULL when no rule holds. -#}
{% macro channel_pair_rule(source, medium, is_search, is_social, is_video, is_shopping) -%}
    {%- set paid = regex_matches(medium, "'^(.*cp.*|ppc|retargeting|paid.*)$'") -%}
    case
        when {{ source }} = '(direct)' and {{ medium }} in ('(none)', '(not set)', 'none') then 'direct'
        when
            {{ medium }} in (
                'paid_social', 'paid-social', 'paidsocial', 'social_paid', 'social-paid',
                'paid social', 'social paid'
            )
            then 'paid_social'
        when {{ paid }} and ({{ is_shopping }} or {{ is_search }}) then 'paid_search'
        when {{ paid }} and {{ is_social }} then 'paid_social'
        when {{ paid }} and {{ is_video }} then 'display'
        when {{ medium }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm') then 'display'
        when {{ paid }} then 'paid_search'
        when {{ is_shopping }} then 'referral'
        when
            {{ is_social }}
            or {{ medium }} in (
                'social', 'social-network', 'social-media', 'sm', 'social network', 'social media'
            )
            then 'organic_social'
        when {{ is_video }} or {{ dbt.position("'video'", medium) }} > 0 then 'organic_social'
        when {{ is_search }} or {{ medium }} = 'organic' then 'organic_search'
        when {{ medium }} in ('referral', 'app', 'link') then 'referral'
        when
            {{ source }} in ('email', 'e-mail', 'e_mail', 'e mail', 'newsletter')
            or {{ medium }} in ('email', 'e-mail', 'e_mail', 'e mail', 'newsletter')
            then 'email'
        when {{ medium }} in ('affiliate', 'affiliates') then 'affiliate'
        when
            {{ medium }} in ('audio', 'sms')
            or {{ source }} in ('sms', 'firebase')
            or {{ medium }} like '%push'
            or {{ dbt.position("'mobile'", medium) }} > 0
            or {{ dbt.position("'notification'", medium) }} > 0
            then 'other'
    end
{%- endmacro %}

{#- Every run of characters other than a-z and 0-9 replaced by one space. -#}
{% macro replace_non_alphanumerics(expression) -%}
    {{ return(adapter.dispatch('replace_non_alphanumerics', 'marketing_kpis')(expression)) }}
{%- endmacro %}

{% macro default__replace_non_alphanumerics(expression) -%}
    regexp_replace({{ expression }}, '[^a-z0-9]+', ' ', 'g')
{%- endmacro %}

{% macro spark__replace_non_alphanumerics(expression) -%}
    regexp_replace({{ expression }}, '[^a-z0-9]+', ' ')
{%- endmacro %}
