"""Tests of the Scorer with the built-in checks: verdicts, scores, overrides, and the default
rubric on the bundled real scenarios."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from harness.conversations import Expectation, Reply, Scenario, Suite, Turn, load_suite
from harness.errors import ConfigError
from harness.rubrics import Rubric, load_rubric
from harness.scoring import BOT_ERROR_TAG, ConversationResult, Scorer, evaluate_gate, summarize_intents
from harness.yamlfile import parse_yaml

REPO = Path(__file__).resolve().parents[2]
GENERIC = "Thanks for reaching out! We'll get back to you."
STARTED = datetime(2024, 3, 1, tzinfo=timezone.utc)


def score(scorer: Scorer, scenario: Scenario, replies: list[Reply]) -> ConversationResult:
    return scorer.score(scenario, replies, run_id="test", started_at=STARTED, duration_ms=1.0)


def rubric_from(text: str) -> Rubric:
    return Rubric.model_validate(parse_yaml(text).data)


def booking_scenario(policy: str = "clarify") -> Scenario:
    return Scenario(
        id="book_appointment-9001",
        intent="book_appointment",
        policy=policy,  # type: ignore[arg-type]
        turns=[
            Turn(
                user="can I book a haircut for friday?",
                reference="Sure! What time on Friday works for you?",
                expect=Expectation(asks_for=["appointment_time"], next_step="ask"),
            ),
            Turn(
                user="around 3pm, my email is jo@example.com",
                reference="Great, so that's Friday at 3 pm. Shall I book it?",
                expect=Expectation(confirms=["3 pm", "Friday"], next_step="confirm"),
            ),
            Turn(user="No, that's all, thanks.", reference="Have a great day!"),
        ],
    )


@pytest.fixture(scope="module")
def default_rubric() -> Rubric:
    return load_rubric()


@pytest.fixture(scope="module")
def bundled() -> Suite:
    return load_suite([REPO / "scenarios"])


@pytest.fixture(scope="module")
def bundled_scorer(default_rubric: Rubric, bundled: Suite) -> Scorer:
    return Scorer(default_rubric, bundled)


# --- one conversation -----------------------------------------------------------------------


def test_scorer_good_replies_pass(default_rubric: Rubric) -> None:
    scenario = booking_scenario()
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    replies = [
        Reply.from_text("Sure! What time on Friday suits you?", latency_ms=800),
        Reply.from_text("So Friday at 3 pm, shall I book it?"),
        Reply.from_text("Have a lovely day!"),
    ]
    result = score(scorer, scenario, replies)
    assert result.passed, [turn.reasons for turn in result.turns]
    assert result.tags == []


def test_scorer_generic_reply_fails(default_rubric: Rubric) -> None:
    scenario = booking_scenario()
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    result = score(scorer, scenario, [Reply.from_text(GENERIC)] * 3)
    assert not result.passed
    assert {"missed_intent", "no_next_step", "missing_fact", "repetitive_reply"} <= set(result.tags)


def test_scorer_skipped_checks_left_out(default_rubric: Rubric) -> None:
    scenario = booking_scenario()
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    result = score(scorer, scenario, [Reply.from_text("What time works?")] + [Reply.from_text("Bye!")] * 2)
    first_ids = {check.id for check in result.turns[0].checks}
    assert "reads_back_details" not in first_ids
    assert "asks_for_missing_details" in first_ids
    assert "first_response_time" not in first_ids, "no latency measured, so the check skips"


def test_scorer_latency_first_turn_only(default_rubric: Rubric) -> None:
    scenario = booking_scenario()
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    replies = [Reply.from_text("What time works?", latency_ms=9000.0)] + [
        Reply.from_text("So Friday at 3 pm, ok?", latency_ms=9000.0),
        Reply.from_text("Bye!", latency_ms=9000.0),
    ]
    result = score(scorer, scenario, replies)
    slow = [turn.index for turn in result.turns for check in turn.failed_checks if check.tag == "slow_first_response"]
    assert slow == [0]


def test_scorer_bot_error_recorded(default_rubric: Rubric) -> None:
    scenario = booking_scenario()
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    replies = [Reply.failed("timed out after 10 s"), Reply.from_text("ok"), Reply.from_text("bye")]
    result = score(scorer, scenario, replies)
    assert not result.passed
    assert result.turns[0].checks[0].tag == BOT_ERROR_TAG
    assert result.bot_errors == 1


def test_scorer_critical_fails_turn(default_rubric: Rubric) -> None:
    scenario = booking_scenario()
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    replies = [
        Reply.from_text("Sure! What time on Friday suits you?"),
        Reply.from_text("So Friday at 3 pm, shall I book it? We'll email jo@example.com."),
        Reply.from_text("Bye!"),
    ]
    result = score(scorer, scenario, replies)
    assert result.critical
    assert not result.turns[1].passed
    assert any("critical check no_pii_echo failed" in reason for reason in result.turns[1].reasons)


def test_scorer_missed_escalation_critical(default_rubric: Rubric) -> None:
    scenario = Scenario(id="complaint-0001", intent="complaint", policy="escalate", turns=[Turn(user="This is a scam, I want a refund NOW")])
    scorer = Scorer(default_rubric, Suite(scenarios=[scenario]))
    missed = score(scorer, scenario, [Reply.from_text("I can help! What is your order number?")])
    handed = score(scorer, scenario, [Reply.from_text("I'm connecting you with our team now.", handover=True)])
    assert missed.critical
    assert "missed_escalation" in missed.tags
    assert handed.passed, [turn.reasons for turn in handed.turns]


def test_scorer_intent_override() -> None:
    rubric = rubric_from(
        """
        version: 1
        dimensions:
          accuracy:
            min_score: 1.0
            checks:
              - {id: on_topic, type: similarity, params: {min: 0.9}, tag: missed_intent}
              - {id: not_empty, type: not_empty, tag: missed_intent}
        intents:
          book_appointment:
            policy: answer
            disable: [on_topic]
            checks:
              accuracy:
                - {id: says_friday, type: contains, params: {phrases: [friday]}, tag: missing_fact}
        """
    )
    scenario = booking_scenario()
    scorer = Scorer(rubric, Suite(scenarios=[scenario]))
    result = score(scorer, scenario, [Reply.from_text("Friday it is")] * 3)
    assert scorer.policy_for(scenario) == "answer"
    assert {check.id for check in result.turns[0].checks} == {"not_empty", "says_friday"}
    assert result.passed


def test_scorer_unknown_type_rejected() -> None:
    rubric = rubric_from("version: 1\ndimensions:\n  accuracy:\n    checks:\n      - {id: a, type: nope, tag: missed_intent}\n")
    with pytest.raises(ConfigError, match="unknown check type 'nope'"):
        Scorer(rubric)


# --- the default rubric on the bundled real scenarios -----------------------------------------


def recorded_replies(scenario: Scenario) -> list[Reply]:
    return [Reply.from_text(turn.reference or "") for turn in scenario.turns]


@pytest.fixture(scope="module")
def recorded_results(bundled_scorer: Scorer, bundled: Suite) -> list[ConversationResult]:
    return [score(bundled_scorer, scenario, recorded_replies(scenario)) for scenario in bundled.scenarios]


def test_bundled_recorded_meet_bar(recorded_results: list[ConversationResult], default_rubric: Rubric) -> None:
    summaries = summarize_intents(recorded_results, default_rubric)
    assert len(summaries) == 8
    for summary in summaries:
        assert summary.acceptance >= 0.8, f"{summary.intent}: {summary.acceptance:.0%} {summary.tags}"


def test_bundled_recorded_gate_passes(recorded_results: list[ConversationResult], default_rubric: Rubric) -> None:
    gate = evaluate_gate(summarize_intents(recorded_results, default_rubric), default_rubric)
    assert gate.passed, gate.reasons


@pytest.mark.parametrize(
    "make_reply",
    [
        pytest.param(lambda turn: Reply.from_text(GENERIC), id="generic"),
        pytest.param(lambda turn: Reply(), id="empty"),
        pytest.param(lambda turn: Reply.from_text("Our store sells shoes and bags in many colours."), id="off-topic"),
    ],
)
def test_bundled_bad_replies_fail(bundled_scorer: Scorer, bundled: Suite, make_reply) -> None:
    sample = [scenario for group in bundled.by_intent().values() for scenario in group[:15]]
    results = [score(bundled_scorer, scenario, [make_reply(turn) for turn in scenario.turns]) for scenario in sample]
    passed = [result.scenario_id for result in results if result.passed]
    assert passed == []


def test_bundled_other_intent_fails(bundled_scorer: Scorer, bundled: Suite) -> None:
    # The recorded replies of another intent's conversation, turn by turn: fluent but off-topic.
    groups = list(bundled.by_intent().values())
    passed = 0
    for index, group in enumerate(groups):
        donors = groups[(index + 1) % len(groups)]
        for scenario, donor in zip(group, donors):
            replies = [recorded_replies(donor)[i % len(donor.turns)] for i in range(len(scenario.turns))]
            passed += score(bundled_scorer, scenario, replies).passed
    assert passed <= 0.02 * len(bundled.scenarios)


def test_bundled_slots_have_synonyms(bundled: Suite) -> None:
    from harness.scoring.checks._slots import SLOT_SYNONYMS

    slots = {slot for scenario in bundled.scenarios for turn in scenario.turns if turn.expect for slot in turn.expect.asks_for}
    assert slots
    assert slots <= set(SLOT_SYNONYMS), sorted(slots - set(SLOT_SYNONYMS))
