"""Smoke test: bench/compare_promptfoo.py writes a promptfoo config that is valid YAML with the
expected structure. Needs neither Node.js nor promptfoo."""

import importlib
import re
import sys
from pathlib import Path

import pytest
import yaml

from harness.conversations import Scenario, Turn

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def compare():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("compare_promptfoo")
    finally:
        sys.path.remove(str(BENCH))


def scenarios() -> list[Scenario]:
    return [
        Scenario(id="one", intent="pricing", policy="answer", turns=[Turn(user='how much is "gold"?')]),
        Scenario(
            id="two",
            intent="booking",
            policy="clarify",
            turns=[Turn(user="book a table"), Turn(user="at 7pm: for 2")],
        ),
    ]


def round_trip(compare, conversation_var: bool) -> dict:
    config = compare.promptfoo_config(scenarios(), url="http://127.0.0.1:8700/reply", conversation_var=conversation_var)
    return yaml.safe_load(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


@pytest.mark.parametrize("conversation_var", [False, True])
def test_config_top_level_keys(compare, conversation_var):
    config = round_trip(compare, conversation_var)
    assert set(config) == {"description", "prompts", "providers", "defaultTest", "tests"}


def test_config_one_case_per_turn(compare):
    tests = round_trip(compare, False)["tests"]
    assert [case["vars"]["conversation_id"] for case in tests] == ["one", "two", "two"]
    assert [case["vars"]["turn_index"] for case in tests] == [0, 0, 1]
    assert tests[0]["vars"]["text"] == 'how much is "gold"?'


def test_config_cases_share_conversation_id(compare):
    tests = round_trip(compare, True)["tests"]
    assert [case["metadata"]["conversationId"] for case in tests] == ["one", "two", "two"]


def test_config_http_provider(compare):
    provider = round_trip(compare, False)["providers"][0]
    assert provider["id"] == "http"
    assert provider["config"]["url"] == "http://127.0.0.1:8700/reply"
    assert provider["config"]["method"] == "POST"
    assert provider["config"]["transformResponse"] == "json.reply"
    assert set(provider["config"]["body"]) == {"conversation_id", "turn_index", "text"}
    assert provider["config"]["body"]["text"] == "{{prompt}}"


def test_config_three_assertions(compare):
    asserts = round_trip(compare, False)["defaultTest"]["assert"]
    assert [a["type"] for a in asserts] == ["icontains", "regex", "javascript"]
    assert asserts[0]["value"] == "thanks"
    assert re.search(asserts[1]["value"], "ok REF-1001")
    assert "<= 640" in asserts[2]["value"]


@pytest.mark.parametrize(("conversation_var", "uses_history"), [(False, False), (True, True)])
def test_config_prompt_conversation_var(compare, conversation_var, uses_history):
    prompt = round_trip(compare, conversation_var)["prompts"][0]
    assert ("_conversation" in prompt) is uses_history
    assert prompt.endswith("{{text}}")


def test_assertions_match_bench_rubric(compare):
    rubric = importlib.import_module("_suites").bench_rubric()
    checks = {check["type"]: check["params"] for check in rubric["dimensions"]["accuracy"]["checks"]}
    assert checks["contains"]["phrases"] == ["thanks"]
    assert checks["contains"]["case_sensitive"] is False
    assert checks["regex"]["pattern"] == r"REF-\d+"
    assert checks["length"]["max_chars"] == 640
