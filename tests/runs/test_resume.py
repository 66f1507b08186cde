"""A run killed half-way resumes without calling the bot again for finished conversations."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from harness.runs import RunFolder

BOT = """
import os, time

def reply(conversation, message):
    with open(os.environ["DMH_CALL_LOG"], "a") as log:
        log.write(conversation.scenario.id + "\\n")
    time.sleep(0.05)
    return "A haircut is $25. Book here: https://example.test/book"
"""

RUBRIC = """
version: "1"
dimensions:
  accuracy:
    checks:
      - {id: states_price, type: regex, params: {pattern: '\\$\\d+'}, tag: missing_fact}
"""

CONVERSATIONS = 40


def write_project(root: Path) -> Path:
    (root / "bot.py").write_text(BOT)
    (root / "rubric.yaml").write_text(RUBRIC)
    lines = ["intent: pricing", "policy: answer", "scenarios:"]
    for number in range(CONVERSATIONS):
        lines += [f"  - id: pricing-{number:02d}", "    turns:", "      - user: how much?", "      - user: and on sunday?"]
    (root / "pricing.yaml").write_text("\n".join(lines) + "\n")
    config = root / "harness.yaml"
    config.write_text(
        textwrap.dedent(
            f"""
            scenarios: [pricing.yaml]
            rubric: rubric.yaml
            adapter: {{name: python, options: {{target: "{root / 'bot.py'}:reply"}}}}
            replay: {{concurrency: 2}}
            output: reports
            """
        )
    )
    return config


def start_run(config: Path, env: dict, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "harness.cli", "run", str(config), "--no-progress", *extra]
    return subprocess.Popen(command, env=env, cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_results(results: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if results.exists() and results.read_text().count("\n") >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{results} did not reach {count} lines")


def test_killed_run_resumes_without_replaying(tmp_path):
    config = write_project(tmp_path)
    calls = tmp_path / "calls.log"
    env = {**os.environ, "DMH_CALL_LOG": str(calls)}

    process = start_run(config, env)
    reports = tmp_path / "reports"
    deadline = time.monotonic() + 30
    while not any(reports.glob("*/run.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    run_dir = next(reports.glob("*/run.json")).parent
    wait_for_results(run_dir / "results.jsonl", 10)
    process.send_signal(signal.SIGKILL)
    process.wait()

    finished = RunFolder(reports, run_dir.name).finished()
    assert 10 <= len(finished) < CONVERSATIONS
    calls_before = calls.read_text().splitlines()

    resumed = start_run(config, env, "--resume", run_dir.name)
    _, stderr = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, stderr.decode()

    calls_after = calls.read_text().splitlines()[len(calls_before):]
    finished_ids = {scenario_id for scenario_id, _ in finished}
    every_id = {f"pricing-{n:02d}" for n in range(CONVERSATIONS)}
    assert set(calls_after) == every_id - finished_ids

    lines = (run_dir / "results.jsonl").read_text().splitlines()
    ids = [json.loads(line)["scenario"]["id"] for line in lines]
    assert sorted(ids) == sorted(f"pricing-{n:02d}" for n in range(CONVERSATIONS))
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["complete"] is True
    assert summary["conversations"] == CONVERSATIONS
