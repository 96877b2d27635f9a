"""The one command-line entry point: `mkpi <command>`.

Each command lives in its own module; this file only wires arguments to them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

# command name -> (module, help).
# Every module exposes `add_arguments(parser)` and `run(args) -> int`. Product commands run the
# project on a user's data; developer tools (mkpi.devtools) make sample data and measure it.
COMMANDS: dict[str, tuple[str, str]] = {
    "sample": (
        "mkpi.devtools.sample_data",
        "write a deterministic sample raw data set in the raw contract",
    ),
    "dirty": (
        "mkpi.devtools.dirty_data",
        "write a raw directory seeded with every kind of bad row",
    ),
    "load-postgres": ("mkpi.loader", "load a raw directory into PostgreSQL's raw schema"),
    "load-spark": ("mkpi.spark", "load a raw directory into the local Spark warehouse"),
    "generate": ("mkpi.generate", "generate macros, docs, metrics and suites from the KPI catalog"),
    "validate": ("mkpi.validate", "run the generated data-quality suites on the built marts"),
    "dashboard": ("mkpi.dashboard", "write the self-contained HTML KPI dashboard"),
    "demo": ("mkpi.demo", "build everything on the sample data (DuckDB) and say where it is"),
    "hold-back": (
        "mkpi.devtools.hold_back",
        "split raw data into before and after its last day (incremental runs)",
    ),
    "benchmark": ("mkpi.devtools.benchmark", "time the pipeline at several scales against raw SQL"),
}


Run = Callable[[argparse.Namespace], int | None]


def _load(module_name: str) -> tuple[Callable[[argparse.ArgumentParser], None], Run]:
    module = importlib.import_module(module_name)
    return module.add_arguments, module.run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mkpi", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text)
        sub.set_defaults(_module=module_name)
        try:
            add_arguments, _ = _load(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _, run = _load(args._module)
    return int(run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
