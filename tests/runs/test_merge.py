import json
import textwrap
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.runs import RunConfig, RunFolder, RunOutcome, Shard, load_run_config, merge_runs, run_sync
from harness.scoring import collapse_repeats

BOT = """
def reply(conversation, message):
    # Replies with a price only to a message about prices, so every other message fails the rubric.
    if "price" in message.user:
        return "A haircut is $25."
    return "Hello there."
"""

RUBRIC = """
version: "1"
name: tiny
dimensions:
  accuracy:
    min_score: 1.0
    checks:
      - id: states_price
        type: regex
        params: {pattern: '\\$\\d+'}
        tag: missing_fact
gate:
  min_acceptance: 0.6
"""

SHARDS = 3


def write_project(root: Path, repeats: int = 1) -> RunConfig:
    (root / "scenarios").mkdir()
    (root / "bot.py").write_text(BOT)
    (root / "rubric.yaml").write_text(RUBRIC)
    for intent, count in (("pricing", 7), ("hours", 5)):
        lines = [f"intent: {intent}", "policy: answer", "scenarios:"]
        for number in range(count):
            # Every third conversation leaves out the word "price", so it fails.
            text = "hello" if number % 3 == 2 else f"what is the price {number}?"
            lines += [f"  - id: {intent}-{number}", "    turns:", f"      - user: {text!r}"]
        (root / "scenarios" / f"{intent}.yaml").write_text("\n".join(lines) + "\n")
    (root / "harness.yaml").write_text(
        textwrap.dedent(
            f"""
            scenarios: [scenarios]
            rubric: rubric.yaml
            adapter: {{name: python, options: {{target: "{root / 'bot.py'}:reply"}}}}
            replay: {{repeats: {repeats}, concurrency: 4}}
            output: reports
            """
        )
    )
    return load_run_config(root / "harness.yaml")


def run_shards(config: RunConfig) -> list[RunFolder]:
    return [run_sync(config, shard=Shard(index, SHARDS)).folder for index in range(1, SHARDS + 1)]


def verdicts(outcome: RunOutcome, min_pass_rate: float = 1.0) -> dict[str, bool]:
    return {result.scenario_id: result.passed for result in collapse_repeats(outcome.results, min_pass_rate)}


@pytest.fixture
def config(tmp_path: Path) -> RunConfig:
    return write_project(tmp_path)


@pytest.fixture
def shards(config: RunConfig) -> list[RunFolder]:
    return run_shards(config)


def test_merge_matches_unsharded_verdicts(config: RunConfig, shards: list[RunFolder], tmp_path: Path) -> None:
    unsharded = run_sync(config)
    merged = merge_runs(shards, tmp_path / "merged")

    assert verdicts(merged) == verdicts(unsharded)
    assert merged.summary.gate.passed == unsharded.summary.gate.passed
    assert merged.summary.gate.reasons == unsharded.summary.gate.reasons
    assert merged.summary.acceptance == unsharded.summary.acceptance
    assert merged.summary.complete


def test_merge_intent_acceptance_matches(config: RunConfig, shards: list[RunFolder], tmp_path: Path) -> None:
    unsharded = {intent.intent: intent for intent in run_sync(config).summary.gate.intents}
    merged = {intent.intent: intent for intent in merge_runs(shards, tmp_path / "merged").summary.gate.intents}

    assert merged.keys() == unsharded.keys()
    for name, intent in merged.items():
        assert (intent.passed, intent.conversations, intent.meets_bar) == (
            unsharded[name].passed,
            unsharded[name].conversations,
            unsharded[name].meets_bar,
        )


def test_merge_every_shard_nonempty(shards: list[RunFolder]) -> None:
    # The verdict comparison means little if one shard held the whole suite.
    sizes = [len(folder.results()) for folder in shards]

    assert all(size > 0 for size in sizes)
    assert sum(sizes) == 12


def test_merge_writes_run_folder(shards: list[RunFolder], tmp_path: Path) -> None:
    merged = merge_runs(shards, tmp_path / "merged", run_id="merged-run")
    folder = RunFolder.open(tmp_path / "merged", "merged-run")

    manifest = folder.manifest()
    assert manifest.shard is None
    assert manifest.suite["merged_from"] == [shard.run_id for shard in shards]
    assert manifest.suite["scenarios"] == 12
    assert len(folder.results()) == 12
    assert {result.run_id for result in folder.results()} == {"merged-run"}
    assert json.loads(folder.summary_path.read_text())["conversations"] == 12
    assert merged.summary.run_id == "merged-run"


def test_merge_with_repeats(tmp_path: Path) -> None:
    config = write_project(tmp_path, repeats=2)
    merged = merge_runs(run_shards(config), tmp_path / "merged")

    assert len(merged.results) == 24
    assert merged.summary.conversations == 12
    assert merged.summary.repeats == 2


def test_merge_missing_shard(shards: list[RunFolder], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"shard\(s\) 2/3 missing"):
        merge_runs([shards[0], shards[2]], tmp_path / "merged")


def test_merge_repeated_shard(shards: list[RunFolder], tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"shard\(s\) 1/3 given more than once"):
        merge_runs([shards[0], shards[0], shards[1], shards[2]], tmp_path / "merged")


def test_merge_sharded_with_unsharded(config: RunConfig, shards: list[RunFolder], tmp_path: Path) -> None:
    unsharded = run_sync(config).folder

    with pytest.raises(ConfigError, match="sharded and unsharded"):
        merge_runs([*shards, unsharded], tmp_path / "merged")


def test_merge_overlapping_runs(config: RunConfig, tmp_path: Path) -> None:
    first, second = run_sync(config).folder, run_sync(config).folder

    with pytest.raises(ConfigError, match="is in both run"):
        merge_runs([first, second], tmp_path / "merged")


def test_merge_different_settings(config: RunConfig, tmp_path: Path) -> None:
    other = config.model_copy(update={"replay": config.replay.model_copy(update={"timeout_s": 5.0})})
    folders = [run_sync(config, shard=Shard(1, 2)).folder, run_sync(other, shard=Shard(2, 2)).folder]

    with pytest.raises(ConfigError, match="differ in their 'timeout_s' settings"):
        merge_runs(folders, tmp_path / "merged")


def test_merge_incomplete_run(shards: list[RunFolder], tmp_path: Path) -> None:
    summary = shards[1].summary()
    shards[1].write_summary(summary.model_copy(update={"complete": False}))

    with pytest.raises(ConfigError, match="is incomplete"):
        merge_runs(shards, tmp_path / "merged")


def test_merge_missing_rubric(shards: list[RunFolder], tmp_path: Path) -> None:
    (tmp_path / "rubric.yaml").unlink()

    with pytest.raises(ConfigError, match="rubric .* not found"):
        merge_runs(shards, tmp_path / "merged")


def test_merge_explicit_rubric(shards: list[RunFolder], tmp_path: Path) -> None:
    moved = tmp_path / "kept.yaml"
    (tmp_path / "rubric.yaml").rename(moved)

    merged = merge_runs(shards, tmp_path / "merged", rubric_path=moved)

    assert merged.summary.rubric["path"] == str(moved)


def test_merge_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no runs to merge"):
        merge_runs([], tmp_path / "merged")
