"""Running a suite end to end: load, replay, score as conversations finish, summarize."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from harness import __version__
from harness.adapters import create_adapter
from harness.conversations import Scenario, Suite, load_suite
from harness.errors import ConfigError
from harness.replay import ReplayOptions, Transcript, replay
from harness.rubrics import DEFAULT_RUBRIC, GateSpec, Rubric, load_rubric
from harness.runs._config import RunConfig
from harness.runs._folder import RunFolder, RunManifest, new_run_id
from harness.secrets import mask_secrets
from harness.runs._summary import RunSummary, summarize_run
from harness.scoring import ConversationResult, Scorer

__all__ = [
    "Progress",
    "RunOutcome",
    "Shard",
    "execute",
    "load_inputs",
    "run_sync",
    "apply_gate_override",
    "build_manifest",
    "select_shard",
    "summarize_folder",
]

logger = logging.getLogger(__name__)


class Progress(Protocol):
    """Receives progress events; the command line draws a progress bar from them."""

    def start(self, total: int, done: int) -> None:
        """Start a run of ``total`` conversations, ``done`` of them finished by an earlier run."""

    def advance(self, result: ConversationResult) -> None:
        """Count one more scored conversation."""


@dataclass(frozen=True)
class Shard:
    """One of ``count`` deterministic parts of a suite (1-based ``index``)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Parse ``"2/4"``."""
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ConfigError(f"invalid shard {text!r}", field="--shard", fix="write INDEX/COUNT, e.g. 2/4") from None
        if not 1 <= index <= count:
            raise ConfigError(f"invalid shard {text!r}", field="--shard", fix="INDEX must be between 1 and COUNT")
        return cls(index, count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(repr=False)
class RunOutcome:
    """A finished (or resumed and finished) run."""

    folder: RunFolder
    summary: RunSummary
    results: list[ConversationResult]

    def __repr__(self) -> str:
        # On Python 3.11 asyncio.run() formats the main task and its result twice while it
        # restores the SIGINT handler, because signal.getsignal builds a ValueError message
        # with repr(). The default repr of 2,000 results took about 10% of a run.
        return f"RunOutcome(run_id={self.folder.run_id!r}, results={len(self.results)})"


def select_shard(scenarios: list[Scenario], shard: Shard | None) -> list[Scenario]:
    """Keep the scenarios of one shard, in suite order.

    Scenarios are sorted by a stable hash of their id and dealt round-robin, so shards differ
    in size by at most one, none is empty while the suite has at least ``count`` scenarios,
    and every intent spreads over all shards.
    """
    if shard is None:
        return scenarios
    dealt = sorted(scenarios, key=lambda scenario: (_hash_of(scenario.id), scenario.id))
    chosen = {scenario.id for scenario in dealt[shard.index - 1 :: shard.count]}
    return [scenario for scenario in scenarios if scenario.id in chosen]


def _hash_of(scenario_id: str) -> str:
    return hashlib.sha256(scenario_id.encode()).hexdigest()


def load_inputs(config: RunConfig, shard: Shard | None = None) -> tuple[Suite, Rubric, Path]:
    """Load the suite (filtered by intent and shard) and the rubric with the gate override."""
    suite = load_suite(config.resolve(path) for path in config.scenarios)
    scenarios = suite.scenarios
    if config.intents:
        unknown = sorted(set(config.intents) - set(suite.intents))
        if unknown:
            raise ConfigError(
                f"intents not in the suite: {', '.join(unknown)}",
                field="intents",
                fix=f"use some of: {', '.join(suite.intents)}",
            )
        scenarios = [s for s in scenarios if s.intent in config.intents]
    suite = Suite(scenarios=select_shard(scenarios, shard))

    rubric_path = config.resolve(config.rubric) if config.rubric else DEFAULT_RUBRIC
    rubric = apply_gate_override(load_rubric(rubric_path), config)
    _warn_unknown_overrides(rubric, suite, rubric_path)
    return suite, rubric, rubric_path


def _warn_unknown_overrides(rubric: Rubric, suite: Suite, rubric_path: Path) -> None:
    # A rubric can serve several suites, so an override for an absent intent is not an error,
    # but a misspelt one silently drops a bar or a policy.
    import difflib

    for intent in sorted(set(rubric.intents) - set(suite.intents)):
        close = difflib.get_close_matches(intent, suite.intents, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        logger.warning("%s: intents.%s matches no intent of the suite%s", rubric_path, intent, hint)


def apply_gate_override(rubric: Rubric, config: RunConfig) -> Rubric:
    """Return the rubric with the run config's gate settings in place of its own."""
    override = config.gate.model_dump(exclude_none=True)
    if not override:
        return rubric
    gate = GateSpec.model_validate({**rubric.gate.model_dump(), **override})
    return rubric.model_copy(update={"gate": gate})


async def execute(
    config: RunConfig,
    *,
    resume: str | None = None,
    shard: Shard | None = None,
    progress: Progress | None = None,
) -> RunOutcome:
    """Replay and score a suite, streaming results to the run folder.

    Args:
        config: The run config.
        resume: A run id to continue: its finished conversations are not replayed.
        shard: Replay only this part of the suite.
        progress: Receives progress events.
    """
    if config.adapter is None:
        raise ConfigError(
            "no bot to replay against",
            field="adapter",
            fix="pass --bot (e.g. --bot examples/dm_bot.py:reply or --bot recorded) or set adapter: in harness.yaml",
        )
    suite, rubric, rubric_path = load_inputs(config, shard)
    if not suite.scenarios:
        raise ConfigError("the suite is empty after filtering", fix="check --intent and --shard")
    scorer = Scorer(rubric, suite)
    options = _replay_options(config)
    # The adapter is created before the run folder, so a bot that cannot be loaded leaves
    # no empty run behind.
    adapter = create_adapter(config.adapter.name, config.adapter.options)
    scored: list[ConversationResult] = []
    try:
        folder, started_at = _open_folder(
            config.resolve(config.output), resume, config, suite, rubric, rubric_path, shard
        )
        done = folder.finished()
        options = replace(options, namespace=folder.run_id)
        if progress:
            progress.start(len(suite.scenarios) * options.repeats, len(done))

        def on_transcript(transcript: Transcript) -> None:
            result = _score(scorer, transcript, folder.run_id)
            folder.append(result, handle)
            scored.append(result)
            if progress:
                progress.advance(result)

        with folder.open_results() as handle:
            await replay(suite.scenarios, adapter, options, on_transcript, skip=done)
    finally:
        await adapter.aclose()

    # A fresh run has every result it wrote in memory, so reading results.jsonl back would
    # only parse and validate each of them again. A resumed run also needs the earlier lines.
    results = folder.results() if done else folder.remember(scored)
    summary = summarize_folder(
        folder, rubric, config, rubric_path, scenarios=len(suite.scenarios), started_at=started_at, results=results
    )
    return RunOutcome(folder=folder, summary=summary, results=results)


def summarize_folder(
    folder: RunFolder,
    rubric: Rubric,
    config: RunConfig,
    rubric_path: Path,
    *,
    scenarios: int,
    started_at: datetime,
    results: list[ConversationResult] | None = None,
) -> RunSummary:
    """Summarize every result in the folder and write ``summary.json``.

    ``results``, when given, are the folder's results already in memory.
    """
    summary = summarize_run(
        folder.results() if results is None else results,
        rubric,
        run_id=folder.run_id,
        adapter=config.adapter.name,
        rubric_path=str(rubric_path),
        scenarios=scenarios,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        repeats=config.replay.repeats,
        min_pass_rate=config.replay.min_pass_rate,
    )
    folder.write_summary(summary)
    return summary


def _score(scorer: Scorer, transcript: Transcript, run_id: str) -> ConversationResult:
    return scorer.score(
        transcript.scenario,
        transcript.replies,
        run_id=run_id,
        started_at=transcript.started_at,
        duration_ms=transcript.duration_ms,
        repeat=transcript.repeat,
    )


def _replay_options(config: RunConfig) -> ReplayOptions:
    replay_config = config.replay
    return ReplayOptions(
        concurrency=replay_config.concurrency,
        timeout_s=replay_config.timeout_s,
        retries=replay_config.retries,
        backoff_s=replay_config.backoff_s,
        repeats=replay_config.repeats,
    )


def _open_folder(
    output: Path,
    resume: str | None,
    config: RunConfig,
    suite: Suite,
    rubric: Rubric,
    rubric_path: Path,
    shard: Shard | None,
) -> tuple[RunFolder, datetime]:
    if resume:
        folder = RunFolder.open(output, resume)
        manifest = folder.manifest()
        _check_same_suite(manifest, suite, resume)
        _check_same_bot(manifest, config, resume)
        return folder, manifest.created_at

    manifest = build_manifest(new_run_id(), config, suite, rubric, rubric_path, shard)
    folder = RunFolder(output, manifest.run_id)
    folder.create(manifest)
    return folder, manifest.created_at


def _check_same_bot(manifest: RunManifest, config: RunConfig, run_id: str) -> None:
    assert config.adapter is not None
    options = mask_secrets(config.model_dump(mode="json"))["adapter"]["options"]
    if manifest.adapter != config.adapter.name or manifest.adapter_options != options:
        raise ConfigError(
            f"run {run_id} was started against adapter {manifest.adapter!r} with other options; "
            "one run must score one bot",
            field="--resume",
            fix="resume with the same --bot and adapter options, or start a new run",
        )


def _check_same_suite(manifest: RunManifest, suite: Suite, run_id: str) -> None:
    if manifest.suite.get("fingerprint") != _fingerprint(suite):
        raise ConfigError(
            f"the scenarios differ from those run {run_id} started with",
            field="--resume",
            fix="resume with the same scenarios, intents and shard, or start a new run",
        )


def build_manifest(
    run_id: str, config: RunConfig, suite: Suite, rubric: Rubric, rubric_path: Path, shard: Shard | None
) -> RunManifest:
    """Build the manifest of a new run, with every secret of the config masked."""
    snapshot = mask_secrets(config.model_dump(mode="json"))
    checks = {spec.id: spec.type for _, spec in rubric.checks_for("")}
    for override in rubric.intents.values():
        checks.update({spec.id: spec.type for specs in override.checks.values() for spec in specs})
    return RunManifest(
        run_id=run_id,
        created_at=datetime.now(UTC),
        harness_version=__version__,
        config=snapshot,
        adapter=config.adapter.name,
        adapter_options=snapshot["adapter"]["options"],
        rubric={"name": rubric.name, "version": rubric.version, "path": str(rubric_path)},
        checks=checks,
        suite={
            "files": config.scenarios,
            "scenarios": len(suite.scenarios),
            "intents": suite.intents,
            "fingerprint": _fingerprint(suite),
        },
        shard=str(shard) if shard else None,
    )


def _fingerprint(suite: Suite) -> str:
    digest = hashlib.sha256()
    for scenario in suite.scenarios:
        digest.update(scenario.model_dump_json().encode())
    return digest.hexdigest()[:16]


def run_sync(config: RunConfig, **kwargs: object) -> RunOutcome:
    """Run :func:`execute` from synchronous code."""
    return asyncio.run(execute(config, **kwargs))  # type: ignore[arg-type]
