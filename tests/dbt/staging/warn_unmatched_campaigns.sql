{{ config(severity='warn') }}
{#- Connector rows whose UTM values named no campaign (kept with a NULL campaign). -#}
select * from {{ ref('fct_connector_unmatched_campaigns') }}
