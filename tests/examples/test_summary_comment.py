import importlib.util
from pathlib import Path

from harness.cli import main
from harness.errors import ExitCode

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "ci" / "summary_comment.py"
SCENARIOS = (
    "intent: pricing\npolicy: answer\nscenarios:\n"
    "  - id: p-1\n    turns:\n      - {user: how much?, reference: 'It is $25. Book here: https://example.test'}\n"
)


def load_script():
    spec = importlib.util.spec_from_file_location("summary_comment", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_comment_shows_gate_per_intent(tmp_path, monkeypatch, capsys):
    (tmp_path / "pricing.yaml").write_text(SCENARIOS)
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--bot", "recorded", "--scenarios", "pricing.yaml", "--out", "out", "--no-progress"])
    assert code == ExitCode.OK
    capsys.readouterr()

    assert load_script().main([str(tmp_path / "out")]) == 0
    comment = capsys.readouterr().out
    assert "| pricing | 1/1 | 100% | 80% | pass |" in comment
