"""Merging the runs of a sharded suite (``dm-harness run --shard I/N``) into one run.

Each shard run scores its own conversations, so the merged run takes the per-conversation
verdicts as the shards recorded them. Acceptance rates and the gate are computed again, once,
over the whole suite.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from harness.errors import ConfigError
from harness.rubrics import Rubric, load_rubric
from harness.runs._config import RunConfig
from harness.runs._folder import RunFolder, RunManifest, new_run_id
from harness.runs._runner import RunOutcome, apply_gate_override
from harness.runs._summary import RunSummary, summarize_run
from harness.scoring import ConversationResult

__all__ = ["merge_runs"]

logger = logging.getLogger(__name__)

_VERDICT_SETTINGS = ("adapter", "gate", "intents")
"""Config keys whose values must match across shards, because they change the verdicts."""

_REPLAY_SETTINGS = ("timeout_s", "retries", "repeats", "min_pass_rate")
"""Replay settings that must match; concurrency and backoff may differ between shards."""


def merge_runs(
    folders: Sequence[RunFolder],
    output: str | Path,
    *,
    run_id: str | None = None,
    rubric_path: str | Path | None = None,
) -> RunOutcome:
    """Join finished shard runs into one new run folder under ``output``.

    Args:
        folders: The shard runs: every shard of one ``--shard I/N`` split, or unsharded runs
            over disjoint scenarios.
        output: The folder that receives the merged run folder.
        run_id: The merged run's id; a new one by default.
        rubric_path: The rubric that decides the gate; by default the rubric file named in
            the first run's manifest. The run config's gate override applies to either.

    Raises:
        ConfigError: The runs cannot be merged: one is unfinished, shards are missing or
            repeated, they were scored with different settings, or a scenario is in two runs.
    """
    if not folders:
        raise ConfigError("no runs to merge", field="RUN", fix="pass the run folders of every shard")
    manifests = [folder.manifest() for folder in folders]
    summaries = [_finished_summary(folder) for folder in folders]
    _check_shards(manifests)
    _check_settings(manifests)

    config = _run_config(manifests[0])
    rubric_path = Path(rubric_path) if rubric_path else _manifest_rubric_path(manifests[0])
    rubric = apply_gate_override(_load_rubric(rubric_path, manifests[0]), config)
    run_id = run_id or new_run_id()
    results = _joined_results(folders, run_id)

    folder = RunFolder(output, run_id)
    folder.create(_merged_manifest(run_id, manifests))
    with folder.open_results() as handle:
        for result in results:
            folder.append(result, handle)
    summary = _summarize(results, rubric, rubric_path, config, folder, summaries)
    folder.write_summary(summary)
    logger.info("merged %d runs into %s", len(folders), folder.path)
    return RunOutcome(folder=folder, summary=summary, results=results)


def _finished_summary(folder: RunFolder) -> RunSummary:
    summary = folder.summary()
    if not summary.complete:
        raise ConfigError(
            f"run {folder.run_id} is incomplete: {summary.conversations} of {summary.scenarios} scenarios scored",
            path=folder.path,
            fix=f"finish it with `dm-harness run --resume {folder.run_id}` (with the same --shard) before merging",
        )
    return summary


def _check_shards(manifests: list[RunManifest]) -> None:
    shards = [manifest.shard for manifest in manifests]
    if all(shard is None for shard in shards):
        return
    if any(shard is None for shard in shards):
        raise ConfigError(
            "cannot merge sharded and unsharded runs",
            field="RUN",
            fix="pass only the shard runs of one `dm-harness run --shard I/N` split",
        )
    parsed = [tuple(int(part) for part in shard.split("/")) for shard in shards]  # type: ignore[union-attr]
    counts = {count for _, count in parsed}
    if len(counts) > 1:
        raise ConfigError(f"runs come from different splits: {', '.join(shards)}", field="RUN")  # type: ignore[arg-type]

    count = counts.pop()
    indexes = [index for index, _ in parsed]
    repeated = sorted({index for index in indexes if indexes.count(index) > 1})
    missing = sorted(set(range(1, count + 1)) - set(indexes))
    if repeated:
        raise ConfigError(f"shard(s) {_shards(repeated, count)} given more than once", field="RUN")
    if missing:
        raise ConfigError(
            f"shard(s) {_shards(missing, count)} missing",
            field="RUN",
            fix=f"pass the runs of all {count} shards",
        )


def _shards(indexes: list[int], count: int) -> str:
    return ", ".join(f"{index}/{count}" for index in indexes)


def _check_settings(manifests: list[RunManifest]) -> None:
    first = manifests[0]
    for manifest in manifests[1:]:
        for key in (*_VERDICT_SETTINGS, *_REPLAY_SETTINGS):
            if _setting(manifest, key) != _setting(first, key):
                raise ConfigError(
                    f"runs {first.run_id} and {manifest.run_id} differ in their {key!r} settings",
                    field="RUN",
                    fix="merge only shards of one run, replayed with the same config",
                )
        if (manifest.rubric.get("name"), manifest.rubric.get("version"), manifest.checks) != (
            first.rubric.get("name"),
            first.rubric.get("version"),
            first.checks,
        ):
            raise ConfigError(
                f"runs {first.run_id} and {manifest.run_id} were scored with different rubrics",
                field="RUN",
                fix="merge only shards scored with the same rubric",
            )


def _setting(manifest: RunManifest, key: str) -> object:
    if key in _REPLAY_SETTINGS:
        return manifest.config.get("replay", {}).get(key)
    return manifest.config.get(key)


def _run_config(manifest: RunManifest) -> RunConfig:
    try:
        return RunConfig.model_validate(manifest.config)
    except ValidationError as exc:
        raise ConfigError(
            f"run {manifest.run_id}: the config snapshot in run.json is invalid ({exc.errors()[0]['msg']})",
            fix="merge runs written by this version of dm-harness",
        ) from None


def _manifest_rubric_path(manifest: RunManifest) -> Path:
    path = manifest.rubric.get("path")
    if not path or not Path(path).is_file():
        raise ConfigError(
            f"rubric {path!r} of run {manifest.run_id} not found",
            field="--rubric",
            fix="pass the rubric file the shards were scored with",
        )
    return Path(path)


def _load_rubric(path: Path, manifest: RunManifest) -> Rubric:
    rubric = load_rubric(path)
    if rubric.version != manifest.rubric.get("version"):
        logger.warning(
            "rubric %s is now version %s; the shards were scored with version %s",
            path,
            rubric.version,
            manifest.rubric.get("version"),
        )
    return rubric


def _joined_results(folders: Sequence[RunFolder], run_id: str) -> list[ConversationResult]:
    owners: dict[str, str] = {}
    results: list[ConversationResult] = []
    for folder in folders:
        for result in folder.iter_results():
            owner = owners.setdefault(result.scenario_id, folder.run_id)
            if owner != folder.run_id:
                raise ConfigError(
                    f"scenario {result.scenario_id!r} is in both run {owner} and run {folder.run_id}",
                    field="RUN",
                    fix="merge runs over disjoint scenarios, such as the shards of one split",
                )
            results.append(result.model_copy(update={"run_id": run_id}))
    return sorted(results, key=lambda result: (result.intent, result.scenario_id, result.repeat))


def _merged_manifest(run_id: str, manifests: list[RunManifest]) -> RunManifest:
    first = manifests[0]
    fingerprints = sorted(str(manifest.suite.get("fingerprint", "")) for manifest in manifests)
    intents = list(dict.fromkeys(intent for manifest in manifests for intent in manifest.suite.get("intents", [])))
    suite = {
        "files": first.suite.get("files", []),
        "scenarios": sum(int(manifest.suite.get("scenarios", 0)) for manifest in manifests),
        "intents": intents,
        # Not the fingerprint an unsharded run would have: the merged order is not the suite order.
        "fingerprint": hashlib.sha256("".join(fingerprints).encode()).hexdigest()[:16],
        "merged_from": [manifest.run_id for manifest in manifests],
    }
    return first.model_copy(
        update={
            "run_id": run_id,
            "created_at": min(manifest.created_at for manifest in manifests),
            "suite": suite,
            "shard": None,
        }
    )


def _summarize(
    results: list[ConversationResult],
    rubric: Rubric,
    rubric_path: Path,
    config: RunConfig,
    folder: RunFolder,
    summaries: list[RunSummary],
) -> RunSummary:
    return summarize_run(
        results,
        rubric,
        run_id=folder.run_id,
        adapter=summaries[0].adapter,
        rubric_path=str(rubric_path),
        scenarios=sum(summary.scenarios for summary in summaries),
        started_at=min(summary.started_at for summary in summaries),
        finished_at=max(summary.finished_at for summary in summaries),
        repeats=config.replay.repeats,
        min_pass_rate=config.replay.min_pass_rate,
    )
