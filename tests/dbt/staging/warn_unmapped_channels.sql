{{ config(severity='warn') }}
{#- Reports (as a warning) raw channel strings no mapping matched; they count as channel `other`. -#}
select
    source_table,
    issue as raw_channel,
    affected_rows
from {{ ref('fct_data_quality_issues') }}
where issue_type = 'unmapped_channel'
