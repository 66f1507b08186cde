"""The folder of one run: ``<output>/<run-id>/`` with its manifest, results and summary."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import ConfigError, RunNotFoundError
from harness.runs._summary import RunSummary
from harness.scoring import ConversationResult

__all__ = ["RunFolder", "RunManifest", "new_run_id"]

logger = logging.getLogger(__name__)

MANIFEST = "run.json"
RESULTS = "results.jsonl"
SUMMARY = "summary.json"


class RunManifest(BaseModel):
    """The record of a run's inputs, written first so an interrupted run can be resumed and audited."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    created_at: datetime
    harness_version: str
    config: dict[str, Any]
    """The run config with every secret masked; ``${ENV}`` references are kept as written."""

    adapter: str
    adapter_options: dict[str, Any] = Field(default_factory=dict)
    rubric: dict[str, str] = Field(default_factory=dict)
    checks: dict[str, str] = Field(default_factory=dict)
    """Check id to check type, for every check the rubric used."""

    suite: dict[str, Any] = Field(default_factory=dict)
    """Scenario files, scenario count and a fingerprint of the scenarios."""

    shard: str | None = None


def new_run_id(now: datetime | None = None) -> str:
    """Return a sortable, unique run id such as ``20261204-194700-3fa2``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class RunFolder:
    """Reads and writes the files of one run."""

    def __init__(self, output: str | Path, run_id: str) -> None:
        self.run_id = run_id
        self.path = Path(output) / run_id
        self._cached: tuple[tuple[int, int], list[ConversationResult]] | None = None

    @property
    def results_path(self) -> Path:
        """``results.jsonl``: one scored conversation per line."""
        return self.path / RESULTS

    @property
    def summary_path(self) -> Path:
        """``summary.json``."""
        return self.path / SUMMARY

    @property
    def manifest_path(self) -> Path:
        """``run.json``."""
        return self.path / MANIFEST

    @classmethod
    def open(cls, output: str | Path, run_id: str) -> RunFolder:
        """Open an existing run.

        Raises:
            RunNotFoundError: The run folder or its manifest does not exist.
        """
        folder = cls(output, run_id)
        if not folder.manifest_path.exists():
            known = ", ".join(sorted(p.parent.name for p in Path(output).glob("*/run.json"))[-10:])
            raise RunNotFoundError(
                f"run {run_id!r} not found in {output}/ (runs there: {known or 'none'})"
            )
        return folder

    def create(self, manifest: RunManifest) -> None:
        """Create the folder and write the manifest."""
        self.path.mkdir(parents=True, exist_ok=False)
        _write_atomic(self.manifest_path, manifest.model_dump_json(indent=2))

    def manifest(self) -> RunManifest:
        """Read the manifest."""
        return RunManifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))

    def append(self, result: ConversationResult, handle: Any) -> None:
        """Append one result line and flush it to disk, so a killed run loses nothing finished."""
        handle.write(result.model_dump_json() + "\n")
        handle.flush()

    def open_results(self) -> Any:
        """Open ``results.jsonl`` for appending, after dropping a line cut by a crash."""
        self._drop_partial_line()
        return self.results_path.open("a", encoding="utf-8")

    def results(self) -> list[ConversationResult]:
        """Read every complete result line.

        The parsed results are kept while ``results.jsonl`` keeps its size and modification
        time, since the summary, the report and the history each ask for them after a run.
        """
        stamp = self._stamp()
        if self._cached is not None and self._cached[0] == stamp:
            return list(self._cached[1])
        results = list(self.iter_results())
        if stamp is not None:
            self._cached = (stamp, results)
        return list(results)

    def remember(self, results: list[ConversationResult]) -> list[ConversationResult]:
        """Keep ``results`` as the parsed content of ``results.jsonl``, as it is now on disk.

        Call it only with every result the file holds, after the file is closed.
        """
        stamp = self._stamp()
        self._cached = (stamp, list(results)) if stamp is not None else None
        return list(results)

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.results_path.stat()
        except FileNotFoundError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def iter_results(self) -> Iterator[ConversationResult]:
        """Iterate over the complete result lines, skipping a partial last line."""
        if not self.results_path.exists():
            return
        with self.results_path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith("\n"):
                    logger.warning("%s:%d: partial line ignored (run was interrupted)", self.results_path, number)
                    return
                yield _parse_result(line, self.results_path, number)

    def finished(self) -> set[tuple[str, int]]:
        """(scenario id, repeat) pairs that already have a result."""
        return {(result.scenario_id, result.repeat) for result in self.iter_results()}

    def write_summary(self, summary: RunSummary) -> None:
        """Write ``summary.json`` atomically."""
        _write_atomic(self.summary_path, summary.model_dump_json(indent=2))

    def summary(self) -> RunSummary:
        """Read ``summary.json``."""
        if not self.summary_path.exists():
            raise RunNotFoundError(f"run {self.run_id!r} has no summary.json; finish it with --resume {self.run_id}")
        try:
            return RunSummary.model_validate_json(self.summary_path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(
                f"invalid summary ({'.'.join(map(str, first['loc'])) or 'file'}: {first['msg']})",
                path=self.summary_path,
                fix=f"rewrite it with `dm-harness run --resume {self.run_id}` and the run's config",
            ) from None

    def _drop_partial_line(self) -> None:
        if not self.results_path.exists():
            return
        data = self.results_path.read_bytes()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            logger.warning("%s: dropping a partial last line left by an interrupted run", self.results_path)
            with self.results_path.open("r+b") as handle:
                handle.truncate(cut)


def _parse_result(line: str, path: Path, number: int) -> ConversationResult:
    try:
        return ConversationResult.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"invalid result line ({where}: {first['msg']})",
            path=path,
            line=number,
            fix="the file was edited or written by another version; re-run the suite",
        ) from None


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


