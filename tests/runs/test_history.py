import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from harness.runs import HISTORY_FILE, MASK, RunHistory, RunManifest, RunSummary
from harness.scoring import GateResult

CREATED = datetime(2026, 12, 4, 19, 47, tzinfo=UTC)


def _manifest(run_id: str, created: datetime = CREATED, **config) -> RunManifest:
    return RunManifest(
        run_id=run_id, created_at=created, harness_version="0.1.0",
        config={"adapter": {"name": "http", "options": config}}, adapter="http",
        rubric={"name": "dm", "version": "4", "path": "rubric.yaml"},
    )


def _summary(run_id: str, passed: int = 8, gate: bool = True) -> RunSummary:
    return RunSummary(
        run_id=run_id, started_at=CREATED, finished_at=CREATED + timedelta(minutes=2), complete=True,
        adapter="http", rubric={"name": "dm", "version": "4"}, scenarios=10, conversations=10,
        passed=passed, acceptance=passed / 10, gate=GateResult(passed=gate),
    )


@pytest.fixture
def history(tmp_path) -> RunHistory:
    return RunHistory.for_output(tmp_path / "reports")


def test_history_path(history, tmp_path):
    assert history.path == tmp_path / "reports" / HISTORY_FILE


def test_history_empty_without_file(history):
    assert history.runs() == []
    assert history.get("missing") is None
    assert not history.path.exists()


def test_history_record_and_get(history):
    history.record(_manifest("run-1"), _summary("run-1"), adapter_version="0.1.0")
    entry = history.get("run-1")
    assert entry.run_id == "run-1"
    assert entry.created_at == CREATED
    assert (entry.rubric_name, entry.rubric_version) == ("dm", "4")
    assert entry.adapter_version == "0.1.0"
    assert (entry.passed, entry.conversations, entry.acceptance) == (8, 10, 0.8)
    assert entry.gate_passed
    assert entry.summary == _summary("run-1")


def test_history_newest_first(history):
    for hours, run_id in ((0, "run-a"), (2, "run-c"), (1, "run-b")):
        history.record(_manifest(run_id, CREATED + timedelta(hours=hours)), _summary(run_id))
    assert [entry.run_id for entry in history.runs()] == ["run-c", "run-b", "run-a"]
    assert [entry.run_id for entry in history.runs(limit=1)] == ["run-c"]


def test_history_record_again_replaces(history):
    history.record(_manifest("run-1"), _summary("run-1", passed=4, gate=False))
    history.record(_manifest("run-1"), _summary("run-1", passed=9))
    (entry,) = history.runs()
    assert entry.passed == 9
    assert entry.gate_passed


def test_history_config_secrets_masked(history):
    history.record(_manifest("run-1", token="tok_live_0123456789", url="http://127.0.0.1:8808/hook"), _summary("run-1"))
    options = history.get("run-1").config["adapter"]["options"]
    assert options == {"token": MASK, "url": "http://127.0.0.1:8808/hook"}
    assert b"tok_live_0123456789" not in history.path.read_bytes()


def test_history_schema_version(history):
    history.record(_manifest("run-1"), _summary("run-1"))
    with sqlite3.connect(history.path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (1,)
