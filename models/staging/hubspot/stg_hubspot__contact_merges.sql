{{ config(enabled=input_enabled('hubspot', ['leads', 'deals'])) }}
{#-
    One row per contact id merged away: listed in the `;`-separated
    `property_hs_merged_object_ids` of another, non-deleted contact, with that surviving contact
    (the smallest id, in numeric order, if several list it).
-#}

with

contacts as (
    select * from {{ ref('stg_hubspot__contacts') }}
),

listed as (
    -- the generator alone in its expression (Spark allows no function around it)
    select
        contact_id,
        {{ split_to_rows('merged_object_ids', ';') }} as listed_contact_id
    from contacts
    where not is_deleted and merged_object_ids is not null
),

trimmed as (
    select
        contact_id,
        trim(listed_contact_id) as merged_contact_id
    from listed
),

ranked as (
    select
        merged_contact_id,
        contact_id,
        row_number() over (
            partition by merged_contact_id
            order by length(contact_id), contact_id
        ) as survivor_rank
    from trimmed
    where merged_contact_id <> '' and merged_contact_id <> contact_id
),

final as (
    select
        merged_contact_id,
        contact_id as surviving_contact_id
    from ranked
    where survivor_rank = 1
)

select * from final
