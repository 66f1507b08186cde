"""The ``dm-harness`` command line: a thin layer over the packages.

Each subcommand lives in its own module with a ``register(subparsers)`` function that adds its
parser and sets ``handler`` (a function taking the parsed arguments and returning an exit
code). Importers add themselves under ``dm-harness import`` the same way, through
``register_import(subparsers)``. Heavy packages are imported inside the handlers so that
``dm-harness --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
from collections.abc import Sequence

from harness import __version__
from harness.errors import ConfigError, ExitCode, HarnessError

__all__ = ["main", "build_parser"]

COMMAND_MODULES: tuple[str, ...] = (
    "harness.cli._run",
    "harness.cli._report",
    "harness.cli._compare",
    "harness.cli._runs",
    "harness.cli._merge",
    "harness.cli._adapters",
    "harness.cli._label",
    "harness.cli._sample",
)
"""Modules that add a top-level subcommand, in the order ``--help`` lists them."""

IMPORT_MODULES: tuple[str, ...] = (
    "harness.cli._import_sgd",
    "harness.cli._import_logs",
)
"""Modules that add a source under ``dm-harness import``."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="dm-harness",
        description="Replay real conversations through a DM bot, score every reply, gate the launch.",
        epilog="Exit codes: 0 success (gate passed), 1 gate failed, 2 usage or config error, "
        "3 internal error, 130 interrupted (resume with --resume RUN_ID).",
    )
    parser.add_argument("--version", action="version", version=f"dm-harness {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log INFO (-v) or DEBUG (-vv)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    if IMPORT_MODULES:
        _add_import_group(subparsers)
    return parser


def _add_import_group(subparsers: argparse._SubParsersAction) -> None:
    group = subparsers.add_parser(
        "import", help="turn real logs into scenario files", description="Turn real logs into scenario files."
    )
    sources = group.add_subparsers(dest="source", metavar="SOURCE", required=True)
    for name in IMPORT_MODULES:
        importlib.import_module(name).register_import(sources)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return ExitCode.USAGE_ERROR

    from rich.markup import escape

    from harness.cli._console import error_console

    try:
        return int(handler(args))
    except ConfigError as exc:
        error_console().print(f"[bold red]error:[/] {escape(exc.render())}", highlight=False)
        return ExitCode.USAGE_ERROR
    except HarnessError as exc:
        error_console().print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return ExitCode.USAGE_ERROR
    except KeyboardInterrupt:
        error_console().print("interrupted")
        return ExitCode.INTERRUPTED
    except Exception:
        # Exit 1 means "gate failed" to CI; a crash of the harness must not read as a verdict.
        error_console().print_exception()
        error_console().print("[bold red]internal error:[/] dm-harness failed; the traceback is above")
        return ExitCode.INTERNAL_ERROR


def _configure_logging(verbosity: int) -> None:
    levels = {0: logging.WARNING, 1: logging.INFO}
    level = levels.get(verbosity, logging.DEBUG)
    from rich.logging import RichHandler

    logging.basicConfig(
        level=level,
        format="%(message)s",
        handlers=[RichHandler(show_path=False, console=_stderr_console())],
    )


def _stderr_console():
    from harness.cli._console import error_console

    return error_console()


