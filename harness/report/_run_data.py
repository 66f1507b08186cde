"""A finished run as the outputs read it: manifest, summary and scored conversations."""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import ConfigError
from harness.runs import RunFolder, RunManifest, RunSummary
from harness.scoring import ConversationResult, collapse_repeats

__all__ = ["RunData", "load_run"]


@dataclass(frozen=True)
class RunData:
    """Everything one run wrote, read back from its folder."""

    manifest: RunManifest
    summary: RunSummary
    results: list[ConversationResult]
    """Every replay, in the order the run finished them."""

    collapsed: list[ConversationResult]
    """One result per scenario, with repeats reduced as the gate counts them."""

    @property
    def run_id(self) -> str:
        """Id of the run."""
        return self.manifest.run_id


def load_run(folder: RunFolder) -> RunData:
    """Read the manifest, the summary and every result of a finished run.

    Raises:
        RunNotFoundError: The run has no ``summary.json`` because it never finished.
        ConfigError: A line of ``results.jsonl`` is invalid.
    """
    summary = folder.summary()
    results = folder.results()
    collapsed = collapse_repeats(results, summary.min_pass_rate)
    if len(collapsed) != summary.conversations:
        # A report drawn from a truncated results file would show a verdict it cannot back up.
        raise ConfigError(
            f"results.jsonl has {len(collapsed)} conversations but summary.json counts {summary.conversations}",
            path=folder.results_path,
            fix=f"restore the run folder, or finish the run with `dm-harness run --resume {folder.run_id}`",
        )
    return RunData(manifest=folder.manifest(), summary=summary, results=results, collapsed=collapsed)
