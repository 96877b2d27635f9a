"""Helpers for the marketing KPI dbt project.

Product (runs the project on a user's data): catalog, generate + generators/ (code from the KPI
catalog), loader, validate, dashboard/, demo, cli, pg, paths, raw_contract. Developer tools
(sample and dirty data, hold-back, benchmark) live in mkpi.devtools.
"""

__version__ = "0.1.0"
