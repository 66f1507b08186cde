"""``dm-harness import sgd``: turn Schema-Guided Dialogue files into scenario files."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.errors import ConfigError, ExitCode

__all__ = ["register_import"]


def register_import(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sgd`` source under ``dm-harness import``."""
    parser = subparsers.add_parser(
        "sgd",
        help="Schema-Guided Dialogue files (<intent>.json) to one scenario file per intent",
        description="Import Schema-Guided Dialogue files: each <intent>.json (a list of dialogues) "
        "becomes <OUT>/<intent>.yaml with one scenario per dialogue. Every input file is "
        "validated before any output file is written.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="an <intent>.json file or a folder of them")
    parser.add_argument("--out", default="scenarios", help="folder for the scenario files (default: scenarios)")
    parser.add_argument("--force", action="store_true", help="replace existing scenario files")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Import every file, then write the scenario files and list them.

    Raises:
        ConfigError: A scenario file to write exists already and ``--force`` was not given.
    """
    from rich.table import Table

    from harness.cli._console import console
    from harness.importers.sgd import import_sgd, write_scenario_file

    results = import_sgd(args.paths)
    if not args.force:
        _check_no_overwrite(Path(args.out), [result.intent for result in results])
    table = Table("intent", "scenarios", "turns", "policy", "clarify share", title=f"Wrote to {args.out}")
    for result in results:
        write_scenario_file(result, args.out)
        turns = sum(len(scenario.turns) for scenario in result.scenarios)
        table.add_row(
            result.intent,
            str(len(result.scenarios)),
            str(turns),
            result.policy,
            f"{result.clarify_share:.0%}",
        )
    console().print(table)
    return ExitCode.OK


def _check_no_overwrite(folder: Path, intents: list[str]) -> None:
    existing = [str(folder / f"{intent}.yaml") for intent in intents if (folder / f"{intent}.yaml").exists()]
    if existing:
        raise ConfigError(
            f"output file already exists: {', '.join(existing)}",
            path=folder,
            fix="choose another folder with --out, or pass --force to replace the files",
        )
