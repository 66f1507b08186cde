"""A rich progress bar fed by the runner's progress events."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from harness.scoring import ConversationResult

__all__ = ["RichProgress"]


class RichProgress:
    """Draws conversations done, passed and failed while a run goes on."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("[bold]replay"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._task = None
        self._passed = 0
        self._failed = 0
        self._errors = 0

    def start(self, total: int, done: int) -> None:
        """Start the bar; ``done`` conversations were finished by an earlier, interrupted run."""
        self._progress.start()
        self._task = self._progress.add_task("replay", total=total, completed=done, status="")

    def advance(self, result: ConversationResult) -> None:
        """Count one more scored conversation."""
        if result.passed:
            self._passed += 1
        else:
            self._failed += 1
        self._errors += result.bot_errors
        status = f"[green]{self._passed} passed[/] [red]{self._failed} failed[/]"
        if self._errors:
            status += f" [yellow]{self._errors} bot errors[/]"
        self._progress.update(self._task, advance=1, status=status)

    def stop(self) -> None:
        """Stop drawing."""
        self._progress.stop()
