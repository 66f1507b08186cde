import json
import textwrap

import pytest

from harness.conversations import load_suite
from harness.errors import ConfigError

VALID = """\
intent: book_appointment
policy: clarify
source: story_reply
scenarios:
  - id: book-1
    campaign: spring
    turns:
      - user: "can I book a haircut for friday?"
        reference: "Sure! What time on Friday works for you?"
        expect:
          asks_for: [time]
          next_step: ask
      - user: "around 3pm"
  - id: book-2
    policy: escalate
    turns:
      - kind: quick_reply
        payload: BOOK_NOW
        title: Book now
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_yaml_file_defaults_apply(tmp_path):
    suite = load_suite([write(tmp_path, "book.yaml", VALID)])
    first, second = suite.scenarios
    assert first.intent == "book_appointment"
    assert first.source == "story_reply"
    assert first.turns[0].expect.asks_for == ["time"]
    assert second.policy == "escalate"
    assert second.turns[0].payload == "BOOK_NOW"


def test_folder_loads_yaml_and_jsonl(tmp_path):
    write(tmp_path, "book.yaml", VALID)
    line = {"id": "j-1", "intent": "pricing", "policy": "answer", "turns": [{"user": "how much?"}]}
    write(tmp_path, "more.jsonl", json.dumps(line) + "\n\n")
    suite = load_suite([tmp_path])
    assert [s.id for s in suite.scenarios] == ["book-1", "book-2", "j-1"]
    assert suite.intents == ["book_appointment", "pricing"]


def error_of(tmp_path, name, text) -> str:
    with pytest.raises(ConfigError) as info:
        load_suite([write(tmp_path, name, text)])
    return str(info.value)


def test_unknown_field_names_line_and_valid_fields(tmp_path):
    text = VALID.replace("        reference:", "        referense:")
    message = error_of(tmp_path, "book.yaml", text)
    assert message.startswith(f"{tmp_path / 'book.yaml'}:9: scenarios.0.turns.0.referense: unknown field")
    assert "reference" in message


def test_unknown_policy(tmp_path):
    message = error_of(tmp_path, "book.yaml", VALID.replace("policy: escalate", "policy: escalte"))
    assert ":15: scenarios.1.policy: invalid value 'escalte'" in message
    assert "'answer', 'clarify' or 'escalate'" in message


def test_empty_turns(tmp_path):
    text = "intent: x\npolicy: answer\nscenarios:\n  - id: a\n    turns: []\n"
    message = error_of(tmp_path, "x.yaml", text)
    assert ":5: scenarios.0.turns:" in message
    assert "at least 1 item" in message


def test_turn_without_content(tmp_path):
    text = "intent: x\npolicy: answer\nscenarios:\n  - id: a\n    turns:\n      - reference: hi\n"
    message = error_of(tmp_path, "x.yaml", text)
    assert ":6: scenarios.0.turns.0:" in message
    assert "needs user text" in message


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, "a.yaml", "intent: x\npolicy: answer\nscenarios:\n  - id: same\n    turns: [{user: hi}]\n")
    line = {"id": "same", "intent": "y", "policy": "answer", "turns": [{"user": "yo"}]}
    write(tmp_path, "b.jsonl", json.dumps(line) + "\n")
    with pytest.raises(ConfigError) as info:
        load_suite([tmp_path])
    message = str(info.value)
    assert f"{tmp_path / 'b.jsonl'}:1: id: duplicate scenario id 'same'" in message
    assert f"first defined at {tmp_path / 'a.yaml'}:4" in message


def test_invalid_yaml_syntax(tmp_path):
    message = error_of(tmp_path, "x.yaml", "intent: x\npolicy: [answer\n")
    assert f"{tmp_path / 'x.yaml'}:3: invalid YAML" in message


def test_invalid_json_line(tmp_path):
    message = error_of(tmp_path, "x.jsonl", '{"id": "a"}\n{"id": \n')
    assert f"{tmp_path / 'x.jsonl'}:1: intent: required field is missing" in message


def test_invalid_json_syntax(tmp_path):
    message = error_of(tmp_path, "x.jsonl", '{"id": \n')
    assert f"{tmp_path / 'x.jsonl'}:1: invalid JSON" in message


def test_missing_path(tmp_path):
    with pytest.raises(ConfigError, match="scenario path not found"):
        load_suite([tmp_path / "nope"])


def test_empty_folder(tmp_path):
    with pytest.raises(ConfigError, match="no scenario files found"):
        load_suite([tmp_path])
