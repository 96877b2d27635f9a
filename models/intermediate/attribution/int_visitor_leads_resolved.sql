{#-
    Identity resolution: one row per visitor seen with a lead_id, with the lead its anonymous
    touches belong to - the lead of the visitor's earliest touch that carries a lead_id (ties by
    touchpoint_id), so a shared device seen as two leads is resolved the same way on every run and
    every database. int_touchpoints_stitched applies it to every touch.

    Incremental (DECISIONS.md D16): a visitor's lead depends on its own touches only, so a run
    deletes and rebuilds the visitors in `int_journeys_changed`. A small table (visitors, not
    touches): the stitch itself stays a view.
-#}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_journeys(lead_column=none, visitor_column='visitor_id') }}",
) }}
-- depends_on: {{ ref('int_journeys_changed') }}

with

touchpoints as (
    select * from {{ ref('stg_marketing__touchpoints') }}
    {%- if is_incremental() %}
    where visitor_id in {{ changed_journeys('visitor') }}
    {%- endif %}
),

identified_touches as (
    select
        visitor_id,
        lead_id,
        row_number() over (
            partition by visitor_id
            order by occurred_at, {{ binary_sort_key('touchpoint_id') }}
        ) as identification_order
    from touchpoints
    where lead_id is not null
),

final as (
    select
        visitor_id,
        lead_id
    from identified_touches
    where identification_order = 1
)

select * from final
