"""Generators: each turns the KPI catalog into one kind of project file."""
