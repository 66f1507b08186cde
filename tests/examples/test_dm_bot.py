"""Tests of the example DM bot: multi-turn exchanges, slot parsing, and the python adapter."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from examples import dm_bot
from examples.dm_parsing import (
    describe_date,
    parse_amount,
    parse_count,
    parse_date,
    parse_provider,
    parse_recipient,
    parse_restaurant,
    parse_time,
)
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
    assert "Jonathan S. Berek, MD, MMS next Sunday, March 10th at 3:30 pm" in text_of(read_back)
    assert text_of(read_back).endswith("Shall I go ahead?")
    assert read_back["messages"][0]["quick_replies"] == ["Yes", "No"]
    assert text_of(booked).startswith("You're booked with Jonathan S. Berek, MD, MMS next Sunday, March 10th")
    assert booked["captured"] == {"provider": "Jonathan S. Berek, MD, MMS", "date": "2019-03-10", "time": "3:30 pm"}


def test_appointment_asks_only_missing() -> None:
    (ask,) = chat(Conversation(), "Please schedule an appointment with Dr. Ferry James at 12:30 pm.")

    assert text_of(ask) == "What date works for you?"


def test_appointment_second_ask_says_back() -> None:
    first, second = chat(Conversation(), "I need to see a dentist.", "I would like to make it for the 7th if possible.")

    assert text_of(first) == "Which dentist would you like to see? What date works for you? What time would you like?"
    assert text_of(second) == (
        "Got it: next Thursday, March 7th. Which dentist would you like to see? What time would you like?"
    )


def test_appointment_change_after_booking() -> None:
    *_, booked, changed = chat(
        Conversation(),
        "I need to make a doctor appointment on the 11th.",
        "I want to see Dr. Ruth Hoddinott at 4:30 PM.",
        "That's correct, yes.",
        "How about an appointment on Saturday this week?",
    )

    assert text_of(booked).startswith("You're booked with Dr. Ruth Hoddinott on Monday, March 11th at 4:30 pm")
    assert text_of(changed) == (
        "Just to confirm: an appointment with Dr. Ruth Hoddinott tomorrow, March 2nd at 4:30 pm. Shall I go ahead?"
    )


def test_appointment_new_provider_after_booking() -> None:
    *_, changed = chat(
        Conversation(),
        "There's a back pain. Can you fix an appointment with Dr. Richard Young on next Thursday?",
        "Please reserve it at 14:30.",
        "Correct, please give me the address.",
        "Proceed with Dr. Lawrence Bruce.",
    )

    assert text_of(changed).startswith("Just to confirm: an appointment with Dr. Lawrence Bruce next Thursday")


def test_appointment_yes_with_question() -> None:
    *_, booked = chat(
        Conversation(),
        "I need a booking for a dentist",
        "Dr. Amy Teng on the 14th at 2 pm",
        "Yes. Could you please let me know their rating and address?",
    )

    assert text_of(booked).startswith("You're booked with Dr. Amy Teng on Thursday, March 14th at 2 pm.")
    assert "address or phone number" in text_of(booked)
    assert "ratings" in text_of(booked)


def test_appointment_short_name_kept() -> None:
    conversation = Conversation()
    *_, booked = chat(
        conversation,
        "Hi, I need help finding a doctor to visit.",
        "Can you schedule it for the 1st of March at 16:15?",
        "Yes, I would like to visit Dr. Sabi Ahmed.",
        "Yes, that will be fine. What is Dr. Sabi's rating and what is the phone number to his office?",
    )

    assert text_of(booked).startswith("You're booked with Dr. Sabi Ahmed today, March 1st at 4:15 pm.")
    assert conversation.state["slots"]["provider"] == "Dr. Sabi Ahmed"


def test_appointment_salon_question() -> None:
    ask, read_back = chat(Conversation(), "hey can u book me a haircut tmrw at 3", "Supercuts")

    assert text_of(ask) == "Which salon would you like to go to?"
    assert text_of(read_back) == (
        "Just to confirm: an appointment with Supercuts tomorrow, March 2nd at 3 pm. Shall I go ahead?"
    )


def test_appointment_yes_again_confirms() -> None:
    *_, again = chat(
        Conversation(),
        "I want to book an appointment at the Style Bar salon on the 13th at 3:15 pm.",
        "Yes, that's great.",
        "That works great for me.",
    )

    assert text_of(again).startswith("Great, it's all set: an appointment with Style Bar")


@pytest.mark.parametrize(
    "message",
    [
        "What is the address?",
        "Tell me please their rating",
        "Do you know if it is a unisex salon? Also, do you have the phone number?",
    ],
)
def test_appointment_follow_up_answered(message: str) -> None:
    *_, answer = chat(Conversation(), "I want to see Dr. Amy Teng tomorrow at 2 pm.", "Yes", message)

    assert "sorry" in text_of(answer).lower()
    assert answer["captured"]["provider"] == "Dr. Amy Teng"


def test_follow_ups_do_not_repeat() -> None:
    *_, first, second = chat(
        Conversation(),
        "I want to see Dr. Amy Teng tomorrow at 2 pm.",
        "Yes",
        "Could you confirm which city the salon is in?",
        "And can I have their contact information, their phone number to be exact?",
    )

    assert text_of(first) != text_of(second)


def test_restaurant_correction_reads_back() -> None:
    replies = chat(
        Conversation(),
        "Please book one table at Tandoori Mahal at 12:30 in the afternoon. The date is 13th of this month.",
        "I am looking for one in San Francisco.",
        "No, make it 6 pm for 4 people.",
    )

    assert text_of(replies[0]) == "In which city?"
    assert "a table for 2 at Tandoori Mahal in San Francisco on Wednesday, March 13th at 12:30 pm" in (
        text_of(replies[1])
    )
    assert "a table for 4 at Tandoori Mahal in San Francisco on Wednesday, March 13th at 6 pm" in text_of(replies[2])


def test_restaurant_full_flow() -> None:
    ask, second, read_back, party, booked = chat(
        Conversation(),
        "I want to make a reservation at a restaurant.",
        "Please search in SF, for 4 people.",
        "Please make a reservation at Limon for the 13th at morning 11:45.",
        "No.Its book for 1 person.",
        "Yes, that's perfect. Do you have their address, as well as contact number?",
    )

    assert text_of(ask) == "Which restaurant would you like? In which city? What time should I book the table for?"
    assert text_of(second) == (
        "Got it: San Francisco, 4 people. Which restaurant would you like? What time should I book the table for?"
    )
    assert "a table for 4 at Limon in San Francisco on Wednesday, March 13th at 11:45 am" in text_of(read_back)
    assert "a table for 1 at Limon" in text_of(party)
    assert text_of(booked).startswith("Your table for 1 at Limon is reserved on Wednesday, March 13th at 11:45 am.")


def test_restaurant_name_at_sentence_end() -> None:
    (read_back,) = chat(
        Conversation(),
        "The restaurant is Blue Gingko Blackhawk. Look for it in Danville. "
        "The reservation is for next Monday at 5:30 in the evening for one person.",
    )

    assert text_of(read_back) == (
        "Just to confirm: a table for 1 at Blue Gingko Blackhawk in Danville next Monday, March 4th at 5:30 pm. "
        "Shall I go ahead?"
    )


def test_restaurant_bare_name_is_restaurant() -> None:
    _, named, city = chat(Conversation(), "Can I book a table?", "Zuni Cafe", "SF")

    assert text_of(named) == "Got it: Zuni Cafe. In which city? What time should I book the table for?"
    assert text_of(city) == "Got it: San Francisco. What time should I book the table for?"


def test_restaurant_closing_cancels_read_back() -> None:
    *_, closing = chat(Conversation(), "Book a table at Yuzu in San Mateo at 5 pm.", "Thanks a ton, that's all.")

    assert text_of(closing).startswith("Okay, I haven't booked anything.")


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
    assert text_of(second).startswith("Got it: $1,060. Who should I send it to?")
    assert text_of(read_back) == (
        "Just to confirm: a transfer of $1,060 from your savings account to Abhinav's checking "
        "account. Shall I go ahead?"
    )
    assert text_of(done).startswith("Done! $1,060 is on its way to Abhinav from your savings account.")


def test_transfer_asks_source_account() -> None:
    _, second, third = chat(
        Conversation(), "I want to make a fund transfer", "Make transfer if 1510 bucks", "Send the money to Pranav"
    )

    assert "Which of your accounts should it come from" in text_of(second)
    assert text_of(third) == "Got it: to Pranav. Which of your accounts should it come from, checking or savings?"
    assert third["messages"][0]["quick_replies"] == ["Checking", "Savings"]


def test_transfer_any_account_is_checking() -> None:
    (read_back,) = chat(Conversation(), "Please transfer $1720 to Pranav. Any of my accounts will work.")

    assert text_of(read_back).startswith("Just to confirm: a transfer of $1,720 from your checking account to Pranav's")


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


def test_balance_after_transfer_uses_its_account() -> None:
    *_, balance = chat(
        Conversation(), "Send $640 to Xiaoxue from my savings account.", "Yes.", "What is my new balance?"
    )

    assert text_of(balance).startswith("Your savings account balance is now $")
    assert text_of(balance).endswith("Would you like your checking balance too?")


def test_balance_asked_again_is_reworded() -> None:
    conversation = Conversation()
    first, second = chat(conversation, "My checking account balance please.", "I want to see my Checking account.")

    assert money_in(text_of(first)) == money_in(text_of(second))
    assert text_of(second).startswith("Your checking account still has $")


def test_balance_asks_account() -> None:
    ask, balance, transfer = chat(Conversation(), "I would like to check my balance.", "Checking", "Yes, please.")

    assert text_of(ask) == "Which account: checking or savings?"
    assert ask["messages"][0]["quick_replies"] == ["Checking", "Savings"]
    assert text_of(balance).startswith("Your checking account balance is $")
    assert text_of(balance).endswith("Would you like to make a transfer?")
    assert text_of(transfer).startswith("How much would you like to transfer?")


def test_balance_ack_repeats_offer() -> None:
    *_, nudge, accepted, named = chat(
        Conversation(), "I need to check my savings balance.", "ok", "Yes I would.", "Send $640 to Xiaoxue"
    )

    assert text_of(nudge) == "Would you like to send money from your savings account?"
    assert text_of(accepted) == "How much would you like to transfer? Who should I send it to?"
    assert text_of(named).startswith("Just to confirm: a transfer of $640 from your savings account to Xiaoxue's")


def test_balance_offer_declined() -> None:
    *_, declined, bye = chat(
        Conversation(), "What is the balance in my checking account?", "No, I don't want to do that.", "No."
    )

    assert text_of(declined) == "No problem. Is there anything else I can help you with?"
    assert text_of(bye).startswith("Thanks for chatting with us.")


def test_balance_other_account_then_transfer() -> None:
    *_, other, transfer = chat(
        Conversation(),
        "I'd like to check the balance in my checking account.",
        "I'd also like to know the balance in my savings account.",
        "Yes, I would like to send money to Raghav.",
    )

    assert text_of(other).startswith("Your savings account balance is $")
    assert text_of(transfer) == "How much would you like to transfer?"


@pytest.mark.parametrize(
    "message",
    [
        "This is ridiculous, I want a refund now.",
        "Can I talk to a real person please?",
        "If this isn't fixed I'm calling my lawyer.",
        "lol this promo is a joke. I waited 45 min and nobody even apologised",
        "If the deposit isn't back by Friday I'm taking this to small claims court.",
        "I had an allergic reaction after the peel. My face is still swollen.",
        "is there a human I can speak to about a group booking?",
    ],
)
def test_escalation_hands_over(message: str) -> None:
    conversation = Conversation()
    first, later = chat(conversation, message, "Hello?")

    assert first["handover"] is True
    assert later["handover"] is True


def test_bundled_users_not_escalated() -> None:
    escalated = [
        turn.user
        for path in sorted((REPO / "scenarios").glob("*.yaml"))
        for scenario in load_scenario_file(path)
        for turn in scenario.turns
        if dm_bot.ESCALATION.search(turn.user)
    ]

    assert escalated == []


def test_booking_does_not_hand_over() -> None:
    replies = chat(Conversation(), "I want to see a dentist.", "Dr. Amy Teng on the 14th at 2 pm", "Yes")

    assert not any(reply["handover"] for reply in replies)


def test_weak_intent_repeats_itself() -> None:
    first, second = chat(Conversation(), "Can you find me a dentist in San Jose?", "Any in Sunnyvale?")

    assert text_of(first) == text_of(second)
    assert "?" not in text_of(first)


def test_closing_says_goodbye() -> None:
    *_, thanks, bye = chat(
        Conversation(), "Transfer $50 to Li from my checking.", "Yes", "Thanks.", "No, that's alright."
    )

    assert text_of(thanks) == "You're welcome! Is there anything else I can help you with?"
    assert text_of(bye) == "Thanks for chatting with us. Have a great day! Message us here anytime."


def test_offer_closing_says_goodbye() -> None:
    *_, bye = chat(Conversation(), "I'd like to check my savings balance.", "No, thanks.")

    assert text_of(bye) == "Thanks for chatting with us. Have a great day! Message us here anytime."


def test_welcomes_vary() -> None:
    *_, first, second = chat(
        Conversation(), "Transfer $50 to Li from my checking.", "Yes", "Thanks!", "Thank you so much."
    )

    assert text_of(first) == "You're welcome! Is there anything else I can help you with?"
    assert text_of(second) == "Happy to help. Anything else today?"


def test_conversations_keep_own_state() -> None:
    first, second = Conversation(id="a"), Conversation(id="b")

    chat(first, "I need to transfer some money.")
    (reply,) = chat(second, "$400 please")

    assert text_of(reply).startswith("Hi! I can book appointments")
    assert first.state["intent"] == "transfer_money"
    assert "intent" not in second.state


@pytest.mark.parametrize("intent", ["book_appointment", "check_balance", "reserve_restaurant", "transfer_money"])
def test_reply_reads_only_text(intent: str) -> None:
    scenario = load_scenario_file(REPO / "scenarios" / f"{intent}.yaml")[0]
    with_turns, bare = Conversation(id=scenario.id), Conversation(id=scenario.id)

    full = [text_of(dm_bot.reply(with_turns, turn)) for turn in scenario.turns]
    messages = [SimpleNamespace(user=turn.user, payload=turn.payload) for turn in scenario.turns]
    plain = [text_of(dm_bot.reply(bare, message)) for message in messages]

    assert full == plain


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
        ("around noon", "12 pm"),
        ("a table for 3 tonight at 8", "8 pm"),
        ("actually make it 11", "11 am"),
        ("a table for 3 at 8 people", None),
        ("two tickets please", None),
    ],
)
def test_parse_time(text: str, expected: str | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm free on March 10th", "2019-03-10"),
        ("12th of March.", "2019-03-12"),
        ("the 4th of this month", "2019-03-04"),
        ("at 3 on the 6th", "2019-03-06"),
        ("Tuesday next week", "2019-03-05"),
        ("next Thursday", "2019-03-07"),
        ("check in Saturday this week", "2019-03-02"),
        ("this Sunday at 19:00", "2019-03-03"),
        ("the day after tomorrow", "2019-03-03"),
        ("tonight", "2019-03-01"),
        ("a haircut tmrw at 3", "2019-03-02"),
        ("Not today. Make it next Thursday", "2019-03-07"),
        ("I'd prefer to eat at the 3rd Cousin", None),
        ("March 32nd", None),
        ("at 6 pm", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2019-03-01", "today, March 1st"),
        ("2019-03-02", "tomorrow, March 2nd"),
        ("2019-03-03", "the day after tomorrow, Sunday March 3rd"),
        ("2019-03-05", "next Tuesday, March 5th"),
        ("2019-03-14", "on Thursday, March 14th"),
    ],
)
def test_describe_date(iso: str, expected: str) -> None:
    assert describe_date(iso) == expected


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It should be for 4 people.", "4"),
        ("No, it's for 1 person.", "1"),
        ("A reservation for two at All Spice", "2"),
        ("just for one please", "1"),
        ("let's try to book a table for 6:30 pm", None),
        ("Can you book for 5 in the evening?", None),
    ],
)
def test_parse_count(text: str, expected: str | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "asked", "expected"),
    [
        ("Send it to my pal Raghav", (), "Raghav"),
        ("Send it to the checking account of Amir", (), "Amir"),
        ("I want to transfer it 2 xiaoxue", (), "Xiaoxue"),
        ("Can you put it in the savings account for Maria?", (), "Maria"),
        ("To Amir.", (), "Amir"),
        ("Pranav", ("recipient",), "Pranav"),
        ("Confirmed.", ("recipient",), None),
    ],
)
def test_parse_recipient(text: str, asked: tuple[str, ...], expected: str | None) -> None:
    assert parse_recipient(text, asked) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I always go to Dr. Wendy Landreville. See if there's a 4 pm availability.", "Dr. Wendy Landreville"),
        ("Book Sonrisas Community Dental Center for morning 10:15", "Sonrisas Community Dental Center"),
        ("Please book the appointment in Linda Hair & Nails, for I heard", "Linda Hair & Nails"),
        ("No.The salon name is Oz A Salon Inc.I would like it at 4:15", "Oz A Salon Inc"),
        ("No, the salon's name is actually Hairapy.", "Hairapy"),
        ("The dentist's name is Dr. David I. Thompson. Is there any slot", "Dr. David I. Thompson"),
        ("I want to see a doctor in San Jose", None),
    ],
)
def test_parse_provider(text: str, expected: str | None) -> None:
    assert parse_provider(text) == expected


@pytest.mark.parametrize(
    ("text", "asked", "expected"),
    [
        ("I'd like to have it in Antioch, and the diner is Chili's Grill.", (), "Chili's Grill"),
        ("I'm craving Mexico Lindo.", (), "Mexico Lindo"),
        ("Oh and can you make it The Van's in Belmont?", (), "The Van's"),
        ("See if you can get one at Puerto 27 for 1:15 pm.", (), "Puerto 27"),
        ("Yes, the State Bird in SFO", ("restaurant",), "State Bird"),
        ("Look for restaurants in Albany.", (), None),
    ],
)
def test_parse_restaurant(text: str, asked: tuple[str, ...], expected: str | None) -> None:
    assert parse_restaurant(text, asked) == expected


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
