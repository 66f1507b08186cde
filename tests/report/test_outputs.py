"""Outputs end to end: ``dm-harness run`` with a test bot, then ``report``, ``compare`` and ``runs``."""

import sqlite3
from pathlib import Path

import pytest
import yaml

from harness.adapters import AdapterOptions, adapter
from harness.adapters import _base as adapter_registry
from harness.cli import main
from harness.conversations import Reply
from harness.errors import ExitCode
from harness.report import CSV_FILE, JUNIT_FILE, REPORT_FILE, write_outputs
from harness.runs import HISTORY_FILE, RunFolder, RunHistory
from harness.scoring import CheckParams, Outcome, check
from harness.scoring import _registry as check_registry
from report_fixtures import mixed_results, write_run

AUTHORIZATION = "Bearer sk-live-9f8e7d6c5b4a39281706"
TOKEN = "tok_live_0a1b2c3d4e5f60718293"
CALLS: list[str] = []


class _BotOptions(AdapterOptions):
    headers: dict[str, str] = {}
    token: str = ""
    price: bool = True


class _PriceBot:
    """Reply with a price (or without one), recording every call."""

    Options = _BotOptions

    def __init__(self, options: _BotOptions) -> None:
        self.options = options

    async def reply(self, conversation, message) -> Reply:
        CALLS.append(conversation.scenario.id)
        if self.options.price and not conversation.scenario.id.endswith("3"):
            return Reply.from_text("A haircut is $30. Book at https://example.com/book", latency_ms=5.0)
        return Reply.from_text("Please ask us again later.", latency_ms=5.0)

    async def aclose(self) -> None:
        return None


def _has_price(context, params: CheckParams) -> Outcome:
    """The reply states a price."""
    return Outcome.ok("price stated") if "$" in context.reply.text else Outcome.fail("no price in the reply")


@pytest.fixture(autouse=True, scope="module")
def _registered():
    # Registered for this module only, so tests that list every adapter or check type do not
    # meet these test doubles.
    adapter("report-test-bot")(_PriceBot)
    check("report_test_price")(_has_price)
    yield
    del adapter_registry._REGISTRY["report-test-bot"]
    del check_registry._REGISTRY["report_test_price"]


def _project(root: Path, *, price: bool = True) -> Path:
    (root / "scenarios").mkdir(parents=True, exist_ok=True)
    scenarios = [{"id": f"pricing-{n}", "turns": [{"user": "how much is a haircut?"}]} for n in range(1, 5)]
    (root / "scenarios" / "pricing.yaml").write_text(
        yaml.safe_dump({"intent": "pricing", "policy": "answer", "scenarios": scenarios}), encoding="utf-8"
    )
    rubric = {
        "version": "7",
        "name": "test",
        "dimensions": {"accuracy": {"checks": [
            {"id": "price", "type": "report_test_price", "tag": "missing_fact", "fix": "price list in the prompt"},
        ]}},
    }
    (root / "rubric.yaml").write_text(yaml.safe_dump(rubric), encoding="utf-8")
    config = {
        "scenarios": ["scenarios"],
        "rubric": "rubric.yaml",
        "output": "reports",
        "adapter": {"name": "report-test-bot", "options": {
            "headers": {"Authorization": AUTHORIZATION}, "token": TOKEN, "price": price,
        }},
    }
    path = root / f"harness-{price}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _run(config: Path, *extra: str) -> int:
    return main(["run", str(config), "--no-progress", *extra])


def _only_run(output: Path) -> RunFolder:
    (folder,) = [path for path in output.iterdir() if path.is_dir()]
    return RunFolder.open(output, folder.name)


@pytest.fixture
def finished(tmp_path) -> RunFolder:
    assert _run(_project(tmp_path)) == ExitCode.GATE_FAILED
    return _only_run(tmp_path / "reports")


@pytest.mark.parametrize("name", [REPORT_FILE, JUNIT_FILE, CSV_FILE])
def test_run_writes_outputs(finished, name):
    assert (finished.path / name).stat().st_size > 0


def test_run_records_history(finished):
    entry = RunHistory.for_output(finished.path.parent).get(finished.run_id)
    assert entry is not None
    assert entry.passed == 3
    assert entry.rubric_version == "7"
    assert entry.adapter == "report-test-bot"
    assert entry.adapter_version is not None


def test_secrets_in_no_output(finished):
    files = [path for path in finished.path.parent.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {REPORT_FILE, JUNIT_FILE, CSV_FILE, HISTORY_FILE, "run.json", "summary.json"}
    for path in files:
        data = path.read_bytes()
        assert AUTHORIZATION.split()[1].encode() not in data, path
        assert TOKEN.encode() not in data, path


def test_history_config_masked(finished):
    with sqlite3.connect(finished.path.parent / HISTORY_FILE) as connection:
        (config,) = connection.execute("SELECT config FROM runs").fetchone()
    assert '"token": "***"' in config


def test_report_fix_text_from_rubric(finished):
    assert "price list in the prompt" in (finished.path / REPORT_FILE).read_text(encoding="utf-8")


def test_report_command_does_not_call_bot(finished):
    (finished.path / REPORT_FILE).unlink()
    CALLS.clear()
    assert main(["report", finished.run_id, "--out", str(finished.path.parent)]) == ExitCode.OK
    assert (finished.path / REPORT_FILE).exists()
    assert CALLS == []


def test_report_command_takes_folder_path(finished):
    (finished.path / JUNIT_FILE).unlink()
    assert main(["report", str(finished.path)]) == ExitCode.OK
    assert (finished.path / JUNIT_FILE).exists()


def test_report_command_unknown_run(tmp_path, capsys):
    assert main(["report", "no-such-run", "--out", str(tmp_path)]) == ExitCode.USAGE_ERROR
    assert "no-such-run" in capsys.readouterr().err


def test_run_baseline_adds_comparison(tmp_path, capsys):
    assert _run(_project(tmp_path, price=True)) == ExitCode.GATE_FAILED
    base = _only_run(tmp_path / "reports")
    assert _run(_project(tmp_path, price=False), "--baseline", base.run_id) == ExitCode.GATE_FAILED
    output = capsys.readouterr().out
    assert "3 newly failing" in output

    candidate = next(f for f in (tmp_path / "reports").iterdir() if f.is_dir() and f.name != base.run_id)
    html = (candidate / REPORT_FILE).read_text(encoding="utf-8")
    assert f"Comparison with run {base.run_id}" in html


def test_run_unknown_baseline_fails_first(tmp_path):
    CALLS.clear()
    assert _run(_project(tmp_path), "--baseline", "no-such-run") == ExitCode.USAGE_ERROR
    assert CALLS == []


def test_compare_command(tmp_path, capsys):
    _run(_project(tmp_path, price=False))
    base = _only_run(tmp_path / "reports")
    _run(_project(tmp_path, price=True))
    candidate = next(f.name for f in (tmp_path / "reports").iterdir() if f.is_dir() and f.name != base.run_id)
    capsys.readouterr()

    out = str(tmp_path / "reports")
    assert main(["compare", base.run_id, candidate, "--out", out]) == ExitCode.OK
    printed = capsys.readouterr().out
    assert "0 newly failing, 3 newly passing, 1 unchanged" in printed
    assert "Comparison with run" in (tmp_path / "reports" / candidate / REPORT_FILE).read_text(encoding="utf-8")


def test_runs_command_lists_newest_first(tmp_path, capsys):
    _run(_project(tmp_path, price=False))
    _run(_project(tmp_path, price=True))
    capsys.readouterr()
    assert main(["runs", "--out", str(tmp_path / "reports")]) == ExitCode.OK
    printed = capsys.readouterr().out
    entries = RunHistory.for_output(tmp_path / "reports").runs()
    assert len(entries) == 2
    assert printed.index(entries[0].run_id) < printed.index(entries[1].run_id)


def test_runs_command_empty(tmp_path, capsys):
    assert main(["runs", "--out", str(tmp_path)]) == ExitCode.OK
    assert "no runs recorded" in capsys.readouterr().out


def test_write_outputs_missing_rubric(tmp_path, caplog):
    folder = write_run(tmp_path, mixed_results(), rubric_path=str(tmp_path / "gone.yaml"))
    paths = write_outputs(folder)
    assert paths.report.exists()
    assert "could not be loaded" in caplog.text


BUNDLED = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    not (BUNDLED / "examples" / "dm_bot.py").exists() or not (BUNDLED / "scenarios").is_dir(),
    reason="the example bot or the bundled scenarios are not in this checkout",
)
def test_bundled_run_report(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BUNDLED))
    code = main([
        "run", "--bot", "examples.dm_bot:reply", "--scenarios", str(BUNDLED / "scenarios"),
        "--intent", "book_appointment", "--intent", "buy_event_tickets",
        "--out", str(tmp_path / "reports"), "--no-progress",
    ])
    assert code in (ExitCode.OK, ExitCode.GATE_FAILED)
    html = (_only_run(tmp_path / "reports").path / REPORT_FILE).read_text(encoding="utf-8")
    assert "book_appointment" in html
    assert "buy_event_tickets" in html
    assert html.count('class="group"') >= 1
    assert "Failing replies, clustered" in html
    assert '"conversations":[' in html
