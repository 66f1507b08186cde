"""Per-scenario result files shared by every pytest process of one session.

Under pytest-xdist each worker replays the conversations of its own items, but a gate item
needs the results of conversations that other workers replay. A scenario is replayed once per
session: the process that creates its claim file first replays it and writes its results, and
any other process that needs them waits for that file instead of replaying it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import time
from pathlib import Path

from harness.scoring import ConversationResult

__all__ = ["ResultStore"]

logger = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.05


class ResultStore:
    """Claims and result files of one run folder, keyed by scenario id.

    Args:
        root: The folder that contains the ``<key>.claim`` and ``<key>.jsonl`` files.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def load(self, scenario_id: str) -> list[ConversationResult] | None:
        """Return the stored results of one scenario (every replay), or None when not stored."""
        path = self._results_path(scenario_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        # Split on "\n" only: str.splitlines() also splits on U+2028 and other separators that
        # JSON keeps unescaped inside strings, such as a scenario text's line separator.
        return [ConversationResult.model_validate_json(line) for line in text.split("\n") if line]

    def claim(self, scenario_id: str) -> bool:
        """Try to become the process that replays ``scenario_id``; True when this one is."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(self._claim_path(scenario_id), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"pid": os.getpid(), "host": socket.gethostname()}, handle)
        return True

    def save(self, scenario_id: str, results: list[ConversationResult]) -> None:
        """Store the results of a claimed scenario, then drop the claim."""
        text = "".join(result.model_dump_json() + "\n" for result in results)
        path = self._results_path(scenario_id)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        # Results first, claim second: a waiter that sees no claim always finds the results.
        os.replace(temporary, path)
        self.release(scenario_id)

    def release(self, scenario_id: str) -> None:
        """Drop a claim without results, so that another process may replay the scenario."""
        self._claim_path(scenario_id).unlink(missing_ok=True)

    def wait(self, scenario_id: str) -> list[ConversationResult] | None:
        """Wait for another process's results of ``scenario_id``.

        Returns None when the claim disappears without results, or when the claiming process
        on this host has died. The caller should then try to claim the scenario itself.
        """
        while not self.settled(scenario_id):
            time.sleep(POLL_INTERVAL_S)
        return self.load(scenario_id)

    def settled(self, scenario_id: str) -> bool:
        """Return True when no live process has a claim on ``scenario_id``.

        That is when its results are stored, when no claim exists, or when the claim was left
        by a dead process on this host. Such a stale claim is removed, so that the caller can
        claim the scenario itself.
        """
        if self._results_path(scenario_id).exists() or not self._claim_path(scenario_id).exists():
            return True
        if not self._claim_is_stale(scenario_id):
            return False
        logger.warning("claim on scenario %s left by a dead process; dropped it so that it is replayed again", scenario_id)
        self.release(scenario_id)
        return True

    def _claim_is_stale(self, scenario_id: str) -> bool:
        try:
            owner = json.loads(self._claim_path(scenario_id).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            # Missing, or created but not yet written: the owner is alive or just finished.
            return False
        # NOTE: only a claim made on this host can be checked. A claim of a process on another
        # host (xdist over ssh with a shared folder) is waited for until it is dropped.
        if owner.get("host") != socket.gethostname():
            return False
        return not _process_alive(int(owner.get("pid", 0)))

    def _claim_path(self, scenario_id: str) -> Path:
        return self.root / f"{_key(scenario_id)}.claim"

    def _results_path(self, scenario_id: str) -> Path:
        return self.root / f"{_key(scenario_id)}.jsonl"


def _key(scenario_id: str) -> str:
    # Scenario ids may hold characters that are not valid in file names.
    return hashlib.sha256(scenario_id.encode()).hexdigest()[:24]


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
