"""Atomic writing of scenario files and the side events file.

Every output is rendered in memory first, then written to a temporary file in the output
folder and renamed over its target. A failed import therefore leaves no partial file behind,
because parsing, validation and write errors are all raised before the first rename.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import yaml

from harness.conversations import Scenario, dump_scenario_file
from harness.errors import ConfigError
from harness.importers._threads import ImportedEvent

__all__ = [
    "EVENTS_FILE",
    "OutputFormat",
    "intent_file_stem",
    "render_events",
    "render_scenarios",
    "write_files",
    "write_scenarios",
]

logger = logging.getLogger(__name__)

OutputFormat = Literal["yaml", "jsonl"]
EVENTS_FILE = "events.ndjson"
"""Name of the side file that keeps non-replayable events (reactions, likes, unsent messages).

Its suffix is not ``.jsonl``, so that loading the output folder as a suite skips it."""

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_SAFE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


def render_scenarios(scenarios: Iterable[Scenario], fmt: OutputFormat = "yaml") -> dict[str, str]:
    """Render scenarios as one file per intent, returning file names and their contents.

    Each file takes the policy of its first scenario as the file default; a scenario with
    another policy keeps its own ``policy`` field.
    """
    groups: dict[str, list[Scenario]] = {}
    for scenario in scenarios:
        groups.setdefault(scenario.intent, []).append(scenario)

    files: dict[str, str] = {}
    for intent, members in groups.items():
        stem = intent_file_stem(intent)
        if fmt == "jsonl":
            records = (scenario.model_dump(mode="json", exclude_defaults=True) for scenario in members)
            files[f"{stem}.jsonl"] = _jsonl(records)
        else:
            data = dump_scenario_file(intent, members[0].policy, members)
            files[f"{stem}.yaml"] = yaml.dump(
                data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
            )
    return files


def intent_file_stem(intent: str) -> str:
    """Return a file name (without suffix) for an intent that stays inside the output folder.

    An intent of letters, digits, ``_`` and ``-`` is its own file name. Any other intent (from
    a rules file or a classifier's labels, such as ``../evil`` or ``a/b``) has those runs
    replaced with ``_`` and a digest of the original added, so two intents never share a file.
    The intent itself is kept unchanged inside the file.
    """
    if _SAFE_STEM.fullmatch(intent):
        return intent
    readable = re.sub(r"[^\w-]+", "_", intent).strip("_.-")[:60] or "intent"
    digest = hashlib.sha256(intent.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"


def render_events(events: Sequence[ImportedEvent]) -> str:
    """Render events as JSON lines."""
    return _jsonl(asdict(event) for event in events)


def write_scenarios(
    scenarios: Sequence[Scenario],
    out_dir: str | Path,
    *,
    events: Sequence[ImportedEvent] = (),
    fmt: OutputFormat = "yaml",
    overwrite: bool = False,
) -> list[Path]:
    """Write scenarios (one file per intent) and their events into ``out_dir`` atomically.

    Raises:
        ConfigError: A target file exists and ``overwrite`` is false, or writing failed.
    """
    files = render_scenarios(scenarios, fmt)
    if events:
        files[EVENTS_FILE] = render_events(events)
    return write_files(files, out_dir, overwrite=overwrite)


def write_files(files: dict[str, str], out_dir: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write every file of ``files`` (name to content) into ``out_dir``, all or none.

    Raises:
        ConfigError: A target exists and ``overwrite`` is false, or the folder is not writable.
    """
    folder = Path(out_dir)
    targets = [folder / name for name in files]
    existing = [str(target) for target in targets if target.exists()]
    if existing and not overwrite:
        raise ConfigError(
            f"output file already exists: {', '.join(existing)}",
            path=folder,
            fix="choose an empty folder with --out, or pass --force to replace the files",
        )

    temporary: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            temporary.append(_write_temporary(folder, name, text))
    except OSError as exc:
        for path in temporary:
            path.unlink(missing_ok=True)
        raise ConfigError(f"cannot write output: {exc.strerror}", path=exc.filename or folder) from None

    for temp, target in zip(temporary, targets):
        os.replace(temp, target)
    logger.info("wrote %d files to %s", len(targets), folder)
    return targets


def _write_temporary(folder: Path, name: str, text: str) -> Path:
    # The temporary file sits in the target folder so that os.replace is a rename on one
    # file system, which POSIX makes atomic.
    handle, raw_path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    path = Path(raw_path)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _jsonl(records: Iterable[dict[str, object]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
