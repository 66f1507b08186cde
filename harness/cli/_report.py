"""``dm-harness report``: re-render the outputs of a finished run without calling the bot."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.errors import ExitCode

__all__ = ["open_run", "register"]

DEFAULT_OUTPUT = "reports"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="re-render report.html, junit.xml and results.csv of a finished run",
        description="Re-render report.html, junit.xml and results.csv of a finished run from its "
        "results.jsonl and summary.json, without calling the bot.",
    )
    parser.add_argument("run", metavar="RUN", help="run id in the output folder, or the path of a run folder")
    parser.add_argument("--baseline", metavar="RUN", help="add a comparison with this run (id or folder path)")
    add_output_option(parser)
    parser.set_defaults(handler=handle)


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--out``, the output folder that contains the run folders."""
    parser.add_argument("--out", default=DEFAULT_OUTPUT, help=f"output folder that contains the run folders (default: {DEFAULT_OUTPUT})")


def handle(args: argparse.Namespace) -> int:
    """Write the outputs and print where they are."""
    from rich.markup import escape

    from harness.cli._console import console
    from harness.report import write_outputs

    folder = open_run(args.run, args.out)
    baseline = open_run(args.baseline, args.out) if args.baseline else None
    paths = write_outputs(folder, baseline)
    for path in (paths.report, paths.junit, paths.csv):
        console().print(f"wrote {escape(str(path))}")
    return ExitCode.OK


def open_run(reference: str, output: str | Path) -> Any:
    """Open a run given as an id under ``output`` or as the path of its folder.

    Raises:
        RunNotFoundError: Neither names a run folder with a ``run.json``.
    """
    from harness.runs import RunFolder

    path = Path(reference)
    if (path / "run.json").exists():
        resolved = path.resolve()
        return RunFolder.open(resolved.parent, resolved.name)
    return RunFolder.open(output, reference)
