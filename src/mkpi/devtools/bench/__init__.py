"""The pieces of `mkpi benchmark`: manifest reading, measured child processes, the raw-SQL
baseline and the report. `mkpi.devtools.benchmark` is the command that puts them together."""
