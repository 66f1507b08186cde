"""Errors raised by dm-harness, and the exit codes of its command line.

Every error the harness raises on purpose derives from :class:`HarnessError`::

    HarnessError
    ├── ConfigError          a user-written file or option is invalid (exit code 2)
    │   └── ImportDataError  an input log for an importer is malformed
    ├── AdapterError         an adapter cannot be created or reached before the run starts
    └── RunNotFoundError     a run id given to --resume, report or compare does not exist

A bot that fails during a run is not an error of the harness: the turn is recorded with the
reason and the failure tag ``bot_error``, and the run goes on.
"""

from __future__ import annotations

import enum
from pathlib import Path

__all__ = [
    "AdapterError",
    "ConfigError",
    "ExitCode",
    "HarnessError",
    "ImportDataError",
    "RunNotFoundError",
]


class ExitCode(enum.IntEnum):
    """Exit codes of the ``dm-harness`` command."""

    OK = 0
    """The command succeeded; for ``run``, the gate passed."""

    GATE_FAILED = 1
    """The run completed but the launch gate failed."""

    USAGE_ERROR = 2
    """An option, a config file, a scenario file or a rubric is invalid."""

    INTERNAL_ERROR = 3
    """dm-harness itself failed; the traceback is printed. Please report it."""

    INTERRUPTED = 130
    """The run was interrupted (Ctrl-C); resume it with ``--resume RUN_ID``."""


class HarnessError(Exception):
    """Root of every error that dm-harness raises on purpose."""


class ConfigError(HarnessError):
    """A user-written file or option is invalid.

    Args:
        message: What is wrong, in one sentence.
        path: The file that holds the error, when there is one.
        line: The 1-based line in that file, when known.
        field: The dotted field path, when known.
        fix: What the user should do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """Render the error as one line: ``file:line: field: message (fix)``."""
        location = ""
        if self.path:
            location = self.path if self.line is None else f"{self.path}:{self.line}"
        parts = [part for part in (location, self.field) if part]
        text = ": ".join([*parts, self.message])
        if self.fix:
            text = f"{text}. Fix: {self.fix}"
        return text


class ImportDataError(ConfigError):
    """An input log given to an importer is malformed."""


class AdapterError(HarnessError):
    """An adapter cannot be created, for example an unknown name or a missing module."""


class RunNotFoundError(HarnessError):
    """A run id does not name a run in the output folder."""
