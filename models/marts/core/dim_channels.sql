{#- The canonical channels (seed `channels`): every channel value in the marts is one of these. -#}
with

channels as (
    select * from {{ ref('channels') }}
),

final as (
    select
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(channel_label as {{ dbt.type_string() }}) as channel_label,
        cast(channel_group as {{ dbt.type_string() }}) as channel_group,
        cast(is_paid as boolean) as is_paid,
        cast(sort_order as integer) as sort_order
    from channels
)

select * from final
