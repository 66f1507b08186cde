import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from harness.conversations import Reply
from harness.report import load_run, render_junit
from report_fixtures import check_result, conversation, write_run

SCHEMA = Path(__file__).with_name("junit.xsd")


@pytest.fixture
def junit(mixed_run) -> bytes:
    return render_junit(load_run(mixed_run))


def test_junit_valid_against_schema(junit):
    xmlschema.XMLSchema(SCHEMA).validate(junit.decode("utf-8"))


def test_junit_one_case_per_conversation(junit):
    root = ET.fromstring(junit)
    names = [case.get("name") for case in root.iter("testcase")]
    assert len(names) == 11
    assert len(set(names)) == 11


def test_junit_suites_by_intent(junit):
    root = ET.fromstring(junit)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert sorted(suites) == ["pricing", "support"]
    assert suites["pricing"].get("tests") == "8"
    assert suites["pricing"].get("failures") == "2"
    assert suites["support"].get("failures") == "2"


def test_junit_totals_match_cases(junit):
    root = ET.fromstring(junit)
    assert root.get("tests") == str(len(list(root.iter("testcase"))))
    assert root.get("failures") == str(len(list(root.iter("failure"))))


def test_junit_failure_names_checks(junit):
    root = ET.fromstring(junit)
    case = next(case for case in root.iter("testcase") if case.get("name") == "support-0001")
    failure = case.find("failure")
    assert failure is not None
    assert "escalate" in failure.get("message")
    assert failure.get("type") == "critical"
    assert "did not hand over" in failure.text


def test_junit_passing_case_has_no_failure(junit):
    root = ET.fromstring(junit)
    case = next(case for case in root.iter("testcase") if case.get("name") == "pricing-0001")
    assert case.find("failure") is None
    assert case.get("classname") == "dm_harness.pricing"


def test_junit_control_characters_dropped(tmp_path):
    reply = "bad \x00 byte \x1b[31m and \ufffe"
    result = conversation("odd-0001", failed=[check_result("cta", False, reason="nul \x00 here")], reply=reply)
    junit = render_junit(load_run(write_run(tmp_path, [result])))
    xmlschema.XMLSchema(SCHEMA).validate(junit.decode("utf-8"))
    assert b"\x00" not in junit


def test_junit_bot_error_masked(tmp_path):
    error = "HTTP 401 for request with Authorization: Bearer sk-live-abcdef0123456789"
    result = conversation("err-0001", failed=[check_result("bot_error", False, tag="bot_error", reason=error)],
                          reply=Reply.failed(error))
    junit = render_junit(load_run(write_run(tmp_path, [result])))
    assert b"sk-live-abcdef0123456789" not in junit
    assert b"Bearer ***" in junit
