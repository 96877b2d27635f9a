"""Helpers for the marketing KPI dbt project: catalog, generators, sample data, checks, reports."""

__version__ = "0.1.0"
