{{ config(severity='warn') }}
{#- Reports (as a warning, not a failure) every raw table x reason with rejected rows. -#}
select
    source_table,
    reject_reason,
    count(*) as rejected_rows
from {{ ref('stg_marketing__rejected_rows') }}
group by source_table, reject_reason
