"""Rich consoles for the command line; the library itself never prints."""

from __future__ import annotations

import os
from functools import cache

from rich.console import Console

__all__ = ["console", "error_console"]

LOG_WIDTH = 140
"""Width used when output goes to a file or a CI log. Rich would assume 80 columns there and
wrap the tables. A ``COLUMNS`` variable still wins."""


@cache
def console() -> Console:
    """Return the console for results, on standard output."""
    return _make(stderr=False)


@cache
def error_console() -> Console:
    """Return the console for errors, warnings and progress, on standard error."""
    return _make(stderr=True)


def _make(*, stderr: bool) -> Console:
    made = Console(stderr=stderr)
    if made.is_terminal or "COLUMNS" in os.environ:
        return made
    return Console(stderr=stderr, width=LOG_WIDTH)
