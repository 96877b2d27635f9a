{{ config(severity='error') }}
{#-
    A raw table whose rows are nearly all rejected is read wrongly (a wrong delimiter, decimal mark
    or encoding), not merely dirty: the build stops. A table with at least var
    rejected_share_min_rows raw rows (default 20) of which more than var max_rejected_share
    (default 0.8) were rejected fails this test with one line naming the table, the share and the
    most frequent reject reason (the test raises the message; a smaller share stays the warning of
    warn_rejected_raw_rows).
-#}
{%- set max_share = var('max_rejected_share', 0.8) %}
{%- set min_rows = var('rejected_share_min_rows', 20) %}

with

raw_rows as (
    {% for table_name in raw_table_names() %}
        select
            '{{ table_name }}' as source_table,
            count(*) as raw_rows
        from {{ ref('base_marketing__' ~ table_name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rejects_by_reason as (
    select
        source_table,
        reject_reason,
        count(*) as rejected_rows
    from {{ ref('stg_marketing__rejected_rows') }}
    group by source_table, reject_reason
),

ranked_reasons as (
    select
        *,
        sum(rejected_rows) over (partition by source_table) as table_rejected_rows,
        row_number() over (
            partition by source_table order by rejected_rows desc, reject_reason asc
        ) as reason_rank
    from rejects_by_reason
),

over_limit as (
    select
        raw_rows.source_table,
        raw_rows.raw_rows,
        ranked_reasons.table_rejected_rows,
        ranked_reasons.reject_reason,
        ranked_reasons.rejected_rows
    from raw_rows
    inner join ranked_reasons
        on
            raw_rows.source_table = ranked_reasons.source_table
            and ranked_reasons.reason_rank = 1
    where
        raw_rows.raw_rows >= {{ min_rows }}
        and ranked_reasons.table_rejected_rows > {{ max_share }} * raw_rows.raw_rows
),

messages as (
    select
        {{ dbt.concat([
            "'raw table '''", 'source_table', "''': '",
            dbt.cast('table_rejected_rows', dbt.type_string()), "' of '",
            dbt.cast('raw_rows', dbt.type_string()), "' rows rejected, most as '",
            'reject_reason', "' ('", dbt.cast('rejected_rows', dbt.type_string()),
            "'), over var max_rejected_share " ~ max_share ~ "'",
        ]) }} as message
    from over_limit
),

final as (
    select {{ dbt.listagg('message', "'; '", 'order by message') }} as message
    from messages
    having count(*) > 0
)

-- raised in the filter: dbt counts the rows of this query, which would skip an unused column
select message as failure
from final
where {{ raise_error("message || ' (check vars csv_delimiter, decimal_mark and csv_encoding)'") }} is null
