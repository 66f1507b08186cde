"""Baseline runs for ``--dmh-baseline``: the verdicts a session is compared against."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from harness.errors import ConfigError
from harness.rubrics import Rubric
from harness.runs import RunFolder
from harness.scoring import collapse_repeats, evaluate_gate, summarize_intents
from harness.testing._verdicts import intent_gate_reasons

__all__ = [
    "DEFAULT_BASELINE",
    "Baseline",
    "baseline_destination",
    "find_baseline",
    "load_baseline",
    "write_baseline",
]

DEFAULT_BASELINE = "baseline"
"""Run id, in the config's output folder, that ``--dmh-update-baseline`` writes by default."""


@dataclass(frozen=True)
class Baseline:
    """Verdicts of a baseline run, judged with the current rubric."""

    path: Path
    conversations: dict[str, bool]
    """Scenario id to whether the conversation passed (after collapsing repeats)."""

    intents: dict[str, bool]
    """Intent to whether its gate item passed."""

    gate_passed: bool

    def conversation_failed(self, scenario_id: str) -> bool:
        """True when the scenario failed in the baseline; False when it passed or is new."""
        return self.conversations.get(scenario_id) is False

    def intent_failed(self, intent: str) -> bool:
        """True when the intent's gate failed in the baseline."""
        return self.intents.get(intent) is False


def find_baseline(reference: str, output: Path) -> Path | None:
    """Resolve ``--dmh-baseline``: a run folder path, else a run id in ``output``.

    Returns None when neither holds a ``results.jsonl``.
    """
    for candidate in (Path(reference), output / reference):
        if (candidate / "results.jsonl").is_file():
            return candidate.resolve()
    return None


def baseline_destination(reference: str, output: Path) -> Path:
    """Return where ``--dmh-update-baseline`` writes: a path, else a run id in ``output``.

    ``reference`` is a path when it names an existing folder or has more than one part.
    """
    candidate = Path(reference)
    if candidate.is_dir() or len(candidate.parts) > 1:
        return candidate.resolve()
    return output / reference


def load_baseline(path: Path, rubric: Rubric) -> Baseline:
    """Read the baseline run at ``path`` and judge it with ``rubric``.

    Raises:
        ConfigError: The run folder holds no readable manifest or results.
    """
    folder = RunFolder(path.parent, path.name)
    min_pass_rate = _min_pass_rate(folder)
    results = collapse_repeats(folder.results(), min_pass_rate)

    intents = summarize_intents(results, rubric)
    return Baseline(
        path=path,
        conversations={result.scenario_id: result.passed for result in results},
        intents={summary.intent: not intent_gate_reasons(summary, rubric) for summary in intents},
        gate_passed=evaluate_gate(intents, rubric).passed,
    )


def _min_pass_rate(folder: RunFolder) -> float:
    if not folder.manifest_path.exists():
        raise ConfigError(
            "baseline run has no run.json",
            path=folder.path,
            field="--dmh-baseline",
            fix="pass a run folder written by dm-harness or by --dmh-update-baseline",
        )
    replay = folder.manifest().config.get("replay", {})
    return float(replay.get("min_pass_rate", 1.0))


def write_baseline(folder: RunFolder, destination: Path) -> None:
    """Replace the baseline at ``destination`` with a copy of the finished run ``folder``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.with_name(f".{destination.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for path in (folder.manifest_path, folder.results_path, folder.summary_path):
        if path.exists():
            shutil.copy2(path, staging / path.name)

    # Swap only after the copy is complete, so a failed copy leaves the old baseline in place.
    shutil.rmtree(destination, ignore_errors=True)
    staging.rename(destination)
