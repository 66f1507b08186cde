"""The plugin's per-session state; light enough to build in every pytest session.

Only the standard library is imported at module level: the plugin is loaded in every pytest
session of every project that has dm-harness installed, and a session without a run config
must not pay for pydantic, numpy or scikit-learn.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.runs import RunOutcome
    from harness.testing._session import SuiteSession

__all__ = ["CACHE_KEY", "PluginOptions", "PluginState", "new_session_token"]

CACHE_KEY = "dm_harness/last_runs"
"""pytest cache entry: run config path to the run folder of its last session, for ``--lf``."""


@dataclass(frozen=True)
class PluginOptions:
    """The ``--dmh-*`` options of one pytest session."""

    config: str | None = None
    repeats: int | None = None
    min_pass_rate: float | None = None
    baseline: str | None = None
    update_baseline: bool = False
    last_failed: bool = False


def new_session_token(now: datetime | None = None) -> str:
    """Return a sortable, unique token such as ``20261204-194700-3fa2``.

    It has the format of :func:`harness.runs.new_run_id`, built here without importing the
    runs package.
    """
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


@dataclass
class PluginState:
    """Run configs of one pytest process and what it learned about them."""

    options: PluginOptions
    token: str
    previous_runs: dict[str, str] = field(default_factory=dict)
    """Config path to the run folder of its previous session, from the pytest cache."""

    workers: int = 1
    """Processes that replay in this session: the number of xdist workers, else 1."""

    sessions: dict[Path, SuiteSession] = field(default_factory=dict)
    worker_configs: set[Path] = field(default_factory=set)
    """Configs that xdist workers collected; the controller finishes them."""

    outcomes: dict[Path, RunOutcome] = field(default_factory=dict)
    """Finished runs by config, filled at the end of the session."""

    reports: dict[Path, str] = field(default_factory=dict)
    """Config to the path of its HTML report, or why it was not written."""

    baseline_updates: dict[Path, str] = field(default_factory=dict)
    """Config to where its baseline was written, or why it was not."""

    def session_for(self, path: Path) -> SuiteSession:
        """Return the session of the run config at ``path``, loading it on first use."""
        path = path.resolve()
        if path not in self.sessions:
            from harness.testing._session import SuiteSession

            previous = self.previous_runs.get(str(path))
            self.sessions[path] = SuiteSession(
                path, self.options, self.token, Path(previous) if previous else None, workers=self.workers
            )
        return self.sessions[path]

    @property
    def active(self) -> bool:
        """True once this process or a worker has loaded a run config."""
        return bool(self.sessions or self.worker_configs)

    def configs(self) -> list[Path]:
        """Return every run config of the session, in this process or in a worker."""
        return sorted(set(self.sessions) | self.worker_configs)

    def worker_output(self) -> dict[str, Any]:
        """Return what an xdist worker sends to the controller when it finishes."""
        return {"configs": [str(path) for path in self.sessions]}
