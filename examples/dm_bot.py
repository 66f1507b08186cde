"""A small rule-based DM bot for the eight bundled intents, to try the harness on.

Call it through the ``python`` adapter as ``examples.dm_bot:reply`` (or
``examples/dm_bot.py:reply``). Each call gets the conversation, whose ``state`` dict persists
between turns, and the user's turn. It returns a dict with ``messages``, ``handover`` and
``captured``.

The bot routes each message by keywords, fills slots from the text (``dm_parsing``), asks for
what is missing, reads the details back before it books, and reports the booking. It hands the
conversation over to a person on anger, complaints, refund or legal talk, or a request for a
human.

It is good on purpose at some intents and weak at others, so that a run shows both passes and
failures:

- good: book_appointment, reserve_restaurant, check_balance and transfer_money;
- fair: find_restaurants and reserve_hotel (invented offers, dates only with keywords);
- weak: find_provider and buy_event_tickets get the same polite reply every time, with no
  question and no next step.

The bot has no back end: balances and offered restaurants are made up, stable per conversation.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

try:
    from examples.dm_parsing import extract, provider_kind
except ImportError:
    # Loaded as a file (python examples/http_bot.py, or examples/dm_bot.py:reply), so this
    # file's folder is on sys.path instead of the repository root.
    from dm_parsing import extract, provider_kind  # type: ignore[no-redef]

__all__ = ["reply"]

ESCALATION = re.compile(
    r"\b(refund|money back|chargeback|complain\w*|unacceptable|terrible|awful|worst|scam\w*|"
    r"ridiculous|furious|angry|disgusted|lawyer|attorney|sue|lawsuit|legal action|"
    r"(speak|talk|chat) (to|with) (a |an |the |your )?(human|person|real person|agent|manager|"
    r"someone|somebody)|real person|human being|supervisor)\b",
    re.IGNORECASE,
)
YES = re.compile(
    r"\b(yes|yeah|yep|yup|sure|ok|okay|correct|right|perfect|great|fine|confirm\w*|approve\w*|exactly|"
    r"sounds (good|great|right)|works|go ahead|please do|do it|book it|i'?d like|take (it|that))\b",
    re.IGNORECASE,
)
NO = re.compile(r"^\W*(no|nope|nah|not (quite|right)|actually|wait|change)\b", re.IGNORECASE)
ACCEPT = re.compile(r"\b(yes|yeah|yep|sure|please|let'?s|i would|i'?d like|go ahead)\b", re.IGNORECASE)
"""Words that accept an offer such as "Would you like to make a transfer?"; a bare "ok" does not."""

CLOSING = re.compile(
    r"\b(that'?s all|that is all|all set|nothing else|no,? thanks?|no thank you|bye|goodbye|"
    r"that'?ll be all|that will be all|i'?m good|i'?m done|i'?m fine|talk to you later|"
    r"not now|no more help|won'?t be needing)\b",
    re.IGNORECASE,
)
THANKS = re.compile(r"\b(thanks|thank you|thx|appreciate)\b", re.IGNORECASE)
CHANGE = re.compile(r"\b(change|instead|move|reschedule|switch)\b", re.IGNORECASE)
NEW_REQUEST = re.compile(r"\b(another|also|again|new|i want|i need|i'?d like|please|can you)\b", re.IGNORECASE)
DETAILS_QUESTION = re.compile(r"\b(address|phone|number|located|location|where is)\b", re.IGNORECASE)

ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("transfer_money", re.compile(r"\b(transfer\w*|send (some )?money|send a payment|move \$?\d|wire)\b", re.I)),
    ("check_balance", re.compile(
        r"\b(balance|how much (money )?(do )?i have|in my (checking|savings)|"
        r"(what about|how about|and|from|in) (in )?my (checking|savings)|remaining)\b", re.I)),
    ("buy_event_tickets", re.compile(r"\b(tickets?|concert|events?|game)\b", re.I)),
    ("reserve_hotel", re.compile(
        r"\b(hotel|houses?|apartment|appartment|room|check(ing)? in|check(ing)? out|stay)\b", re.I)),
    ("find_provider", re.compile(
        r"^(?!.*\b(appointment|book|schedule|see|visit|go to)\b).*\b(find|search|looking for|"
        r"recommend|need)\b.*\b(dentist|doctor|therapist|salon|psychiatrist|psychologist|"
        r"counselor|stylist|barber|physician)\b", re.I)),
    ("book_appointment", re.compile(
        r"\b(appointment|see (a |the )?(doctor|dentist|dr)|dentist|doctor|salon|haircut)\b", re.I)),
    ("reserve_restaurant", re.compile(r"\b(reserv\w*|book\w*|table)\b", re.I)),
    ("find_restaurants", re.compile(
        r"\b(restaurants?|resturant|food|eat|dine|bite|dinner|lunch|cuisine|hungry|places)\b", re.I)),
)
"""Keyword routes; the first that matches wins, so the specific intents come first."""

PROGRESSIONS = {
    ("find_restaurants", "reserve_restaurant"),
    ("find_provider", "book_appointment"),
    ("check_balance", "transfer_money"),
}
"""Intent changes that continue a conversation (a search, then its booking): always taken."""

REGRESSIONS = {("reserve_restaurant", "find_restaurants"), ("book_appointment", "find_provider")}
"""Intent changes that a booking in progress never takes, because its details use the same words."""

BOOKING_FLOWS = {
    "book_appointment": "book_appointment",
    "find_provider": "book_appointment",
    "reserve_hotel": "reserve_hotel",
}
"""The flow that a bare "book" or "reserve" continues, by the current intent."""

RESTAURANT_WORDS = re.compile(r"\b(table|restaurant|dinner|lunch|eat|food)\b", re.IGNORECASE)

CARRIED_SLOTS = {"reserve_restaurant": ("restaurant", "city"), "transfer_money": ("account",)}
"""Details that carry over into the next intent: the restaurant just found, the account just checked."""


@dataclass(frozen=True)
class Slot:
    """A detail the bot collects, with the question that asks for it."""

    name: str
    question: str
    label: str = ""
    """The detail's name in a second request ("the time")."""

    default: str | None = None
    """A value used without asking."""

    fallback: str | None = None
    """A value used when the user skipped the question once."""


FLOWS: dict[str, tuple[Slot, ...]] = {
    "book_appointment": (
        Slot("provider", "Which {kind} would you like to see?", "the {kind}'s name"),
        Slot("date", "What date works for you?", "the date"),
        Slot("time", "What time would you like?", "the time"),
    ),
    "reserve_restaurant": (
        Slot("restaurant", "Which restaurant would you like?", "the restaurant"),
        Slot("city", "In which city?", "the city"),
        Slot("time", "What time should I book the table for?", "the time"),
        Slot("date", "", default="today"),
        Slot("party_size", "", default="2"),
    ),
    "transfer_money": (
        Slot("amount", "How much would you like to transfer?", "the amount"),
        Slot("recipient", "Who should I send it to?", "the recipient's name"),
        Slot("account", "Which of your accounts should it come from, checking or savings?", fallback="checking"),
        Slot("recipient_account", "", default="checking"),
    ),
    "check_balance": (Slot("account", "Which account: checking or savings?", "the account, checking or savings"),),
    "find_restaurants": (
        Slot("city", "Which city?", "the city"),
        Slot("cuisine", "What kind of food?", "the kind of food"),
    ),
    "reserve_hotel": (
        Slot("city", "Where are you going?", "the city"),
        Slot("check_in", "When do you check in?", "the check-in date"),
        Slot("check_out", "And when do you check out?", "the check-out date"),
    ),
}

WEAK_REPLIES = {
    "find_provider": "Thanks for reaching out! We work with lots of great providers in the area.",
    "buy_event_tickets": "Thanks for your interest! Events sell out fast, so keep an eye on our page.",
}

WELCOMES = (
    "You're welcome! Is there anything else I can help you with?",
    "Happy to help. Anything else today?",
    "Glad I could help! Let me know if you need something else.",
)
GOODBYES = ("Thanks for chatting with us. Have a great day!", "Take care, and enjoy the rest of your day!")

FOLLOW_UP_ANSWERS = {
    "transfer_money": "Transfers usually arrive within 1 to 3 business days. Anything else I can do?",
    "check_balance": "That's the balance as of right now. Would you like anything else?",
    None: "You'll find the address and phone number in your confirmation message. Anything else?",
}
"""Answers to a question about a finished task; the bot has no database to look details up."""

HANDOVER_TEXT = (
    "I'm really sorry about this. I'm passing your conversation to a member of our team now, "
    "and they will reply here shortly."
)
WAITING_FOR_PERSON_TEXT = "A member of our team has your conversation and will reply here as soon as they can."


def reply(conversation: Any, message: Any) -> dict[str, Any]:
    """Reply to one user message.

    Args:
        conversation: Has ``id`` (str) and ``state`` (a dict kept for this conversation).
        message: Has ``user`` (the user's text) and, for a quick-reply tap, ``payload``.

    Returns:
        ``{"messages": [{"text", "quick_replies"}], "handover": bool, "captured": {...}}``.
    """
    state = conversation.state
    text = (getattr(message, "user", "") or getattr(message, "payload", None) or "").strip()

    if state.get("handed_over"):
        return _respond(WAITING_FOR_PERSON_TEXT, state, handover=True)
    if ESCALATION.search(text):
        state["handed_over"] = True
        return _respond(HANDOVER_TEXT, state, handover=True)

    intent = _route(text, state)
    if intent in WEAK_REPLIES:
        return _respond(WEAK_REPLIES[intent], state)
    if intent is None:
        return _small_talk(text, state)
    return _run_flow(intent, text, state, conversation.id)


def _route(text: str, state: dict[str, Any]) -> str | None:
    """Pick the intent of the message; a message with no keyword continues the current flow."""
    offer = state.pop("offer", None)
    if offer and ACCEPT.search(text) and not NO.search(text):
        _start(offer, state)
        return offer

    current = state.get("intent")
    pending = state.get("stage") in ("collect", "confirm")
    matched = next((intent for intent, pattern in ROUTES if pattern.search(text)), None)
    if matched == "reserve_restaurant" and current in BOOKING_FLOWS and not RESTAURANT_WORDS.search(text):
        # "Can you book Tuesday instead?" books what the conversation is about, not a table.
        matched = BOOKING_FLOWS[current]
    if matched is None:
        return current if pending else None
    if pending and matched != current and _stays(current, matched, text, state):
        return current
    if matched == current and state.get("stage") == "done" and _is_follow_up(text, current, state):
        return current
    if matched != current or state.get("stage") == "done":
        # "Change it to the 1st" after a booking keeps its details and replaces the new ones.
        keep_all = matched == current and CHANGE.search(text) is not None
        _start(matched, state, keep_all=keep_all)
    return matched


def _is_follow_up(text: str, intent: str, state: dict[str, Any]) -> bool:
    """Tell a question about a finished task ("how long will the transfer take?") from a new one."""
    new_details = extract(intent, text, ())
    return "?" in text and not new_details and not NEW_REQUEST.search(text)


def _stays(current: str, matched: str, text: str, state: dict[str, Any]) -> bool:
    """Decide whether a message that names another intent still belongs to the current flow."""
    if (current, matched) in PROGRESSIONS:
        return False
    if (current, matched) in REGRESSIONS:
        return True
    if state.get("stage") == "confirm" and (YES.search(text) or NO.search(text)):
        return True

    # It stays when it gives a missing detail or changes one; repeating a known one is no sign.
    slots = state.get("slots", {})
    found = extract(current, text, state.get("asked", ()))
    return any(slots.get(name) != value for name, value in found.items())


def _start(intent: str, state: dict[str, Any], *, keep_all: bool = False) -> None:
    previous = state.get("slots", {})
    carried = previous.keys() if keep_all else CARRIED_SLOTS.get(intent, ())
    kept = {key: previous[key] for key in carried if key in previous}
    state.update(intent=intent, stage="collect", slots=kept, asked=[], asked_before={}, fresh=True)


def _run_flow(intent: str, text: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    if state.get("stage") == "confirm":
        return _handle_confirmation(intent, text, state, conversation_id)
    if state.get("stage") == "done":
        return _small_talk(text, state)

    slots: dict[str, str] = state["slots"]
    fresh = state.pop("fresh", False)
    progressed = _fill_slots(intent, text, state)
    if not progressed and not fresh and (CLOSING.search(text) or THANKS.search(text)):
        # "Thanks, that's all" in the middle of a flow ends it instead of asking again.
        state["stage"] = "done"
        return _small_talk(text, state)
    missing = _missing(intent, slots, state["asked_before"])
    if missing:
        return _ask(missing, text, state, again=not (progressed or fresh))
    for slot in FLOWS[intent]:
        slots.setdefault(slot.name, slot.default or "")
    return _after_collect(intent, state, conversation_id)


def _fill_slots(intent: str, text: str, state: dict[str, Any]) -> bool:
    """Store every detail the text gives; return True when one was new or changed."""
    slots = state["slots"]
    changed = False
    for name, value in extract(intent, text, state.get("asked", ())).items():
        if slots.get(name) != value:
            slots[name] = value
            changed = True
    return changed


def _missing(intent: str, slots: dict[str, str], asked_before: dict[str, int]) -> list[Slot]:
    """List the details still to ask for, using the fallback of a question the user skipped."""
    missing = []
    for slot in FLOWS[intent]:
        if slot.name in slots or slot.default is not None:
            continue
        if slot.fallback is not None and asked_before.get(slot.name, 0) >= 2:
            slots[slot.name] = slot.fallback
            continue
        missing.append(slot)
    return missing


def _ask(missing: list[Slot], text: str, state: dict[str, Any], *, again: bool) -> dict[str, Any]:
    """Ask for up to three missing details at once, as people do in DMs."""
    asked = missing[:3]
    kind = state.setdefault("kind", provider_kind(text))
    asked_before = state["asked_before"]
    if again and all(slot.name in asked_before for slot in asked):
        # The user answered none of the last question: word it differently, so it does not repeat.
        labels = " and ".join(slot.label.format(kind=kind) for slot in asked if slot.label)
        question = f"Sorry, I didn't catch {labels or 'that'}. Could you tell me again?"
    else:
        question = " ".join(slot.question.format(kind=kind) for slot in asked)

    state["asked"] = [slot.name for slot in asked]
    # A question asked alone counts twice: the user skipped it on purpose, not among others.
    weight = 2 if len(asked) == 1 else 1
    for slot in asked:
        asked_before[slot.name] = asked_before.get(slot.name, 0) + weight
    quick = ["Checking", "Savings"] if asked[0].name == "account" else []
    return _respond(question, state, quick_replies=quick)


def _after_collect(intent: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    slots = state["slots"]
    if intent == "check_balance":
        return _report_balance(slots["account"], state, conversation_id)
    if intent == "find_restaurants":
        return _offer_restaurant(state, conversation_id)
    state.update(stage="confirm", asked=[])
    return _respond(_read_back(intent, slots), state, quick_replies=["Yes", "No"])


def _report_balance(account: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    state["stage"] = "done"
    reported = state.setdefault("reported", [])
    now = " now" if account in reported else ""
    text = f"Your {account} account balance is{now} ${_balance(account, state, conversation_id):,.2f}."
    reported.append(account)
    if state.get("offered_transfer"):
        return _respond(text, state)

    # Offer a transfer once, because offering it after every balance repeats the same line.
    state.update(offer="transfer_money", offered_transfer=True)
    return _respond(f"{text} Would you like to make a transfer?", state, quick_replies=["Make a transfer", "No, thanks"])


def _offer_restaurant(state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    slots = state["slots"]
    slots["restaurant"] = _made_up_restaurant(conversation_id, slots["cuisine"])
    state.update(stage="done", offer="reserve_restaurant")
    text = (
        f"How about {slots['restaurant']}? It's a popular {slots['cuisine']} place in "
        f"{slots['city']}. Want me to book a table?"
    )
    return _respond(text, state, quick_replies=["Book a table", "Something else"])


def _read_back(intent: str, slots: dict[str, str]) -> str:
    if intent == "book_appointment":
        details = f"an appointment with {slots['provider']} on {slots['date']} at {slots['time']}"
    elif intent == "reserve_restaurant":
        details = (
            f"a table for {slots['party_size']} at {slots['restaurant']} in {slots['city']} "
            f"at {slots['time']} {_on(slots['date'])}"
        )
    elif intent == "transfer_money":
        details = (
            f"a transfer of {slots['amount']} from your {slots['account']} account to "
            f"{slots['recipient']}'s {slots['recipient_account']} account"
        )
    else:
        details = f"a stay in {slots['city']} from {slots['check_in']} to {slots['check_out']}"
    return f"Just to confirm: {details}. Shall I go ahead?"


def _handle_confirmation(intent: str, text: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    slots = state["slots"]
    if _fill_slots(intent, text, state):
        return _respond(_read_back(intent, slots), state, quick_replies=["Yes", "No"])
    if NO.search(text):
        state["stage"] = "collect"
        return _respond("No problem. What would you like to change?", state)
    if not YES.search(text):
        return _respond(_read_back(intent, slots), state, quick_replies=["Yes", "No"])

    state["stage"] = "done"
    _record_transfer(intent, slots, state)
    done = _done_text(intent, slots)
    if DETAILS_QUESTION.search(text):
        # The bot has no database, so details such as an address travel with the confirmation.
        done += " The address and phone number are in the confirmation I just sent you."
    return _respond(done, state)


def _record_transfer(intent: str, slots: dict[str, str], state: dict[str, Any]) -> None:
    if intent == "transfer_money":
        sent = state.setdefault("sent", {})
        amount = float(slots["amount"].strip("$").replace(",", ""))
        sent[slots["account"]] = sent.get(slots["account"], 0.0) + amount


def _done_text(intent: str, slots: dict[str, str]) -> str:
    if intent == "book_appointment":
        return f"You're booked with {slots['provider']} on {slots['date']} at {slots['time']}. See you then!"
    if intent == "reserve_restaurant":
        return f"Your table at {slots['restaurant']} is reserved for {slots['time']} {_on(slots['date'])}. Enjoy!"
    if intent == "transfer_money":
        return (
            f"Done! {slots['amount']} is on its way to {slots['recipient']}. "
            "It should arrive within 1 to 3 business days."
        )
    return f"Your stay in {slots['city']} is booked. Have a great trip!"


def _small_talk(text: str, state: dict[str, Any]) -> dict[str, Any]:
    asked_more = state.pop("asked_more", False)
    if CLOSING.search(text) or (asked_more and NO.search(text)):
        return _respond(_next_phrase(GOODBYES, state), state)
    if THANKS.search(text):
        state["asked_more"] = True
        return _respond(_next_phrase(WELCOMES, state), state)
    if state.get("stage") == "done" and "?" in text:
        return _respond(FOLLOW_UP_ANSWERS.get(state.get("intent"), FOLLOW_UP_ANSWERS[None]), state)
    if state.get("intent"):
        state["asked_more"] = True
        return _respond("Is there anything else I can help you with?", state)
    return _respond(
        "Hi! I can book appointments and tables, find restaurants, reserve hotels, and check "
        "balances or send transfers. What can I do for you?",
        state,
        quick_replies=["Book an appointment", "Reserve a table", "Check my balance"],
    )


def _next_phrase(phrases: tuple[str, ...], state: dict[str, Any]) -> str:
    # Rotate through the phrases, so a long conversation does not get the same line twice.
    used = state.setdefault("phrases_used", {})
    index = used.get(phrases[0], 0)
    used[phrases[0]] = index + 1
    return phrases[index % len(phrases)]


def _respond(
    text: str, state: dict[str, Any], *, quick_replies: list[str] | None = None, handover: bool = False
) -> dict[str, Any]:
    captured = {key: value for key, value in state.get("slots", {}).items() if value}
    message = {"text": text, "quick_replies": quick_replies or []}
    return {"messages": [message], "handover": handover, "captured": captured}


def _on(date: str) -> str:
    return date if date in ("today", "tomorrow") or date.startswith(("next", "this")) else f"on {date}"


def _balance(account: str, state: dict[str, Any], conversation_id: str) -> float:
    """Return the made-up balance of an account, less the transfers made from it."""
    digest = int(hashlib.sha256(f"{conversation_id}:{account}".encode("utf-8")).hexdigest()[:12], 16)
    opening = 500 + (digest % 2_450_000) / 100
    return opening - state.get("sent", {}).get(account, 0.0)


def _made_up_restaurant(seed: str, cuisine: str) -> str:
    names = ("Golden Spoon", "Corner Table", "Blue Door", "Little Garden", "Harbor House")
    digest = int(hashlib.sha256(seed.encode("utf-8")).hexdigest()[:8], 16)
    return f"{names[digest % len(names)]} {cuisine.title()} Kitchen"
