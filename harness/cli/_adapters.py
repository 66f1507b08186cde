"""``dm-harness adapters``: list every adapter, where it comes from, and its options."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from harness.errors import ConfigError, ExitCode

if TYPE_CHECKING:
    from rich.table import Table

    from harness.adapters._listing import AdapterInfo

__all__ = ["register"]

_DEFAULT_WIDTH = 40
"""Characters of a default shown in the table; ``--json`` shows it whole."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``adapters`` subcommand."""
    parser = subparsers.add_parser(
        "adapters",
        help="list the adapters and their options",
        description="List every adapter (built-in and from plugins), its origin and its options.",
    )
    parser.add_argument("name", nargs="?", help="show only this adapter")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(handler=run_adapters)


def run_adapters(args: argparse.Namespace) -> int:
    """Print the adapters as tables or JSON; return the exit code.

    Raises:
        ConfigError: ``args.name`` names no adapter; the message lists the valid names.
    """
    from harness.adapters._listing import describe_adapters
    from harness.cli._console import console

    infos = describe_adapters()
    if args.name:
        chosen = [info for info in infos if info.name == args.name]
        if not chosen:
            names = ", ".join(info.name for info in infos)
            raise ConfigError(f"unknown adapter {args.name!r}", fix=f"use one of: {names}")
        infos = chosen

    if args.json:
        console().out(json.dumps([info.to_dict() for info in infos], indent=2, ensure_ascii=False), highlight=False)
        return ExitCode.OK
    for info in infos:
        console().print(_table(info))
    return ExitCode.OK


def _table(info: AdapterInfo) -> Table:
    from rich.markup import escape
    from rich.table import Table

    title = f"[bold]{escape(info.name)}[/] ({escape(info.origin)}): {escape(info.summary)}"
    table = Table(title=title, title_justify="left", expand=False)
    for column in ("option", "type", "default", "description"):
        table.add_column(column, overflow="fold")
    for option in info.options:
        default = "required" if option.required else _shorten(option.default or "")
        table.add_row(escape(option.name), escape(option.type), escape(default), escape(option.description))
    if not info.options:
        table.add_row("(none)", "", "", "")
    return table


def _shorten(text: str) -> str:
    return text if len(text) <= _DEFAULT_WIDTH else text[: _DEFAULT_WIDTH - 1] + "…"
