"""``dm-harness runs``: list the runs recorded in the run history."""

from __future__ import annotations

import argparse

from harness.errors import ExitCode

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``runs`` subcommand."""
    from harness.cli._report import add_output_option

    parser = subparsers.add_parser(
        "runs",
        help="list recorded runs, newest first",
        description="List the runs recorded in OUT/history.sqlite, newest first: time, adapter, "
        "rubric version, acceptance and gate verdict.",
    )
    parser.add_argument("--limit", type=int, default=20, help="runs to list (default: 20; 0 lists all)")
    add_output_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the recorded runs as a table."""
    from rich.markup import escape
    from rich.table import Table

    from harness.cli._console import console
    from harness.runs import RunHistory

    history = RunHistory.for_output(args.out)
    entries = history.runs(limit=args.limit or None)
    if not entries:
        console().print(f"no runs recorded in {escape(str(history.path))}")
        return ExitCode.OK

    table = Table(title=f"Runs in {escape(str(history.path))}", title_justify="left")
    # Run ids are copied into other commands, so their column never wraps or shrinks.
    table.add_column("run", no_wrap=True, min_width=max(len(entry.run_id) for entry in entries))
    for column in ("started (UTC)", "adapter", "rubric", "accepted", "rate", "gate"):
        table.add_column(column, justify="right" if column in ("accepted", "rate") else "left")
    for entry in entries:
        gate = "[green]passed[/]" if entry.gate_passed else "[red]failed[/]"
        rubric = " ".join(part for part in (entry.rubric_name, entry.rubric_version) if part)
        table.add_row(
            escape(entry.run_id),
            f"{entry.created_at:%Y-%m-%d %H:%M}",
            escape(f"{entry.adapter} {entry.adapter_version or ''}".strip()),
            escape(rubric),
            f"{entry.passed}/{entry.conversations}",
            f"{entry.acceptance:.0%}",
            gate + ("" if entry.complete else " [yellow](incomplete)[/]"),
        )
    console().print(table)
    return ExitCode.OK
