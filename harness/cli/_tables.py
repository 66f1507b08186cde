"""Rich tables for run summaries."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.runs import RunSummary

__all__ = ["print_run_summary"]


def print_run_summary(console: Console, summary: RunSummary, folder: Path) -> None:
    """Print acceptance per intent against its bar, the top failure tags and the gate."""
    console.print(_intent_table(summary))
    if summary.tags:
        console.print(_tag_table(summary))

    if summary.bot_errors:
        console.print(f"[yellow]{summary.bot_errors} turn(s) failed with a bot error[/]")
    if not summary.complete:
        console.print(
            f"[yellow]incomplete run: {summary.conversations} of {summary.scenarios} scenarios scored; "
            f"continue with --resume {summary.run_id}[/]"
        )
    verdict = "[bold green]GATE PASSED[/]" if summary.gate.passed else "[bold red]GATE FAILED[/]"
    console.print(f"{verdict}  run {summary.run_id}: {summary.passed}/{summary.conversations} conversations accepted")
    for reason in summary.gate.reasons:
        console.print(f"  - {escape(reason)}")
    console.print(f"results: {escape(str(folder))}")


def _intent_table(summary: RunSummary) -> Table:
    table = Table(title="Acceptance per intent", title_justify="left")
    for column in ("intent", "policy", "accepted", "rate", "bar", "gate", "critical", "top failure tags"):
        table.add_column(column, justify="right" if column in ("accepted", "rate", "bar", "critical") else "left")
    for intent in summary.gate.intents:
        verdict = "[dim]not gated[/]"
        if intent.gated:
            verdict = "[green]pass[/]" if intent.meets_bar else "[red]fail[/]"
        tags = ", ".join(f"{tag} ({count})" for tag, count in list(intent.tags.items())[:3])
        table.add_row(
            escape(intent.intent),
            intent.policy,
            f"{intent.passed}/{intent.conversations}",
            f"{intent.acceptance:.0%}",
            f"{intent.bar:.0%}",
            verdict,
            str(intent.critical_failures) if intent.critical_failures else "",
            escape(tags),
        )
    return table


def _tag_table(summary: RunSummary) -> Table:
    table = Table(title="Top failure tags (failed conversations)", title_justify="left")
    table.add_column("tag")
    table.add_column("conversations", justify="right")
    for tag, count in list(summary.tags.items())[:8]:
        table.add_row(escape(tag), str(count))
    return table
