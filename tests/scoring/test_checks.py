"""Tests of the built-in check types, one family at a time, plus invariants over all of them."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from harness.conversations import Button, Expectation, Message, Reply, Scenario, Turn
from harness.conversations._records import NextStep
from harness.scoring import CheckContext, Outcome, available_checks, get_check
from harness.scoring.checks._actionability import _NEXT_STEP_JUDGES
from harness.scoring.checks._language import count_syllables, is_closing, is_question
from harness.scoring.checks._normalize import find_phrase, normalize
from harness.scoring.checks._slots import slot_pattern
from harness.scoring.checks._style import flesch_kincaid_grade

GENERIC = "Thanks for reaching out! We'll get back to you."

SAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "contains": {"phrases": ["book"]},
    "regex": {"pattern": r"\bbook"},
}
"""Parameters for check types that have required ones; the others run with their defaults."""


def make_context(
    reply: str | Reply = "",
    *,
    user: str = "can I book a haircut for friday?",
    expect: Expectation | None = None,
    policy: str = "answer",
    turn_index: int = 0,
    previous: list[tuple[str, str | Reply]] | None = None,
    similarity: float | None = None,
    intent: str = "book_appointment",
) -> CheckContext:
    """Build the context of one turn; ``previous`` lists earlier (user, reply) pairs."""
    earlier = [(Turn(user=text), _reply(answer)) for text, answer in previous or []]
    turn = Turn(user=user, expect=expect)
    padding = [Turn(user="and then?") for _ in range(max(0, turn_index - len(earlier)))]
    turns = [turn for turn, _ in earlier] + padding + [turn]
    scenario = Scenario(id="s-0001", intent=intent, policy=policy, turns=turns)
    return CheckContext(
        scenario=scenario,
        turn_index=max(turn_index, len(earlier)),
        turn=turn,
        reply=_reply(reply),
        previous=tuple(earlier),
        policy=policy,  # type: ignore[arg-type]
        similarity=similarity,
    )


def run_check(name: str, ctx: CheckContext, **params: Any) -> Outcome:
    check_type = get_check(name)
    assert check_type is not None, f"check type {name!r} is not registered"
    return check_type.function(ctx, check_type.params.model_validate(params))


def _reply(value: str | Reply) -> Reply:
    return value if isinstance(value, Reply) else Reply.from_text(value)


# --- invariants over every registered check ------------------------------------------------

INVARIANT_CONTEXTS = {
    "empty": make_context(Reply()),
    "generic": make_context(GENERIC),
    "rich": make_context(
        Reply(
            messages=[Message(text="Booked! Your cut is at 3:30 pm on March 10th. Anything else?", quick_replies=["No"])],
            latency_ms=900,
            flags=["duplicate_send"],
        ),
        user="Book me for 15:30 on march 10, email jo@example.com",
        expect=Expectation(asks_for=["appointment_time"], mentions=["15:30"], confirms=["March 10th"], next_step="confirm"),
        previous=[("hi", "Hi! What can I do for you?")],
        similarity=0.4,
    ),
    "escalate": make_context(Reply(handover=True), policy="escalate", expect=Expectation(escalate=True)),
    "clarify_second_turn": make_context("Sure.", policy="clarify", turn_index=1, previous=[("hi", "Hello?")]),
}


def _all_check_names() -> list[str]:
    return list(available_checks())


@pytest.mark.parametrize("name", _all_check_names())
@pytest.mark.parametrize("case", list(INVARIANT_CONTEXTS))
def test_invariants_every_check(name: str, case: str) -> None:
    check_type = available_checks()[name]
    try:
        params = check_type.params.model_validate(SAMPLE_PARAMS.get(name, {}))
    except ValidationError:
        pytest.skip(f"{name} needs parameters that this test does not know")

    outcome = check_type.function(INVARIANT_CONTEXTS[case], params)

    assert isinstance(outcome, Outcome)
    assert 0.0 <= outcome.score <= 1.0
    assert isinstance(outcome.reason, str)
    assert outcome.reason, "every outcome explains itself in the report"
    assert outcome.passed in (True, False, None)
    if outcome.passed is None:
        assert outcome.score == 0.0
    if outcome.passed is False:
        assert outcome.score < 1.0


@pytest.mark.parametrize("name", _all_check_names())
def test_invariants_summary(name: str) -> None:
    assert available_checks()[name].summary, f"{name} needs a one-line docstring for the report"


def test_registry_builtin_types() -> None:
    expected = {
        "contains", "not_contains", "regex", "not_empty", "facts", "similarity", "length",
        "reading_level", "question_count", "call_to_action", "asks_for", "confirms", "next_step",
        "repetition", "escalates", "no_needless_escalation", "clarifies_first", "latency",
        "pii_echo", "tone_style", "protocol",
    }  # fmt: skip
    assert expected <= set(available_checks())


def test_next_step_every_value_judged() -> None:
    assert set(_NEXT_STEP_JUDGES) == set(typing.get_args(NextStep))


# --- text: contains, not_contains, regex, not_empty ----------------------------------------


@pytest.mark.parametrize(
    ("text", "params", "passed"),
    [
        ("Book here: example.com", {"phrases": ["book here"]}, True),
        ("We are closed", {"phrases": ["book here", "open"]}, False),
        ("Open now, book here", {"phrases": ["book here", "open"], "mode": "all"}, True),
        ("Book here", {"phrases": ["book here", "open"], "mode": "all"}, False),
        ("BOOK HERE", {"phrases": ["book here"], "case_sensitive": True}, False),
        ("this is it", {"phrases": ["hi"]}, False),
        ("this is it", {"phrases": ["hi"], "whole_words": False}, True),
    ],
)
def test_contains_cases(text: str, params: dict[str, Any], passed: bool) -> None:
    assert run_check("contains", make_context(text), **params).passed is passed


def test_contains_all_partial_score() -> None:
    outcome = run_check("contains", make_context("Book here"), phrases=["book here", "open"], mode="all")
    assert outcome.score == 0.5
    assert "'open'" in outcome.reason


def test_contains_blank_phrase_rejected() -> None:
    with pytest.raises(ValidationError):
        get_check("contains").params.model_validate({"phrases": ["  "]})


def test_not_contains_rubric_phrase() -> None:
    outcome = run_check("not_contains", make_context("As an AI, I cannot book"), phrases=["as an AI"])
    assert outcome.passed is False
    assert "as an AI" in outcome.reason


def test_not_contains_turn_forbidden() -> None:
    ctx = make_context("We guarantee a refund", expect=Expectation(forbidden=["guarantee"]))
    assert run_check("not_contains", ctx).passed is False


def test_not_contains_clean_passes() -> None:
    ctx = make_context("What time works?", expect=Expectation(forbidden=["guarantee"]))
    assert run_check("not_contains", ctx).passed is True


def test_not_contains_nothing_forbidden_skips() -> None:
    assert run_check("not_contains", make_context("anything")).passed is None


@pytest.mark.parametrize(
    ("text", "must_match", "passed"),
    [("Book at 3pm", True, True), ("See you", True, False), ("Book at 3pm", False, False), ("See you", False, True)],
)
def test_regex_cases(text: str, must_match: bool, passed: bool) -> None:
    outcome = run_check("regex", make_context(text), pattern=r"\d+\s?pm", must_match=must_match)
    assert outcome.passed is passed


def test_regex_invalid_pattern_rejected() -> None:
    with pytest.raises(ValidationError, match="invalid regular expression"):
        get_check("regex").params.model_validate({"pattern": "(unclosed"})


@pytest.mark.parametrize(
    ("reply", "passed"),
    [
        (Reply(), False),
        (Reply.from_text("   "), False),
        (Reply(messages=[Message(quick_replies=["Yes", "No"])]), True),
        (Reply(messages=[Message(buttons=[Button(title="Book", url="https://example.com")])]), True),
        (Reply(handover=True), True),
        (Reply.from_text("Hi!"), True),
    ],
)
def test_not_empty_cases(reply: Reply, passed: bool) -> None:
    assert run_check("not_empty", make_context(reply)).passed is passed


# --- facts and confirms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "text"),
    [
        ("$1,200", "That comes to 1200 dollars."),
        ("1200", "The total is $1,200.00."),
        ("3:30 pm", "See you at 15:30."),
        ("15:30", "See you at 3:30 PM."),
        ("March 10th", "booked for march 10"),
        ("March 10th", "booked for the 10th of March"),
        ("two tickets", "I have 2 tickets for you"),
        ("Amir", "Sending it to Amir's savings account"),
        ("Jonathan S. Berek, MD, MMS", "You are booked with Jonathan Berek MMS."),
    ],
)
def test_facts_normalised_match(fact: str, text: str) -> None:
    outcome = run_check("facts", make_context(text), facts=[fact])
    assert outcome.passed is True, outcome.reason


def test_facts_missing_fails() -> None:
    ctx = make_context("We open at 9.", expect=Expectation(mentions=["9 am", "Main Street"]))
    outcome = run_check("facts", ctx)
    assert outcome.passed is False
    assert outcome.score == 0.5
    assert "'Main Street'" in outcome.reason


def test_facts_min_share_passes_partial() -> None:
    ctx = make_context("We open at 9.", expect=Expectation(mentions=["9", "Main Street"]))
    assert run_check("facts", ctx, min_share=0.5).passed is True


def test_facts_different_number_fails() -> None:
    assert run_check("facts", make_context("It costs $1,300."), facts=["$1,200"]).passed is False


def test_facts_nothing_expected_skips() -> None:
    assert run_check("facts", make_context("Anything")).passed is None


def test_confirms_reads_back_all() -> None:
    ctx = make_context(
        "So that's 15:30 on march 10 with Dr. Ruth Hoddinott, shall I book it?",
        expect=Expectation(confirms=["3:30 pm", "March 10th", "Ruth Hoddinott"]),
    )
    outcome = run_check("confirms", ctx)
    assert outcome.passed is True
    assert outcome.score == 1.0


def test_confirms_partial_share() -> None:
    ctx = make_context("Booking you for march 10, ok?", expect=Expectation(confirms=["3:30 pm", "March 10th"]))
    outcome = run_check("confirms", ctx)
    assert outcome.passed is False
    assert outcome.score == 0.5
    assert "'3:30 pm'" in outcome.reason


def test_confirms_nothing_skips() -> None:
    assert run_check("confirms", make_context("ok")).passed is None


# --- similarity and repetition --------------------------------------------------------------


def test_similarity_below_min_fails() -> None:
    outcome = run_check("similarity", make_context("x", similarity=0.08), min=0.2)
    assert outcome.passed is False
    assert outcome.reason == "similarity 0.08 to the reference < 0.2"


def test_similarity_just_below_min_shows_four_decimals() -> None:
    outcome = run_check("similarity", make_context("x", similarity=0.0497), min=0.05)
    assert outcome.reason == "similarity 0.0497 to the reference < 0.05"


def test_similarity_above_min_passes() -> None:
    assert run_check("similarity", make_context("x", similarity=0.5), min=0.2).passed is True


def test_similarity_no_reference_skips() -> None:
    assert run_check("similarity", make_context("x", similarity=None)).passed is None


def test_repetition_repeat_fails() -> None:
    ctx = make_context("Sorry, I didn't catch that. Could you say it again?", previous=[("hi", "Sorry, I didn't catch that. Could you say it again?")])
    outcome = run_check("repetition", ctx)
    assert outcome.passed is False
    assert "turn 1" in outcome.reason


def test_repetition_pronoun_is_not_new_detail() -> None:
    earlier = "Thanks for your interest! Keep an eye on our page."
    ctx = make_context("Thanks for your interest, I think! Keep an eye on our page.", previous=[("hi", earlier)])
    assert run_check("repetition", ctx).passed is False


def test_repetition_new_detail_passes() -> None:
    earlier = "Your checking account balance is $3,504.63."
    ctx = make_context("Your checking account balance is $2,004.63.", previous=[("balance?", earlier)])
    assert run_check("repetition", ctx).passed is True


def test_repetition_different_passes() -> None:
    ctx = make_context("Booked for 3pm!", previous=[("hi", "What time works for you?")])
    assert run_check("repetition", ctx).passed is True


def test_repetition_first_turn_skips() -> None:
    assert run_check("repetition", make_context("Hello")).passed is None


# --- style: length, reading level, question count, tone ---------------------------------------


@pytest.mark.parametrize(("text", "passed"), [("Sure, 3pm works.", True), ("x" * 700, False), ("", False)])
def test_length_cases(text: str, passed: bool) -> None:
    assert run_check("length", make_context(text), min_chars=1, max_chars=640).passed is passed


def test_length_min_over_max_rejected() -> None:
    with pytest.raises(ValidationError, match="greater than"):
        get_check("length").params.model_validate({"min_chars": 10, "max_chars": 5})


def test_reading_level_plain_passes() -> None:
    text = "We can see you on Friday at three. Does that time work for you?"
    assert run_check("reading_level", make_context(text), max_grade=8).passed is True


def test_reading_level_dense_fails() -> None:
    text = (
        "Notwithstanding organizational considerations, comprehensive institutional documentation "
        "necessitates preliminary authorization regarding administrative modifications."
    )
    outcome = run_check("reading_level", make_context(text), max_grade=8)
    assert outcome.passed is False
    assert "reading grade" in outcome.reason


def test_reading_level_short_skips() -> None:
    assert run_check("reading_level", make_context("Sure, 3pm works.")).passed is None


def test_flesch_kincaid_names_ignored() -> None:
    with_names = flesch_kincaid_grade("How about Ophthalmologist Carol Winton in Sunnyvale today?")
    without = flesch_kincaid_grade("How about the eye doctor in town today?")
    assert abs(with_names - without) < 3


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("the", 1), ("make", 1), ("table", 2), ("booked", 1), ("wanted", 2), ("appointment", 3), ("reservation", 4), ("available", 4), ("you", 1)],
)
def test_count_syllables_examples(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


@pytest.mark.parametrize(
    ("text", "params", "passed"),
    [
        ("What time? Which day? Who with? Where?", {"max": 2}, False),
        ("What time works?", {"max": 2}, True),
        ("Booked.", {"min": 1}, False),
        ("Okay, what date would you like", {"min": 1}, True),
    ],
)
def test_question_count_cases(text: str, params: dict[str, Any], passed: bool) -> None:
    assert run_check("question_count", make_context(text), **params).passed is passed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("WHICH HOTEL DO YOU WANT ME TO RESERVE", "shouting"),
        ("Great!!! See you!!", "exclamation"),
        ("Yay 🎉🎉🎉🎉", "emoji"),
    ],
)
def test_tone_style_fails(text: str, problem: str) -> None:
    outcome = run_check("tone_style", make_context(text))
    assert outcome.passed is False
    assert problem in outcome.reason


def test_tone_style_plain_passes() -> None:
    assert run_check("tone_style", make_context("Sure! Your table at NYC Bistro is booked 🙂")).passed is True


# --- actionability: call to action, asks for, next step ---------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply.from_text("Book here: https://example.com/book"),
        Reply(messages=[Message(text="Pick a time", buttons=[Button(title="Book", url="https://example.com")])]),
        Reply(messages=[Message(quick_replies=["Friday", "Saturday"])]),
        Reply.from_text("What time works for you?"),
        Reply.from_text("Reply with YES to confirm."),
        Reply.from_text("I'll send you the menu now."),
        Reply(handover=True),
    ],
)
def test_call_to_action_passes(reply: Reply) -> None:
    assert run_check("call_to_action", make_context(reply)).passed is True


@pytest.mark.parametrize("text", [GENERIC, "Thanks for reaching out!", "We love hearing from you."])
def test_call_to_action_polite_fails(text: str) -> None:
    outcome = run_check("call_to_action", make_context(text))
    assert outcome.passed is False
    assert "no next step" in outcome.reason


def test_call_to_action_closing_skips() -> None:
    ctx = make_context("Have a great day!", user="No, that's all, thanks.")
    assert run_check("call_to_action", ctx).passed is None


def test_call_to_action_complete_skips() -> None:
    ctx = make_context("Your appointment is booked.", expect=Expectation(next_step="complete"))
    assert run_check("call_to_action", ctx).passed is None


def test_call_to_action_extra_phrase() -> None:
    ctx = make_context("Our team will call you within the hour.")
    assert run_check("call_to_action", ctx, phrases=[r"will call you"]).passed is True


@pytest.mark.parametrize(
    ("slots", "text"),
    [
        (["appointment_time"], "Sure! What time works for you?"),
        (["appointment_time"], "When would you like to come in?"),
        (["appointment_date", "doctor_name"], "Which doctor would you like, and on what date?"),
        (["number_of_seats"], "How many people will be joining?"),
        (["account_type"], "Checking or savings?"),
        (["recipient_account_name"], "Who should the money go to?"),
        (["city"], "In which city should I look?"),
        (["appointment_date"], "Sorry, I didn't catch the date. Could you tell me again?"),
        (["email_address"], "What's your email?"),
        (["number_of_guests"], "How many are coming?"),
    ],
)
def test_asks_for_passes(slots: list[str], text: str) -> None:
    ctx = make_context(text, expect=Expectation(asks_for=slots))
    outcome = run_check("asks_for", ctx)
    assert outcome.passed is True, outcome.reason


def test_asks_for_no_question_fails() -> None:
    ctx = make_context("Sure, we can do Friday.", expect=Expectation(asks_for=["appointment_time"]))
    outcome = run_check("asks_for", ctx)
    assert outcome.passed is False
    assert outcome.reason == "asks for appointment_time: no question in the reply"


def test_asks_for_wrong_question_fails() -> None:
    ctx = make_context("Which salon would you like?", expect=Expectation(asks_for=["appointment_time"]))
    outcome = run_check("asks_for", ctx)
    assert outcome.passed is False
    assert outcome.reason == "asks for appointment_time: no question about the appointment time"


def test_asks_for_partial_share() -> None:
    ctx = make_context("What time would you like?", expect=Expectation(asks_for=["appointment_time", "doctor_name"]))
    assert run_check("asks_for", ctx).score == 0.5
    assert run_check("asks_for", ctx).passed is False
    assert run_check("asks_for", ctx, min_share=0.5).passed is True


def test_asks_for_nothing_skips() -> None:
    assert run_check("asks_for", make_context("What time?")).passed is None


def test_slot_pattern_fallback_words() -> None:
    assert slot_pattern("preferred_stylist").search("Do you have a stylist in mind?")


@pytest.mark.parametrize(
    ("step", "reply", "passed"),
    [
        ("ask", "What time works for you?", True),
        ("ask", "Great.", False),
        ("confirm", "So that's 3:30 pm on March 10th, shall I book it?", True),
        ("confirm", "Confirming a 3:30 pm appointment on March 10th.", True),
        ("confirm", "Shall I book it?", False),
        ("confirm", "3:30 pm on March 10th.", False),
        ("offer", "How about Luigi's in San Jose at 7 pm?", True),
        ("offer", "Your savings account has $21,432.70.", True),
        ("offer", GENERIC, False),
        ("complete", "Done! Your appointment is booked.", True),
        ("complete", "Sorry, I couldn't book that appointment.", False),
        ("complete", "Is there anything else I can help with?", False),
        ("link", "Book here: https://example.com/book", True),
        ("link", "Book on our website.", False),
        ("booking_link", Reply(messages=[Message(buttons=[Button(title="Book", url="https://example.com")])]), True),
        ("handover", Reply.from_text("Connecting you with a person.", handover=True), True),
        ("handover", "A person will help you.", False),
        ("inform", "They have live music on Fridays.", True),
        ("inform", "No, they do not.", True),
        ("inform", GENERIC, False),
    ],
)
def test_next_step_cases(step: str, reply: str | Reply, passed: bool) -> None:
    confirms = ["3:30 pm", "March 10th"] if step == "confirm" else []
    ctx = make_context(reply, expect=Expectation(next_step=step, confirms=confirms))  # type: ignore[arg-type]
    outcome = run_check("next_step", ctx)
    assert outcome.passed is passed, outcome.reason
    if not passed:
        assert outcome.reason.startswith(f"next step {step}: ")


def test_next_step_none_skips() -> None:
    assert run_check("next_step", make_context("Hi")).passed is None


# --- policy ---------------------------------------------------------------------------------


def test_escalates_missed_fails() -> None:
    ctx = make_context("I can help with that refund!", policy="escalate", user="I want my money back NOW")
    outcome = run_check("escalates", ctx)
    assert outcome.passed is False
    assert "missed escalation" in outcome.reason


def test_escalates_handover_passes() -> None:
    ctx = make_context(Reply(handover=True), policy="escalate")
    assert run_check("escalates", ctx).passed is True


def test_escalates_turn_expectation() -> None:
    ctx = make_context("Let me check", expect=Expectation(escalate=True), turn_index=2, previous=[("a", "b"), ("c", "d")])
    assert run_check("escalates", ctx).passed is False


def test_escalates_earlier_handover_passes() -> None:
    earlier = Reply.from_text("Connecting you to a person", handover=True)
    ctx = make_context("", expect=Expectation(escalate=True), previous=[("refund please", earlier)])
    assert run_check("escalates", ctx).passed is True


@pytest.mark.parametrize(("policy", "turn_index"), [("answer", 0), ("clarify", 0), ("escalate", 1)])
def test_escalates_not_required_skips(policy: str, turn_index: int) -> None:
    previous = [("hi", "hello")] if turn_index else None
    ctx = make_context("Sure", policy=policy, turn_index=turn_index, previous=previous)
    assert run_check("escalates", ctx).passed is None


def test_needless_escalation_fails() -> None:
    ctx = make_context(Reply(handover=True), policy="answer")
    outcome = run_check("no_needless_escalation", ctx)
    assert outcome.passed is False
    assert "needless escalation" in outcome.reason


def test_needless_escalation_answer_passes() -> None:
    assert run_check("no_needless_escalation", make_context("We open at 9.")).passed is True


def test_needless_escalation_escalate_skips() -> None:
    ctx = make_context(Reply(handover=True), policy="escalate")
    assert run_check("no_needless_escalation", ctx).passed is None


def test_clarifies_first_question_passes() -> None:
    assert run_check("clarifies_first", make_context("Which day works?", policy="clarify")).passed is True


def test_clarifies_first_statement_fails() -> None:
    outcome = run_check("clarifies_first", make_context("Booked you for Friday.", policy="clarify"))
    assert outcome.passed is False


@pytest.mark.parametrize(("policy", "turn_index"), [("answer", 0), ("clarify", 1)])
def test_clarifies_first_other_turns_skip(policy: str, turn_index: int) -> None:
    previous = [("hi", "hello?")] if turn_index else None
    ctx = make_context("Booked.", policy=policy, turn_index=turn_index, previous=previous)
    assert run_check("clarifies_first", ctx).passed is None


# --- latency, personal data, protocol --------------------------------------------------------


@pytest.mark.parametrize(("latency", "passed"), [(800.0, True), (7200.0, False), (None, None)])
def test_latency_cases(latency: float | None, passed: bool | None) -> None:
    ctx = make_context(Reply.from_text("Hi", latency_ms=latency))
    assert run_check("latency", ctx, max_ms=5000).passed is passed


def test_latency_reason_names_times() -> None:
    outcome = run_check("latency", make_context(Reply.from_text("Hi", latency_ms=7200)), max_ms=5000)
    assert outcome.reason == "replied in 7,200 ms > 5,000 ms"


@pytest.mark.parametrize(
    ("user", "reply", "passed"),
    [
        ("my email is Jo.Smith@example.com", "Thanks, we'll write to jo.smith@example.com", False),
        ("my email is jo@example.com", "Thanks, we'll write to j***@example.com", True),
        ("call me on 415-332-3352", "We'll call (415) 332 3352 shortly", False),
        ("call me on 415-332-3352", "We'll call the number ending 3352", True),
        ("card 4111 1111 1111 1111", "Charged card 4111111111111111", False),
        ("card 4111 1111 1111 1111", "Charged the card ending 1111", True),
    ],
)
def test_pii_echo_cases(user: str, reply: str, passed: bool) -> None:
    assert run_check("pii_echo", make_context(reply, user=user)).passed is passed


def test_pii_echo_earlier_turn() -> None:
    ctx = make_context("Sent to jo@example.com", user="thanks", previous=[("jo@example.com", "Got it")])
    assert run_check("pii_echo", ctx).passed is False


def test_pii_echo_no_personal_data_skips() -> None:
    assert run_check("pii_echo", make_context("Your total is $1,200")).passed is None


def test_protocol_flags_fail() -> None:
    ctx = make_context(Reply.from_text("Hi", flags=["outside_24h_window", "duplicate_send"]))
    outcome = run_check("protocol", ctx)
    assert outcome.passed is False
    assert outcome.reason == "protocol violation: outside_24h_window, duplicate_send"


def test_protocol_clean_passes() -> None:
    assert run_check("protocol", make_context("Hi")).passed is True


def test_protocol_ignored_flag_passes() -> None:
    ctx = make_context(Reply.from_text("Hi", flags=["duplicate_send"]))
    assert run_check("protocol", ctx, ignore=["duplicate_send"]).passed is True


# --- language helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("What time works?", True),
        ("Okay, what date would you like", True),
        ("In which city should I look.", True),
        ("To whom do you want to send money.", True),
        ("Have a great day.", False),
        ("Your table is booked.", False),
    ],
)
def test_is_question_cases(sentence: str, expected: bool) -> None:
    assert is_question(sentence) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No, that's all, thanks.", True),
        ("Nope.", True),
        ("Thank you, bye.", True),
        ("Thanks. Can I get the address?", False),
        ("I want to book a table for two.", False),
    ],
)
def test_is_closing_cases(text: str, expected: bool) -> None:
    assert is_closing(text) is expected


@given(st.integers(min_value=0, max_value=10**9))
def test_normalize_thousands_separators(amount: int) -> None:
    assert normalize(f"${amount:,}") == normalize(str(amount))


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=59))
def test_normalize_twelve_hour_clock(hour: int, minute: int) -> None:
    afternoon = normalize(f"{hour}:{minute:02d} pm")
    assert find_phrase(afternoon, normalize(f"{hour % 12 + 12}:{minute:02d}"))
    assert not find_phrase(afternoon, normalize(f"{hour % 12}:{minute:02d} am"))


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=0, max_value=59))
def test_normalize_bare_clock_matches_both(hour: int, minute: int) -> None:
    bare = normalize(f"{hour}:{minute:02d}")
    assert find_phrase(bare, normalize(f"{hour}:{minute:02d} am"))
    assert find_phrase(bare, normalize(f"{hour}:{minute:02d} pm"))


@given(
    st.sampled_from(["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]),
    st.integers(min_value=1, max_value=28),
)
def test_normalize_date_orders(month: str, day: int) -> None:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10 if day not in (11, 12, 13) else 0, "th")
    assert normalize(f"{month} {day}{suffix}") == normalize(f"the {day} of {month.lower()}")[1:]


@given(st.text(max_size=200))
def test_normalize_never_raises(text: str) -> None:
    tokens = normalize(text)
    assert all(isinstance(token, str) and token for token in tokens)


def test_repetition_ratio_compares_start_of_long_replies() -> None:
    from harness.scoring.checks._similarity import MAX_COMPARED_CHARS, repetition_ratio

    prefix = "a" * MAX_COMPARED_CHARS
    assert repetition_ratio(prefix + "b" * 5000, prefix + "c" * 5000) == 1.0
