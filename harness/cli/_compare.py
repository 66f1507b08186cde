"""``dm-harness compare``: compare a candidate run with a base run."""

from __future__ import annotations

import argparse
from typing import Any

from harness.errors import ExitCode

__all__ = ["print_comparison", "register"]

LISTED = 20
"""Scenario ids listed per change kind; the report lists them all."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` subcommand."""
    from harness.cli._report import add_output_option

    parser = subparsers.add_parser(
        "compare",
        help="compare two runs: acceptance per intent, newly failing and newly passing conversations",
        description="Compare CANDIDATE with BASE: the change in acceptance per intent and, per "
        "scenario, whether it newly fails, newly passes or kept its verdict. The candidate's "
        "report.html, junit.xml and results.csv are re-rendered with a comparison section.",
    )
    parser.add_argument("base", metavar="BASE", help="the earlier run: run id or run folder path")
    parser.add_argument("candidate", metavar="CANDIDATE", help="the newer run: run id or run folder path")
    parser.add_argument("--no-report", action="store_true", help="only print; leave the candidate's report as it is")
    add_output_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the comparison and, unless ``--no-report``, re-render the candidate's outputs."""
    from rich.markup import escape

    from harness.cli._console import console
    from harness.cli._report import open_run
    from harness.report import compare_runs, load_run, write_outputs

    base = open_run(args.base, args.out)
    candidate = open_run(args.candidate, args.out)
    if args.no_report:
        print_comparison(console(), compare_runs(load_run(base), load_run(candidate)))
        return ExitCode.OK

    paths = write_outputs(candidate, base)
    print_comparison(console(), paths.comparison)
    console().print(f"report with the comparison: {escape(str(paths.report))}")
    return ExitCode.OK


def print_comparison(console: Any, comparison: Any) -> None:
    """Print acceptance per intent in both runs and the scenarios whose verdict changed."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{comparison.candidate_run_id} compared with {comparison.base_run_id}", title_justify="left")
    for column in ("intent", "base", "candidate", "change", "bar"):
        table.add_column(column, justify="left" if column == "intent" else "right")
    for change in comparison.intents:
        table.add_row(
            escape(change.intent), _percent(change.base), _percent(change.candidate), _delta(change.delta), _percent(change.bar)
        )
    console.print(table)

    console.print(
        f"{len(comparison.newly_failing)} newly failing, {len(comparison.newly_passing)} newly passing, "
        f"{comparison.unchanged} unchanged"
    )
    for kind, label in (("newly_failing", "[red]newly failing[/]"), ("newly_passing", "[green]newly passing[/]")):
        changes = comparison.of_kind(kind)
        for change in changes[:LISTED]:
            tags = ", ".join(change.candidate_tags or change.base_tags)
            console.print(f"  {label} {escape(change.scenario_id)} ({escape(change.intent)}) {escape(tags)}")
        if len(changes) > LISTED:
            console.print(f"  ... and {len(changes) - LISTED} more")


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _delta(value: float | None) -> str:
    if value is None:
        return "–"
    points = round(value * 100)
    if points < 0:
        return f"[red]{points:+d} pts[/]"
    if points > 0:
        return f"[green]{points:+d} pts[/]"
    return "±0 pts"
