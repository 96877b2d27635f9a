"""Developer tools: what builds, breaks and measures the project, not what runs it on your data.

- `sample_data` (`mkpi sample`) and `sampling/`: the deterministic sample company, as contract
  files or as a connector landing (`sampling/landing/`).
- `dirty_data` (`mkpi dirty`): a raw directory seeded with every kind of bad row, its expected
  rejects computed by `sampling/reject_rules.py`, an independent mirror of the staging reject rules.
- `hold_back` (`mkpi hold-back`): splits raw data before and after its last day, to exercise
  incremental runs.
- `benchmark` (`mkpi benchmark`) and `bench/`: times the build at several scales.

The product (catalog, generators, validate, dashboard, loader, CLI, demo) lives one level up and
never imports from here, except `mkpi demo --connectors`, which writes the sample landing.
"""
