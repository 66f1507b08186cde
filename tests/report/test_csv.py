import pandas as pd
import pytest

from harness.conversations import Button, Message, Reply
from harness.report import CSV_COLUMNS, write_csv
from report_fixtures import check_result, conversation, mixed_results


@pytest.fixture
def frame(tmp_path) -> pd.DataFrame:
    path = tmp_path / "results.csv"
    write_csv(mixed_results() + [conversation("multi-1", turns=3)], path)
    return pd.read_csv(path)


def test_csv_columns(frame):
    assert tuple(frame.columns) == CSV_COLUMNS


def test_csv_row_per_turn(frame):
    assert len(frame) == 11 + 3
    assert frame.loc[frame.scenario_id == "multi-1", "turn"].tolist() == [1, 2, 3]


def test_csv_types_for_pandas(frame):
    assert frame["turn_passed"].dtype == bool
    assert frame["conversation_passed"].dtype == bool
    assert frame["latency_ms"].dtype == float
    assert frame["score_accuracy"].dtype == float


def test_csv_failed_checks(frame):
    row = frame.loc[frame.scenario_id == "support-0001"].iloc[0]
    assert row.failed_checks == "escalate"
    assert row.failed_tags == "missed_escalation"
    assert not row.turn_passed


def test_csv_missing_scores_empty(frame):
    assert frame["score_tone"].isna().all()


def test_csv_reply_parts(tmp_path):
    reply = Reply(messages=[
        Message(text="Pick a time", quick_replies=["3pm", "4pm"]),
        Message(text="Or book online", buttons=[Button(title="Book", url="https://example.com/b")]),
    ], handover=True)
    path = tmp_path / "results.csv"
    write_csv([conversation("parts-1", reply=reply)], path)
    row = pd.read_csv(path).iloc[0]
    assert row.reply == "Pick a time\nOr book online"
    assert row.quick_replies == "3pm | 4pm"
    assert row.buttons == "Book"
    assert row.links == "https://example.com/b"
    assert bool(row.handover)


def test_csv_error_masked(tmp_path):
    error = "connect failed: Authorization: Bearer sk-live-abcdef0123456789"
    result = conversation("err-1", reply=Reply.failed(error), failed=[check_result("bot_error", False, tag="bot_error")])
    path = tmp_path / "results.csv"
    write_csv([result], path)
    text = path.read_text(encoding="utf-8")
    assert "sk-live-abcdef0123456789" not in text
    assert "Bearer ***" in text
