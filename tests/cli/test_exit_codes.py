"""Exit codes of ``dm-harness run`` and ``dm-harness merge``: 0 gate passed, 1 gate failed, 2 usage error."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import ExitCode

BOT = """
def reply(conversation, message):
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
  min_acceptance: 0.75
"""


def write_project(root: Path, messages: list[str]) -> Path:
    """Write a bot, a rubric, one pricing scenario per message and a run config; return the config."""
    (root / "scenarios").mkdir()
    (root / "bot.py").write_text(BOT)
    (root / "rubric.yaml").write_text(RUBRIC)
    lines = ["intent: pricing", "policy: answer", "scenarios:"]
    for number, message in enumerate(messages):
        lines += [f"  - id: pricing-{number}", "    turns:", f"      - user: {message!r}"]
    (root / "scenarios" / "pricing.yaml").write_text("\n".join(lines) + "\n")
    config = root / "harness.yaml"
    config.write_text(
        textwrap.dedent(
            f"""
            scenarios: [scenarios]
            rubric: rubric.yaml
            adapter: {{name: python, options: {{target: "{root / 'bot.py'}:reply"}}}}
            output: reports
            """
        )
    )
    return config


# The console script that CI calls; without it, the same entry point through the interpreter.
COMMAND = (
    [shutil.which("dm-harness")]
    if shutil.which("dm-harness")
    else [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main())"]
)

PASSING = ["price of a haircut?", "what price?", "price list please", "any price"]
FAILING = ["hello", "hi", "price?", "hey"]


def run(*args: str | Path) -> int:
    return main(["run", *map(str, args), "--no-progress"])


@pytest.mark.parametrize(
    ("messages", "expected"),
    [(PASSING, ExitCode.OK), (FAILING, ExitCode.GATE_FAILED)],
    ids=["gate-passed", "gate-failed"],
)
def test_run_gate_exit_code(tmp_path: Path, messages: list[str], expected: ExitCode) -> None:
    assert run(write_project(tmp_path, messages)) == expected


def test_run_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_project(tmp_path, PASSING)
    config.write_text(config.read_text() + "concurrency: 4\n")

    assert run(config) == ExitCode.USAGE_ERROR
    assert "harness.yaml:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [
        ["--shard", "5/4"],
        ["--shard", "two"],
        ["--bot", "not a bot"],
        ["--scenarios", "missing-folder"],
        ["--rubric", "missing.yaml"],
        ["--intent", "no_such_intent"],
        ["--resume", "no-such-run"],
    ],
    ids=["shard-range", "shard-text", "bot", "scenarios", "rubric", "intent", "resume"],
)
def test_run_usage_error(tmp_path: Path, extra: list[str]) -> None:
    config = write_project(tmp_path, PASSING)

    assert run(config, *extra) == ExitCode.USAGE_ERROR


def test_run_unknown_adapter(tmp_path: Path) -> None:
    config = write_project(tmp_path, PASSING)
    config.write_text(config.read_text().replace("name: python", "name: carrier_pigeon"))

    assert run(config) == ExitCode.USAGE_ERROR


@pytest.mark.parametrize(
    ("messages", "expected"),
    [(PASSING, 0), (FAILING, 1), (None, 2)],
    ids=["gate-passed", "gate-failed", "usage-error"],
)
def test_run_process_exit_code(tmp_path: Path, messages: list[str] | None, expected: int) -> None:
    # The console script as CI runs it: the exit status of the process, not main()'s value.
    config = write_project(tmp_path, messages or PASSING)
    extra = ["--shard", "0/4"] if messages is None else []
    command = [*COMMAND, "run", str(config), "--no-progress", *extra]

    completed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)

    assert completed.returncode == expected, completed.stderr


def test_run_unknown_option(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--no-such-option"])

    assert exit_info.value.code == ExitCode.USAGE_ERROR


def shard_runs(tmp_path: Path, messages: list[str]) -> list[Path]:
    config = write_project(tmp_path, messages)
    for index in (1, 2):
        # A shard's own gate sees half the suite, so its exit code is not the verdict.
        assert run(config, "--shard", f"{index}/2") in (ExitCode.OK, ExitCode.GATE_FAILED)
    return sorted((tmp_path / "reports").glob("*/run.json"))


@pytest.mark.parametrize(
    ("messages", "expected"),
    [(PASSING, ExitCode.OK), (FAILING, ExitCode.GATE_FAILED)],
    ids=["gate-passed", "gate-failed"],
)
def test_merge_gate_exit_code(tmp_path: Path, messages: list[str], expected: ExitCode) -> None:
    runs = [str(path.parent) for path in shard_runs(tmp_path, messages)]

    assert main(["merge", *runs, "--out", str(tmp_path / "merged")]) == expected


def test_merge_missing_shard_exit_code(tmp_path: Path) -> None:
    first = str(shard_runs(tmp_path, PASSING)[0].parent)

    assert main(["merge", first, "--out", str(tmp_path / "merged")]) == ExitCode.USAGE_ERROR


def test_merge_unknown_run_exit_code(tmp_path: Path) -> None:
    assert main(["merge", "no-such-run", "--out", str(tmp_path)]) == ExitCode.USAGE_ERROR
