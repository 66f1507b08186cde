"""The run history: every finished run recorded in ``<output>/history.sqlite``.

One row per run id; recording a resumed run again replaces its row. The config snapshot is
stored with every secret masked, even though the manifest it comes from is already masked.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from harness import __version__
from harness.errors import ConfigError
from harness.runs._folder import RunFolder, RunManifest
from harness.secrets import mask_secrets
from harness.runs._summary import RunSummary

__all__ = ["HISTORY_FILE", "HistoryEntry", "RunHistory", "adapter_version", "record_run"]

logger = logging.getLogger(__name__)

HISTORY_FILE = "history.sqlite"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    adapter TEXT NOT NULL,
    adapter_version TEXT,
    rubric_name TEXT,
    rubric_version TEXT,
    harness_version TEXT NOT NULL,
    scenarios INTEGER NOT NULL,
    conversations INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    acceptance REAL NOT NULL,
    gate_passed INTEGER NOT NULL,
    complete INTEGER NOT NULL,
    config TEXT NOT NULL,
    summary TEXT NOT NULL
)
"""

_COLUMNS = (
    "run_id", "created_at", "finished_at", "adapter", "adapter_version", "rubric_name", "rubric_version",
    "harness_version", "scenarios", "conversations", "passed", "acceptance", "gate_passed", "complete",
    "config", "summary",
)


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded run."""

    run_id: str
    created_at: datetime
    finished_at: datetime
    adapter: str
    adapter_version: str | None
    """Version of the package that provides the adapter (dm-harness for built-in adapters)."""

    rubric_name: str | None
    rubric_version: str | None
    harness_version: str
    scenarios: int
    conversations: int
    passed: int
    acceptance: float
    gate_passed: bool
    complete: bool
    config: dict[str, Any]
    """The run config with every secret masked."""

    summary: RunSummary


class RunHistory:
    """The SQLite file that lists every recorded run.

    Args:
        path: The database file; it and its table are created on first use.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_output(cls, output: str | Path) -> RunHistory:
        """Return the history of the runs written under the output folder ``output``."""
        return cls(Path(output) / HISTORY_FILE)

    def record(self, manifest: RunManifest, summary: RunSummary, *, adapter_version: str | None = None) -> None:
        """Insert the run, or replace its row when the run id is already recorded."""
        row = _row(manifest, summary, adapter_version)
        placeholders = ", ".join("?" for _ in _COLUMNS)
        with self._connect() as connection:
            connection.execute(f"INSERT OR REPLACE INTO runs ({', '.join(_COLUMNS)}) VALUES ({placeholders})", row)
        logger.info("recorded run %s in %s", manifest.run_id, self.path)

    def runs(self, limit: int | None = None) -> list[HistoryEntry]:
        """Return the recorded runs, newest first."""
        if not self.path.exists():
            return []
        query = f"SELECT {', '.join(_COLUMNS)} FROM runs ORDER BY created_at DESC, run_id DESC"
        parameters: tuple[int, ...] = ()
        if limit is not None:
            query += " LIMIT ?"
            parameters = (limit,)
        with self._connect() as connection:
            return [_entry(row) for row in connection.execute(query, parameters)]

    def get(self, run_id: str) -> HistoryEntry | None:
        """Return the recorded run ``run_id``, or None when it is not recorded."""
        if not self.path.exists():
            return None
        with self._connect() as connection:
            row = connection.execute(f"SELECT {', '.join(_COLUMNS)} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return _entry(row) if row else None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Shards of one suite may finish at the same moment; wait for the other writer's lock.
        try:
            with closing(sqlite3.connect(self.path, timeout=30)) as connection:
                with connection:
                    connection.execute(_SCHEMA)
                    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    yield connection
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"run history cannot be read: {exc}",
                path=self.path,
                fix="move the file away; the next run starts a new history (run folders are kept)",
            ) from None


def record_run(folder: RunFolder) -> RunHistory:
    """Record a finished run in the history file of its output folder and return the history."""
    manifest = folder.manifest()
    history = RunHistory.for_output(folder.path.parent)
    history.record(manifest, folder.summary(), adapter_version=adapter_version(manifest.adapter))
    return history


def adapter_version(name: str) -> str | None:
    """Return the version of the package that provides adapter ``name``, when it can be found."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    from harness.adapters import available_adapters

    spec = available_adapters().get(name)
    if spec is None or spec.origin == "built-in":
        return __version__ if spec else None
    package = spec.origin.split(":")[0].split(".")[0]
    try:
        return version(packages_distributions().get(package, [package])[0])
    except PackageNotFoundError:
        return None


def _row(manifest: RunManifest, summary: RunSummary, adapter_version: str | None) -> tuple[Any, ...]:
    return (
        manifest.run_id,
        manifest.created_at.isoformat(),
        summary.finished_at.isoformat(),
        manifest.adapter,
        adapter_version,
        manifest.rubric.get("name"),
        manifest.rubric.get("version"),
        manifest.harness_version,
        summary.scenarios,
        summary.conversations,
        summary.passed,
        summary.acceptance,
        int(summary.gate.passed),
        int(summary.complete),
        json.dumps(mask_secrets(manifest.config), sort_keys=True),
        summary.model_dump_json(),
    )


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    values = dict(zip(_COLUMNS, row))
    return HistoryEntry(
        run_id=values["run_id"],
        created_at=datetime.fromisoformat(values["created_at"]),
        finished_at=datetime.fromisoformat(values["finished_at"]),
        adapter=values["adapter"],
        adapter_version=values["adapter_version"],
        rubric_name=values["rubric_name"],
        rubric_version=values["rubric_version"],
        harness_version=values["harness_version"],
        scenarios=values["scenarios"],
        conversations=values["conversations"],
        passed=values["passed"],
        acceptance=values["acceptance"],
        gate_passed=bool(values["gate_passed"]),
        complete=bool(values["complete"]),
        config=json.loads(values["config"]),
        summary=RunSummary.model_validate_json(values["summary"]),
    )
