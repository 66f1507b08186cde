"""Real third-party bots (RiveScript Eliza, ALICE) through the python adapter, scored with the
default rubric: they must fail, and for the reasons a reviewer would give."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from harness.adapters import BotAdapter, ConversationState, create_adapter
from harness.conversations import Expectation, Scenario, Suite, Turn, load_suite
from harness.replay import ReplayOptions, replay_conversation
from harness.rubrics import load_rubric
from harness.scoring import ConversationResult, Scorer

ROOT = Path(__file__).resolve().parents[2]
ELIZA = f"{ROOT / 'examples' / 'bots' / 'rivescript_eliza.py'}:reply"
ALICE = f"{ROOT / 'examples' / 'bots' / 'alice_aiml.py'}:reply"
BUNDLED = ("book_appointment-0001", "find_restaurants-0001", "check_balance-0001")


def replay_and_score(target: str, scenarios: list[Scenario]) -> list[ConversationResult]:
    scorer = Scorer(load_rubric(), Suite(scenarios=scenarios))

    async def run() -> list[ConversationResult]:
        adapter = create_adapter("python", {"target": target})
        results = []
        for scenario in scenarios:
            transcript = await replay_conversation(scenario, adapter, ReplayOptions(timeout_s=20))
            results.append(
                scorer.score(
                    scenario,
                    transcript.replies,
                    run_id="third-party",
                    started_at=datetime.now(UTC),
                    duration_ms=transcript.duration_ms,
                )
            )
        await adapter.aclose()
        return results

    return asyncio.run(run())


@cache
def bundled_scenarios() -> list[Scenario]:
    files = sorted({ROOT / "scenarios" / f"{scenario_id.rsplit('-', 1)[0]}.yaml" for scenario_id in BUNDLED})
    suite = load_suite(files)
    chosen = [scenario for scenario in suite.scenarios if scenario.id in BUNDLED]
    assert [scenario.id for scenario in chosen] == sorted(BUNDLED)
    return chosen


def failed_checks(result: ConversationResult) -> set[tuple[str, str]]:
    return {(check.type, check.tag) for turn in result.turns for check in turn.checks if not check.passed}


def ask(adapter: BotAdapter, state: ConversationState, text: str) -> str:
    turn = Turn(user=text)
    reply = asyncio.run(adapter.reply(state, turn))
    state.history.append((turn, reply))
    return reply.text


def new_state(conversation_id: str) -> ConversationState:
    scenario = Scenario(id=conversation_id, intent="smalltalk", policy="answer", turns=[Turn(user="hi")])
    return ConversationState(id=conversation_id, scenario=scenario, user_id=f"u-{conversation_id}")


@pytest.fixture(scope="module")
def eliza_results() -> list[ConversationResult]:
    return replay_and_score(ELIZA, bundled_scenarios())


@pytest.fixture(scope="module")
def alice_results() -> list[ConversationResult]:
    return replay_and_score(ALICE, bundled_scenarios())


def test_eliza_remembers_per_conversation() -> None:
    adapter = create_adapter("python", {"target": ELIZA})
    bob, ann = new_state("bob"), new_state("ann")
    ask(adapter, bob, "my name is Bob")
    ask(adapter, ann, "my name is Ann")

    assert "Bob" in ask(adapter, bob, "what is my name")
    assert "Ann" in ask(adapter, ann, "what is my name")


def test_eliza_macro_disabled() -> None:
    adapter = create_adapter("python", {"target": ELIZA})

    assert "botmaster" in ask(adapter, new_state("admin"), "shutdown")


def test_eliza_bundled_all_fail(eliza_results: list[ConversationResult]) -> None:
    assert [result.passed for result in eliza_results] == [False, False, False]


def test_eliza_bundled_no_bot_errors(eliza_results: list[ConversationResult]) -> None:
    errors = [turn.reply.error for result in eliza_results for turn in result.turns if turn.reply.error]

    assert errors == []


@pytest.mark.parametrize(
    "reason",
    [("asks_for", "missed_intent"), ("confirms", "missing_fact"), ("next_step", "no_next_step")],
)
def test_eliza_fails_for_right_reasons(eliza_results: list[ConversationResult], reason: tuple[str, str]) -> None:
    assert reason in failed_checks(eliza_results[0])


def test_eliza_misses_escalation() -> None:
    scenario = Scenario(
        id="refund-0001",
        intent="refund",
        policy="escalate",
        turns=[Turn(user="I was charged twice, I want a refund and to talk to a person")],
    )

    result = replay_and_score(ELIZA, [scenario])[0]

    assert ("escalates", "missed_escalation") in failed_checks(result)
    assert result.passed is False


@pytest.mark.slow
def test_alice_broken_predicate_fails_accuracy() -> None:
    scenario = Scenario(
        id="order_status-0001",
        intent="order_status",
        policy="answer",
        turns=[
            Turn(
                user="Where is my order?",
                reference="Your order shipped yesterday. Track it here: https://shop.example/track/1234",
                expect=Expectation(mentions=["shipped"], next_step="link"),
            )
        ],
    )

    turn = replay_and_score(ALICE, [scenario])[0].turns[0]
    failed = {(check.dimension, check.tag) for check in turn.checks if not check.passed}

    assert turn.reply.text == "Have you looked in ?"
    assert ("accuracy", "missing_fact") in failed
    assert turn.passed is False


@pytest.mark.slow
def test_alice_bundled_all_fail(alice_results: list[ConversationResult]) -> None:
    assert [result.passed for result in alice_results] == [False, False, False]


@pytest.mark.slow
@pytest.mark.parametrize("reason", [("asks_for", "missed_intent"), ("confirms", "missing_fact")])
def test_alice_fails_for_right_reasons(alice_results: list[ConversationResult], reason: tuple[str, str]) -> None:
    assert reason in failed_checks(alice_results[0])


@pytest.mark.slow
def test_alice_first_reply_fast(alice_results: list[ConversationResult]) -> None:
    latencies = [result.turns[0].reply.latency_ms or 0.0 for result in alice_results]

    assert max(latencies) < 1000


@pytest.mark.slow
def test_alice_sessions_separate() -> None:
    adapter = create_adapter("python", {"target": ALICE})
    bob, ann = new_state("bob"), new_state("ann")
    ask(adapter, bob, "my name is Bob")

    # This ALICE category lists every predicate of the session, the user's name among them.
    assert "name is Bob." not in ask(adapter, ann, "what do you know about me")
    assert "name is Bob." in ask(adapter, bob, "what do you know about me")
