"""Rich consoles for the command line; the library itself never prints."""

from __future__ import annotations

from functools import cache

from rich.console import Console

__all__ = ["console", "error_console"]


@cache
def console() -> Console:
    """The console for results, on standard output."""
    return Console()


@cache
def error_console() -> Console:
    """The console for errors, warnings and progress, on standard error."""
    return Console(stderr=True)
