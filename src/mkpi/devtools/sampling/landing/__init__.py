"""The sample company as a Fivetran connector landing (`mkpi sample --shape connectors`)."""
