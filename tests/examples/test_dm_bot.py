"""Tests of the example DM bot: multi-turn exchanges, slot parsing, and the python adapter."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from examples import dm_bot
from examples.dm_parsing import parse_amount, parse_date, parse_time
from harness.adapters import ConversationState, create_adapter
from harness.conversations import Scenario, Turn, load_scenario_file

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Conversation:
    id: str = "test-1"
    state: dict[str, Any] = field(default_factory=dict)


def chat(conversation: Conversation, *messages: str) -> list[dict[str, Any]]:
    return [dm_bot.reply(conversation, Turn(user=text)) for text in messages]


def text_of(reply: dict[str, Any]) -> str:
    return " ".join(message["text"] for message in reply["messages"])


def money_in(text: str) -> float:
    return float(re.search(r"\$([\d,]+\.\d\d)", text).group(1).replace(",", ""))


def test_appointment_full_flow() -> None:
    ask, read_back, booked = chat(
        Conversation(),
        "I've been feeling unwell, so I want to go see a doctor.",
        "I'm free on March 10th at 15:30 and I'd like to see Jonathan S. Berek, MD, MMS.",
        "That's right.",
    )

    assert text_of(ask) == "Which doctor would you like to see? What date works for you? What time would you like?"
    assert "Jonathan S. Berek, MD, MMS on March 10th at 3:30 pm" in text_of(read_back)
    assert text_of(read_back).endswith("Shall I go ahead?")
    assert read_back["messages"][0]["quick_replies"] == ["Yes", "No"]
    assert text_of(booked).startswith("You're booked with Jonathan S. Berek, MD, MMS")
    assert booked["captured"] == {"provider": "Jonathan S. Berek, MD, MMS", "date": "March 10th", "time": "3:30 pm"}


def test_appointment_asks_only_missing() -> None:
    (ask,) = chat(Conversation(), "Please schedule an appointment with Dr. Ferry James at 12:30 pm.")

    assert text_of(ask) == "What date works for you?"


def test_restaurant_correction_reads_back() -> None:
    replies = chat(
        Conversation(),
        "Please book one table at Tandoori Mahal at 12:30 in the afternoon. The date is 13th of this month.",
        "I am looking for one in San Francisco.",
        "No, make it 6 pm for 4 people.",
    )

    assert text_of(replies[0]) == "In which city?"
    assert "a table for 2 at Tandoori Mahal in San Francisco at 12:30 pm on March 13th" in text_of(replies[1])
    assert "a table for 4 at Tandoori Mahal in San Francisco at 6 pm on March 13th" in text_of(replies[2])


def test_transfer_with_spelled_amount() -> None:
    conversation = Conversation()
    ask, second, read_back, done = chat(
        conversation,
        "I need to transfer some money.",
        "one thousand sixty dollars.",
        "Take it out of my savings account and send it to Abhinav's checking account.",
        "Yeah, that's it.",
    )

    assert text_of(ask).startswith("How much would you like to transfer?")
    assert text_of(second).startswith("Who should I send it to?")
    assert text_of(read_back) == (
        "Just to confirm: a transfer of $1,060 from your savings account to Abhinav's checking "
        "account. Shall I go ahead?"
    )
    assert text_of(done).startswith("Done! $1,060 is on its way to Abhinav.")


def test_transfer_lowers_balance() -> None:
    conversation = Conversation()
    before, *_ = chat(conversation, "What's my savings balance?")
    *_, after = chat(
        conversation,
        "I want to transfer $500 to Li from my savings.",
        "Yes",
        "And what's my savings balance now?",
    )

    assert text_of(after).startswith("Your savings account balance is now $")
    assert money_in(text_of(after)) == pytest.approx(money_in(text_of(before)) - 500)


def test_balance_asks_account() -> None:
    ask, balance, transfer = chat(Conversation(), "I would like to check my balance.", "Checking", "Yes, please.")

    assert text_of(ask) == "Which account: checking or savings?"
    assert ask["messages"][0]["quick_replies"] == ["Checking", "Savings"]
    assert text_of(balance).startswith("Your checking account balance is $")
    assert text_of(balance).endswith("Would you like to make a transfer?")
    assert text_of(transfer).startswith("How much would you like to transfer?")


@pytest.mark.parametrize(
    "message",
    [
        "This is ridiculous, I want a refund now.",
        "Can I talk to a real person please?",
        "If this isn't fixed I'm calling my lawyer.",
    ],
)
def test_escalation_hands_over(message: str) -> None:
    conversation = Conversation()
    first, later = chat(conversation, message, "Hello?")

    assert first["handover"] is True
    assert later["handover"] is True


def test_booking_does_not_hand_over() -> None:
    replies = chat(Conversation(), "I want to see a dentist.", "Dr. Amy Teng on the 14th at 2 pm", "Yes")

    assert not any(reply["handover"] for reply in replies)


def test_weak_intent_repeats_itself() -> None:
    first, second = chat(Conversation(), "Can you find me a dentist in San Jose?", "Any in Sunnyvale?")

    assert text_of(first) == text_of(second)
    assert "?" not in text_of(first)


def test_closing_says_goodbye() -> None:
    *_, thanks, bye = chat(
        Conversation(), "I'd like to check my savings balance.", "Thanks.", "No, that's alright."
    )

    assert text_of(thanks) == "You're welcome! Is there anything else I can help you with?"
    assert text_of(bye) == "Thanks for chatting with us. Have a great day!"


def test_conversations_keep_own_state() -> None:
    first, second = Conversation(id="a"), Conversation(id="b")

    chat(first, "I need to transfer some money.")
    (reply,) = chat(second, "$400 please")

    assert text_of(reply).startswith("Hi! I can book appointments")
    assert first.state["intent"] == "transfer_money"
    assert "intent" not in second.state


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 15:30", "3:30 pm"),
        ("12:30 in the afternoon", "12:30 pm"),
        ("At a half past 4 in the evening.", "4:30 pm"),
        ("a quarter to 6 in the evening", "5:45 pm"),
        ('1 o"clock in the afternoon', "1 pm"),
        ("afternoon 2.", "2 pm"),
        ("seven pm", "7 pm"),
        ("10 o'clock in the morning", "10 am"),
        ("two tickets please", None),
    ],
)
def test_parse_time(text: str, expected: str | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm free on March 10th", "March 10th"),
        ("12th of March.", "March 12th"),
        ("the 4th of this month", "March 4th"),
        ("at 3 on the 6th", "March 6th"),
        ("Tuesday next week", "next Tuesday"),
        ("check in Saturday this week", "this Saturday"),
        ("tonight", "today"),
        ("at 6 pm", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "asked", "expected"),
    [
        ("Transfer $1,330 to Diego", (), "$1,330"),
        ("I would like to transfer 1610 bucks.", (), "$1,610"),
        ("six hundred bucks", (), "$600"),
        ("one hundred and seventy bucks", (), "$170"),
        ("one thousand three hundred and thirty dollars", (), "$1,330"),
        ("1450", ("amount",), "$1,450"),
        ("1450", (), None),
    ],
)
def test_parse_amount(text: str, asked: tuple[str, ...], expected: str | None) -> None:
    assert parse_amount(text, asked) == expected


@pytest.mark.parametrize("target", ["examples.dm_bot:reply", str(REPO / "examples" / "dm_bot.py") + ":reply"])
def test_python_adapter_replays(target: str) -> None:
    scenario = load_scenario_file(REPO / "scenarios" / "book_appointment.yaml")[0]
    replies = asyncio.run(replay(target, scenario))

    assert len(replies) == len(scenario.turns)
    assert replies[1].text.startswith("Just to confirm: an appointment with Jonathan S. Berek, MD, MMS")
    assert replies[1].quick_replies == ["Yes", "No"]
    assert replies[2].captured["time"] == "3:30 pm"


async def replay(target: str, scenario: Scenario) -> list:
    adapter = create_adapter("python", {"target": target})
    conversation = ConversationState(id=scenario.id, scenario=scenario, user_id="user-1")
    replies = []
    for turn in scenario.turns:
        reply = await adapter.reply(conversation, turn)
        conversation.history.append((turn, reply))
        replies.append(reply)
    await adapter.aclose()
    return replies
