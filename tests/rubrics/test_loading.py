"""Tests of rubric loading: the shipped rubrics, and errors located at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.rubrics import DEFAULT_RUBRIC, DIMENSIONS, load_rubric

REPO = Path(__file__).resolve().parents[2]

FAILURE_TAGS = {
    "missing_fact", "missed_intent", "no_next_step", "repetitive_reply", "off_brand_tone",
    "missed_escalation", "needless_escalation", "slow_first_response", "pii_echo",
    "protocol_violation",
}  # fmt: skip

CHECKS = """\
version: 1
dimensions:
  accuracy:
    min_score: 0.7
    checks:
      - id: not_empty
        type: not_empty
        tag: missed_intent
      - id: on_topic
        type: similarity
        params: {min: 0.1}
        tag: missed_intent
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_rubric(path)
    return caught.value


# --- the shipped rubrics --------------------------------------------------------------------


def test_default_loads() -> None:
    rubric = load_rubric()
    assert rubric.name == "default"
    assert rubric.version == "1"
    assert set(rubric.dimensions) == set(DIMENSIONS)
    assert rubric.gate.min_acceptance == 0.8


def test_default_checks_complete() -> None:
    rubric = load_rubric()
    for dimension, spec in rubric.checks_for("any_intent"):
        assert spec.fix, f"{spec.id} needs a fix"
        assert spec.tag in FAILURE_TAGS, f"{spec.id} has an unknown tag {spec.tag!r}"


def test_default_critical_only_blockers() -> None:
    rubric = load_rubric()
    critical = {spec.tag for _, spec in rubric.checks_for("any_intent") if spec.severity == "critical"}
    assert critical == {"missed_escalation", "pii_echo", "protocol_violation"}


def test_default_every_tag_used() -> None:
    tags = {spec.tag for _, spec in load_rubric().checks_for("any_intent")}
    assert tags == FAILURE_TAGS


def test_default_latency_first_turn() -> None:
    latency = [spec for _, spec in load_rubric().checks_for("x") if spec.type == "latency"]
    assert [spec.turns for spec in latency] == ["first"]


def test_repo_default_is_symlink() -> None:
    link = REPO / "rubrics" / "default.yaml"
    assert link.is_symlink()
    assert not Path(link.readlink()).is_absolute()
    assert link.resolve() == DEFAULT_RUBRIC


def test_strict_loads() -> None:
    rubric = load_rubric(REPO / "rubrics" / "strict.yaml")
    assert rubric.name == "strict"
    assert rubric.bar("transfer_money") == 0.9
    assert rubric.bar("reserve_hotel") == 0.85


def test_strict_overrides_apply() -> None:
    rubric = load_rubric(REPO / "rubrics" / "strict.yaml")
    transfer_ids = {spec.id for _, spec in rubric.checks_for("transfer_money")}
    assert "reads_back_every_word" in transfer_ids
    assert "reads_back_details" not in transfer_ids
    assert rubric.min_score("transfer_money", "accuracy") == 0.9
    assert rubric.intents["complaint"].policy == "escalate"


# --- errors name file and line ---------------------------------------------------------------


def test_error_unknown_check_type(tmp_path: Path) -> None:
    error = load_error(tmp_path, CHECKS.replace("type: similarity", "type: similarty"))
    assert error.path == str(tmp_path / "rubric.yaml")
    assert error.line == 10
    assert "unknown check type 'similarty'" in error.message
    assert "similarity" in (error.fix or "")


def test_error_bad_param_value(tmp_path: Path) -> None:
    error = load_error(tmp_path, CHECKS.replace("{min: 0.1}", "{min: 2}"))
    assert error.line == 11
    assert error.field == "dimensions.accuracy.checks.1.params.min"
    assert str(tmp_path / "rubric.yaml") + ":11" in str(error)


def test_error_unknown_param(tmp_path: Path) -> None:
    error = load_error(tmp_path, CHECKS.replace("{min: 0.1}", "{minimum: 0.1}"))
    assert error.line == 11
    assert error.message == "unknown field"
    assert "min" in (error.fix or "")


def test_error_unknown_field(tmp_path: Path) -> None:
    error = load_error(tmp_path, CHECKS.replace("        tag: missed_intent\n      - id: on_topic", "        tag: missed_intent\n        weigth: 2\n      - id: on_topic"))
    assert error.line == 9
    assert error.field == "dimensions.accuracy.checks.0.weigth"
    assert "weight" in (error.fix or "")


def test_error_duplicate_id(tmp_path: Path) -> None:
    error = load_error(tmp_path, CHECKS.replace("id: on_topic", "id: not_empty"))
    assert error.line == 9
    assert "duplicate check id 'not_empty'" in error.message


def test_error_unknown_disabled_id(tmp_path: Path) -> None:
    text = CHECKS + "intents:\n  pricing:\n    disable: [on_topik]\n"
    error = load_error(tmp_path, text)
    assert error.line == 15
    assert "on_topik" in error.message
    assert "on_topic" in (error.fix or "")


def test_error_bad_severity(tmp_path: Path) -> None:
    error = load_error(tmp_path, CHECKS.replace("        tag: missed_intent\n      - id: on_topic", "        tag: missed_intent\n        severity: blocker\n      - id: on_topic"))
    assert error.line == 9
    assert "blocker" in error.message


def test_error_not_a_mapping(tmp_path: Path) -> None:
    error = load_error(tmp_path, "- just\n- a list\n")
    assert error.line == 1
