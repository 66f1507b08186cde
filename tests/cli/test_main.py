"""Exit codes of the command line for crashes, corrupt run history and broken run folders."""


import pytest

from harness.cli import main
from harness.errors import ExitCode

SCENARIOS = "intent: pricing\npolicy: answer\nscenarios:\n  - id: p-1\n    turns:\n      - {user: how much?, reference: 'It is $25. Book here: https://example.test'}\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "pricing.yaml").write_text(SCENARIOS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_recorded(project) -> int:
    return main(["run", "--bot", "recorded", "--scenarios", "pricing.yaml", "--out", "out", "--no-progress"])


def test_internal_error_exits_3(project, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("harness.runs.execute", explode)
    assert run_recorded(project) == ExitCode.INTERNAL_ERROR


def test_corrupt_history_keeps_gate_verdict(project, capsys):
    (project / "out").mkdir()
    (project / "out" / "history.sqlite").write_text("garbage")
    code = run_recorded(project)
    assert code == ExitCode.OK
    assert "run history cannot be read" in " ".join(capsys.readouterr().err.split())


def test_runs_with_corrupt_history_is_usage_error(project):
    (project / "out").mkdir()
    (project / "out" / "history.sqlite").write_text("garbage")
    assert main(["runs", "--out", "out"]) == ExitCode.USAGE_ERROR


def test_report_of_truncated_run_rejected(project, capsys):
    assert run_recorded(project) == ExitCode.OK
    run_dir = next((project / "out").glob("*/run.json")).parent
    (run_dir / "results.jsonl").write_text("")
    assert main(["report", run_dir.name, "--out", "out"]) == ExitCode.USAGE_ERROR
    error = " ".join(capsys.readouterr().err.split())
    assert "results.jsonl has 0 conversations but summary.json counts 1" in error


def test_unknown_run_lists_run_ids(project, capsys):
    assert run_recorded(project) == ExitCode.OK
    run_id = next((project / "out").glob("*/run.json")).parent.name
    assert main(["report", "nope", "--out", "out"]) == ExitCode.USAGE_ERROR
    assert f"runs there: {run_id}" in " ".join(capsys.readouterr().err.split())


def test_bot_option_keeps_config_file(project):
    (project / "harness.yaml").write_text("scenarios: [pricing.yaml]\noutput: from-config\ngate: {min_acceptance: 0.5}\n")
    assert main(["run", "--bot", "recorded", "--no-progress"]) == ExitCode.OK
    assert any((project / "from-config").glob("*/summary.json"))


def test_resume_with_other_bot_rejected(project, capsys):
    assert run_recorded(project) == ExitCode.OK
    run_id = next((project / "out").glob("*/run.json")).parent.name
    (project / "bot.py").write_text("def reply(conversation, message):\n    return 'hi'\n")
    code = main(["run", "--bot", "bot.py:reply", "--scenarios", "pricing.yaml", "--out", "out", "--resume", run_id])
    assert code == ExitCode.USAGE_ERROR
    assert "one run must score one bot" in " ".join(capsys.readouterr().err.split())


def test_rubric_without_checks_rejected(project, capsys):
    (project / "empty.yaml").write_text("version: 1\ndimensions: {}\n")
    code = main(["run", "--bot", "recorded", "--scenarios", "pricing.yaml", "--rubric", "empty.yaml", "--out", "out"])
    assert code == ExitCode.USAGE_ERROR
    assert "the rubric has no checks" in " ".join(capsys.readouterr().err.split())


def test_config_paths_relative_to_config_file(project, monkeypatch):
    folder = project / "suite"
    folder.mkdir()
    (folder / "bot.py").write_text("def reply(conversation, message):\n    return 'It is $25. Book here: https://example.test'\n")
    (folder / "pricing.yaml").write_text(SCENARIOS)
    (folder / "harness.yaml").write_text(
        "scenarios: [pricing.yaml]\nadapter: {name: python, options: {target: bot.py:reply}}\noutput: out\n"
    )
    monkeypatch.chdir(project.parent)
    assert main(["run", str(folder / "harness.yaml"), "--no-progress"]) in (ExitCode.OK, ExitCode.GATE_FAILED)
    assert any((folder / "out").glob("*/summary.json"))
