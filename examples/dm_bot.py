"""A small rule-based DM bot for the eight bundled intents, to try the harness on.

Call it through the ``python`` adapter as ``examples.dm_bot:reply`` (or
``examples/dm_bot.py:reply``). Each call gets the conversation, whose ``state`` dict persists
between turns, and the user's turn. It returns a dict with ``messages``, ``handover`` and
``captured``. The bot reads only the user's text (or quick-reply payload) and its own state.

A task goes through three stages. While it *collects*, the bot fills slots from every message
(``dm_parsing``) and asks for all missing details in one message, saying back what it just
understood. Once it has them, it reads the details back and asks the user to *confirm*. After
a yes the task is *done*: the bot reports it, answers questions about it, takes a changed
detail as a new read-back, and offers the natural next step (a transfer after a balance). It
hands the conversation over to a person on anger, complaints, injuries, refund or legal talk,
or a request for a human.

It is good on purpose at some intents and weak at others, so that a run shows both passes and
failures:

- good: book_appointment, reserve_restaurant, check_balance and transfer_money;
- fair: find_restaurants and reserve_hotel (invented offers, dates only with keywords);
- weak: find_provider and buy_event_tickets get the same polite reply every time, with no
  question and no next step.

The bot has no back end: balances and offered restaurants are made up, stable per conversation,
and it cannot look up addresses, ratings or prices.

NOTE: the keywords and phrasings were tuned on the bundled scenarios, so its acceptance on them
is an in-sample figure. New wordings may still miss a route or a detail.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from typing import Any

try:
    from examples.dm_parsing import TODAY, describe_date, extract, provider_kind, short_date
except ImportError:
    # Loaded as a file (python examples/http_bot.py, or examples/dm_bot.py:reply), so this
    # file's folder is on sys.path instead of the repository root.
    from dm_parsing import TODAY, describe_date, extract, provider_kind, short_date  # type: ignore[no-redef]

__all__ = ["reply"]

ESCALATION = re.compile(
    r"\b(refund|money back|chargeback|complain\w*|unacceptable|terrible|awful|worst|scam\w*|"
    r"ridiculous|furious|angry|disgusted|lawyer|attorney|sue|lawsuit|legal action|court|"
    r"(is|was) a joke|nobody (even )?apologi[sz]ed|never again|rude|disrespect\w*|disappoint\w*|"
    r"overcharg\w*|double[- ]charg\w*|charged (me )?twice|dispute|"
    r"allergic reaction|(reaction|rash|burns?|burned|burnt|injur\w*|swollen|swelling|infection) "
    r"(after|from) (the|your|my|our)|"
    r"(speak|talk|chat) (to|with) (a |an |the |your )?(human|person|real person|agent|manager|"
    r"someone|somebody)|real person|human being|(a|any) human|supervisor|representative|live agent)\b",
    re.IGNORECASE,
)
"""Messages a person must answer: complaints, harm after a service, money disputes, legal
threats and requests for a human."""

YES = re.compile(
    r"\b(yes|yeah|yep|yup|sure|ok|okay|correct|right|perfect|great|fine|confirm\w*|approve\w*|exactly|"
    r"indeed|certainly|absolutely|definitely|of course|deal|proceed|sounds (good|great|right|fine)|works|"
    r"(would|will|that) work|"
    r"go ahead|please do|do it|do this|book it|i'?d like|take (it|that)|try (it|that)|that'?s (it|the one)|"
    r"i do|i would)\b",
    re.IGNORECASE,
)
NO = re.compile(
    r"^\W*(no|nope|nah|not (quite|right)|actually|wait|change|hold (on|that))\b|"
    r"\b(does ?n'?t|does not|wo ?n'?t) work\b|\b(that'?s|it'?s) (wrong|not right)\b",
    re.IGNORECASE,
)
ACCEPT = re.compile(
    r"\b(yes|yeah|yep|sure|let'?s|i would|i'?d like|go ahead|i do|absolutely|of course|definitely)\b",
    re.IGNORECASE,
)
"""Words that accept an offer such as "Would you like to make a transfer?"; a bare "ok" does not."""

CLOSING = re.compile(
    r"\b((that'?s|that is) all(?! (correct|right|good|fine|true))|all set|nothing else|no,? thanks?|"
    r"no thank you|bye|goodbye|that'?ll be all|that will be all|that will do|that'?ll do|i'?m good|"
    r"i'?m done|i'?m fine|i'?m okay|talk to you later|see you|take care|not now|no more help|"
    r"won'?t be needing|(do ?n'?t|do not) need anything|no need|that'?s everything|that was all|"
    r"all i need(ed)?|i guess not)\b",
    re.IGNORECASE,
)
THANKS = re.compile(r"\b(thanks|thank you|thx|appreciate\w*)\b", re.IGNORECASE)
ANOTHER = re.compile(r"\b(another|one more|a second|new)\b", re.IGNORECASE)
RETRY = re.compile(r"\b(again|retry|re-?book|try (booking|reserving))\b", re.IGNORECASE)
QUESTION = re.compile(
    r"\?|^\W*(what|where|when|how|which|who|is|are|do|does|can|could|will|would)\b|"
    r"\b(tell me|let me know|give me|can i (have|get)|i need (the|their))\b",
    re.IGNORECASE,
)
"""A question or a request for information ("Tell me please their rating")."""
DECLINE = re.compile(r"\b(do ?n'?t|do not|not) (want|need|interested)\b", re.IGNORECASE)

ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("check_balance", re.compile(r"\bbalances?\b", re.I)),
    ("transfer_money", re.compile(
        r"\b(transfer\w*|send (some )?money|send a payment|send \$?\d[\d,]*|move \$?\d[\d,]*|wire|"
        r"money to|make a payment|pay (\w+ )?back)\b", re.I)),
    ("check_balance", re.compile(
        r"\b(how much (money )?(do )?i have|in my (checking|savings)|"
        r"(what about|how about|and|from|in) (in )?my (checking|savings)|remaining)\b", re.I)),
    ("buy_event_tickets", re.compile(r"\b(tickets?|concert|events?|game)\b", re.I)),
    ("reserve_hotel", re.compile(
        r"\b(hotel|houses?|apartment|appartment|room|(?<!my )check(ing)? in|(?<!my )check(ing)? out|"
        r"stay)\b", re.I)),
    ("find_provider", re.compile(
        r"^(?!.*\b(appointments?|book\w*|schedule|see|visit|go to|at the|work done|\d+(st|nd|rd|th))\b)"
        r".*\b(find\w*|search\w*|looking for|recommend|need)\b.*\b(dentist|doctor|therapist|salon|"
        r"psychiatrist|psychologist|counselor|stylist|barber|physician)\b", re.I)),
    ("book_appointment", re.compile(
        r"\b(appointments?|see (a |the )?(doctor|dentist|dr)|dentist|dental|doctor|salon|haircut|"
        r"physical|check-?up|barber\w*)\b", re.I)),
    ("reserve_restaurant", re.compile(r"\b(reserv\w*|book\w*|table)\b", re.I)),
    ("find_restaurants", re.compile(
        r"\b(restaurants?|resturant|food|eat|dine|bite|dinner|lunch|cuisine|hungry|places)\b", re.I)),
)
"""Keyword routes; the first that matches wins, so the specific intents come first. The word
"balance" wins over a transfer ("my balance after the transfer")."""

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

CHANGEABLE = frozenset({"book_appointment", "reserve_restaurant", "reserve_hotel"})
"""Bookings that a message with new details changes after they are done ("How about
Saturday instead?"); a new transfer is always a new task."""

RESTAURANT_WORDS = re.compile(r"\b(table|restaurant|dinner|lunch|eat|food)\b", re.IGNORECASE)

CARRIED_SLOTS = {"reserve_restaurant": ("restaurant", "city"), "transfer_money": ("account",)}
"""Details that carry over into the next intent: the restaurant just found, the account just checked."""

CARRIED_FROM = {"reserve_restaurant": ("find_restaurants",), "transfer_money": ("check_balance",)}
"""The intents whose details :data:`CARRIED_SLOTS` takes over, besides the intent itself."""

PENDING = ("collect", "confirm")
"""Stages of a task that is still open."""

NAMED_SLOTS = frozenset({"provider", "restaurant"})
"""Slots whose value a shorter mention ("Dr. Sabi's rating") does not replace."""


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
    """A value used once the user has left the question unanswered (see :func:`_missing`)."""


FLOWS: dict[str, tuple[Slot, ...]] = {
    "book_appointment": (
        Slot("provider", "Which {kind} would you like to {visit}?", "the {kind}'s name"),
        Slot("date", "What date works for you?", "the date"),
        Slot("time", "What time would you like?", "the time"),
    ),
    "reserve_restaurant": (
        Slot("restaurant", "Which restaurant would you like?", "the restaurant"),
        Slot("city", "In which city?", "the city"),
        Slot("time", "What time should I book the table for?", "the time"),
        Slot("date", "", default=TODAY.isoformat()),
        Slot("party_size", "", default="2"),
    ),
    "transfer_money": (
        Slot("amount", "How much would you like to transfer?", "the amount"),
        Slot("recipient", "Who should I send it to?", "the recipient's name"),
        Slot(
            "account", "Which of your accounts should it come from, checking or savings?", "the account",
            fallback="checking",
        ),
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
"""The details of each task, in the order the bot asks for them. A restaurant booking is for
today and two people unless the user says otherwise, as booking agents assume."""

WEAK_REPLIES = {
    "find_provider": "Thanks for reaching out! We work with lots of great providers in the area.",
    "buy_event_tickets": "Thanks for your interest! Events sell out fast, so keep an eye on our page.",
}

GREETING = (
    "Hi! I can book appointments and tables, find restaurants, reserve hotels, and check "
    "balances or send transfers. What can I do for you?"
)
WELCOMES = (
    "You're welcome! Is there anything else I can help you with?",
    "Happy to help. Anything else today?",
    "Glad I could help! What else can I do for you?",
    "My pleasure. Just send a message if you need anything else.",
)
ANYTHING_ELSE = (
    "Is there anything else I can help you with?",
    "Okay! What else can I do for you today?",
    "Sure thing. I'm here if you need anything else, just message us.",
)
GOODBYES = (
    "Thanks for chatting with us. Have a great day! Message us here anytime.",
    "Take care, and enjoy the rest of your day! You can message us here whenever you need us.",
    "Bye for now, and have a lovely day! Just message us if anything comes up.",
)
"""Closing lines. Each names a way back (a message here), because a user's "no" is not always a
goodbye."""

HANDOVER_TEXT = (
    "I'm really sorry about this. I'm passing your conversation to a member of our team now, "
    "and they will reply here shortly."
)
WAITING_TEXTS = (
    "A member of our team has your conversation and will reply here as soon as they can.",
    "Thanks for your patience. Our team has your messages and will get back to you here very soon.",
)

INFO_TOPICS: tuple[tuple[re.Pattern[str], tuple[str, str]], ...] = (
    (re.compile(r"\b(address|located|location|where|city|directions|phone|number|contact|digits|call)\b", re.I), (
        "I don't have their address or phone number here, sorry. A quick search for their name will show both.",
        "Their contact details aren't available to me in this chat, sorry. Their website will list them.",
    )),
    (re.compile(r"\b(rating|rated|reviews?|good are)\b", re.I), (
        "I don't have ratings or reviews for them, sorry.",
        "Sorry, ratings aren't something I can see from here.",
    )),
    (re.compile(r"\b(price\w*|pricey|expensive|cost\w*|cheap|afford\w*)\b", re.I), (
        "I don't have their prices, sorry. They can tell you when you arrive.",
        "Sorry, I can't see their prices from here.",
    )),
    (re.compile(r"\b(how long|how many days|when will|arrive|business days)\b", re.I), (
        "Transfers usually arrive within 1 to 3 business days.",
        "It normally takes 1 to 3 business days to reach them.",
    )),
    (re.compile(r"\b(live music|liquor|alcohol|outdoor|seating|unisex|cosmetic|serve|menu|vegetarian|parking|"
                r"open)\b", re.I), (
        "I can't check that detail from here, sorry. The place itself can tell you.",
        "That's a detail I can't look up in this chat, sorry. It's best to ask them directly.",
    )),
)
"""Questions about a finished task, and two wordings of what the bot answers without a database."""
CANNOT_ANSWER = ("I'm afraid I can't look that up from here.", "Sorry, that's not something I can check.")

SIMILAR = 0.75
"""A reply at least this similar to an earlier one (difflib ratio or word overlap) counts as a
repeat, so the bot words it differently."""

REMEMBERED_REPLIES = 30
"""How many of its latest replies the bot keeps to avoid repeating itself. It drops older ones, so
the state of a long conversation stays small."""


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
        return _respond(_fresh(WAITING_TEXTS, state), state, handover=True)
    if ESCALATION.search(text):
        state["handed_over"] = True
        return _respond(HANDOVER_TEXT, state, handover=True)

    offer = state.pop("offer", None)
    if offer:
        answered = _answer_offer(offer, text, state, conversation.id)
        if answered is not None:
            return answered
    return _dispatch(text, state, conversation.id)


def _dispatch(text: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    stage = state.get("stage")
    if DECLINE.search(text) and stage not in PENDING:
        # "No, I don't want to make any transfer" names a task but asks for none.
        return _small_talk(text, state)
    if CLOSING.search(text) and stage == "done" and not ANOTHER.search(text):
        return _small_talk(text, state)  # "No, the reservation was all I needed."
    intent = _route(text, state)
    if intent in WEAK_REPLIES:
        return _respond(WEAK_REPLIES[intent], state)
    if intent is None:
        return _small_talk(text, state)
    return _run_flow(intent, text, state, conversation_id)


def _match(text: str) -> str | None:
    return next((intent for intent, pattern in ROUTES if pattern.search(text)), None)


def _route(text: str, state: dict[str, Any]) -> str | None:
    """Pick the intent of the message; a message with no keyword continues the current flow."""
    current = state.get("intent")
    stage = state.get("stage")
    matched = _match(text)
    if matched == "reserve_restaurant" and current in BOOKING_FLOWS and not RESTAURANT_WORDS.search(text):
        # "Can you book Tuesday instead?" books what the conversation is about, not a table.
        matched = BOOKING_FLOWS[current]
    if current == "check_balance" and matched is None and stage == "done" and extract(current, text):
        matched = current  # "What about the savings one?" after a balance.

    if matched is None:
        return _route_without_keyword(text, current, stage, state)
    if stage in PENDING and matched != current and _stays(current, matched, text, state):
        return current
    if matched == current and stage == "done":
        return _route_after_done(text, current, state)
    if matched != current or stage not in PENDING:
        _start(matched, state)
    return matched


def _route_without_keyword(text: str, current: str | None, stage: str | None, state: dict[str, Any]) -> str | None:
    """Route a message with no keyword: it continues an open task or changes a finished booking."""
    if stage in PENDING:
        return current
    if stage == "done" and current in CHANGEABLE and _changes(current, text, state):
        # "Proceed with Dr. Lawrence Bruce." after a booking: the same booking, one detail new.
        _start(current, state, keep_all=True)
        return current
    return None


def _route_after_done(text: str, current: str, state: dict[str, Any]) -> str | None:
    """Route a message about the task just finished: a change, a new task, or a follow-up (None)."""
    if current == "check_balance" or ANOTHER.search(text):
        _start(current, state)
        return current
    if _changes(current, text, state) or (current in CHANGEABLE and RETRY.search(text)):
        _start(current, state, keep_all=current in CHANGEABLE)
        return current
    if QUESTION.search(text) or YES.search(text):
        # "I'd like to take that appointment" or "Where is it?" is about the booking just made.
        return None
    _start(current, state)
    return current


def _changes(intent: str, text: str, state: dict[str, Any]) -> bool:
    """Tell whether the text gives a detail of ``intent`` that differs from the stored one."""
    slots = state.get("slots", {})
    found = extract(intent, text, ())
    return any(not _same_value(name, slots.get(name), value) for name, value in found.items())


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


def _start(intent: str, state: dict[str, Any], *, keep_all: bool = False, slots: dict[str, str] | None = None) -> None:
    """Open a task, keeping all details of the last one (``keep_all``) or only the carried ones."""
    related = state.get("intent") in (intent, *CARRIED_FROM.get(intent, ()))
    previous = state.get("slots", {}) if related else {}
    carried = previous.keys() if keep_all else CARRIED_SLOTS.get(intent, ())
    kept = {key: previous[key] for key in carried if key in previous}
    kept.update(slots or {})
    state.update(intent=intent, stage="collect", slots=kept, asked=[], asked_before={}, fresh=True)


def _answer_offer(
    offer: dict[str, Any], text: str, state: dict[str, Any], conversation_id: str
) -> dict[str, Any] | None:
    """Handle the reply to an offer ("Would you like to make a transfer?").

    Returns None when the reply is about something else, so normal routing takes it.
    """
    matched = _match(text)
    if CLOSING.search(text):
        return _goodbye(state)
    if DECLINE.search(text) or (NO.search(text) and matched is None):
        state["asked_more"] = True
        state["declined_transfer"] = state.get("declined_transfer") or offer["intent"] == "transfer_money"
        options = ("No problem. Is there anything else I can help you with?", *ANYTHING_ELSE)
        return _respond(_fresh(options, state), state)
    if matched is not None and matched != offer["intent"]:
        return None
    if offer["intent"] == "transfer_money" and _names_account_only(text):
        return None  # "Checking account, please" after a balance asks for that balance.
    if matched == offer["intent"] or ACCEPT.search(text) or extract(offer["intent"], text):
        _start(offer["intent"], state, slots=offer.get("slots"))
        return _run_flow(offer["intent"], text, state, conversation_id)
    return _offer_again(offer, text, state)


def _names_account_only(text: str) -> bool:
    return bool(extract("check_balance", text)) and set(extract("transfer_money", text)) <= {"account"}


def _offer_again(offer: dict[str, Any], text: str, state: dict[str, Any]) -> dict[str, Any] | None:
    # "Ok." or "Thanks for the information" after an offer leaves it open, so ask it once more.
    if offer.get("repeated") or QUESTION.search(text):
        return None
    state["offer"] = {**offer, "repeated": True}
    lead = "You're welcome! " if THANKS.search(text) else ""
    return _respond(f"{lead}{offer['again']}", state, quick_replies=offer["quick_replies"])


def _run_flow(intent: str, text: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    if state.get("stage") == "confirm":
        return _handle_confirmation(intent, text, state, conversation_id)
    if state.get("stage") == "done":
        return _small_talk(text, state)

    fresh = state.pop("fresh", False)
    captured = _fill_slots(intent, text, state)
    if not captured and not fresh and (CLOSING.search(text) or THANKS.search(text) or NO.search(text)):
        # "Thanks, that's all" in the middle of a flow drops it instead of asking again.
        state["stage"] = "dropped"
        return _small_talk(text, state)
    if intent == "check_balance" and state.get("last_account"):
        state["slots"].setdefault("account", state["last_account"])

    missing = _missing(intent, state["slots"], state["asked_before"])
    if missing:
        return _ask(missing, text, state, captured=captured, fresh=fresh)
    for slot in FLOWS[intent]:
        state["slots"].setdefault(slot.name, slot.default or "")
    return _after_collect(intent, state, conversation_id)


def _fill_slots(intent: str, text: str, state: dict[str, Any]) -> dict[str, str]:
    """Store every detail the text gives, and return the ones that were new or changed."""
    slots = state["slots"]
    changed = {}
    for name, value in extract(intent, text, state.get("asked", ())).items():
        if not _same_value(name, slots.get(name), value):
            slots[name] = value
            changed[name] = value
    return changed


def _same_value(name: str, old: str | None, new: str) -> bool:
    if old is None or old == new:
        return old == new
    if name not in NAMED_SLOTS:
        return False
    # "Dr. Sabi's rating" names the same doctor as "Dr. Sabi Ahmed".
    return _name_words(new) <= _name_words(old)


def _name_words(name: str) -> set[str]:
    return {word.removesuffix("'s") for word in re.findall(r"[a-z']+", name.lower())} - {"dr", "the"}


def _missing(intent: str, slots: dict[str, str], asked_before: dict[str, int]) -> list[Slot]:
    """List the details still to ask for, using the fallback of a question the user skipped."""
    missing = []
    for slot in FLOWS[intent]:
        if slot.name in slots or slot.default is not None:
            continue
        if slot.fallback is not None and asked_before.get(slot.name, 0) >= 3:
            slots[slot.name] = slot.fallback
            continue
        missing.append(slot)
    return missing


def _ask(
    missing: list[Slot], text: str, state: dict[str, Any], *, captured: dict[str, str], fresh: bool
) -> dict[str, Any]:
    """Ask for up to three missing details in one message, saying back what the user just gave."""
    asked = missing[:3]
    kind = state.setdefault("kind", provider_kind(text))
    visit = "go to" if kind == "salon" else "see"
    asked_before = state["asked_before"]
    question = " ".join(slot.question.format(kind=kind, visit=visit) for slot in asked)
    if captured and not fresh:
        question = f"Got it: {_summary(captured)}. {question}"
    elif not fresh and all(slot.name in asked_before for slot in asked):
        # The user answered none of the last question: word it differently, so it does not repeat.
        labels = " and ".join(slot.label.format(kind=kind) for slot in asked if slot.label)
        options = (
            f"Sorry, I didn't catch {labels or 'that'}. {question}",
            f"I still need {labels or 'a detail'} to go on. Could you send it?",
        )
        question = _fresh(options, state)

    state["asked"] = [slot.name for slot in asked]
    # A question asked alone counts twice: the user skipped it on purpose, not among others.
    # The fallback of a detail is used once its count reaches three.
    weight = 2 if len(asked) == 1 else 1
    for slot in asked:
        asked_before[slot.name] = asked_before.get(slot.name, 0) + weight
    quick = ["Checking", "Savings"] if asked[0].name == "account" else []
    return _respond(question, state, quick_replies=quick)


def _summary(values: dict[str, str]) -> str:
    """Say back details in words: "$530, to Raghav", "next Tuesday, March 5th, 4:30 pm"."""
    words = {
        "date": lambda value: describe_date(value).removeprefix("on "),
        "check_in": lambda value: f"checking in {short_date(value)}",
        "check_out": lambda value: f"checking out {short_date(value)}",
        "party_size": lambda value: f"{value} {'person' if value == '1' else 'people'}",
        "recipient": lambda value: f"to {value}",
        "account": lambda value: f"from your {value} account",
        "recipient_account": lambda value: f"into their {value} account",
    }
    said = [words.get(name, str)(value) for name, value in values.items()]
    return ", ".join(dict.fromkeys(said))


def _after_collect(intent: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    slots = state["slots"]
    if intent == "check_balance":
        return _report_balance(slots["account"], state, conversation_id)
    if intent == "find_restaurants":
        return _offer_restaurant(state, conversation_id)
    state.update(stage="confirm", asked=[])
    return _respond(_read_back(intent, slots), state, quick_replies=["Yes", "No"])


def _report_balance(account: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    state.update(stage="done", last_account=account)
    balance = _balance(account, state, conversation_id)
    reported = state.setdefault("reported", {})
    if reported.get(account) == balance:
        # Asked again for the same figure: word it differently from the last report.
        text = f"Your {account} account still has ${balance:,.2f}, the same as before."
    else:
        now = " now" if account in reported or account in state.get("sent", {}) else ""
        text = f"Your {account} account balance is{now} ${balance:,.2f}."
    reported[account] = balance
    return _offer_after_balance(text, account, state)


def _offer_after_balance(text: str, account: str, state: dict[str, Any]) -> dict[str, Any]:
    """Offer a transfer until the user makes or declines one, then the other account's balance."""
    other = "savings" if account == "checking" else "checking"
    if not state.get("sent") and not state.get("declined_transfer"):
        questions = ("Would you like to make a transfer?", f"Would you like to send money from your {account} account?")
        offer = {"intent": "transfer_money", "quick_replies": ["Make a transfer", "No, thanks"]}
    elif other not in state["reported"]:
        questions = (f"Would you like your {other} balance too?", f"Shall I check your {other} account as well?")
        quick_replies = [f"{other.title()} balance", "No, thanks"]
        offer = {"intent": "check_balance", "slots": {"account": other}, "quick_replies": quick_replies}
    else:
        return _respond(f"{text} {_fresh(ANYTHING_ELSE, state)}", state)

    state["offer"] = {**offer, "again": questions[1]}
    reply_text = _fresh(tuple(f"{text} {question}" for question in questions), state)
    return _respond(reply_text, state, quick_replies=offer["quick_replies"])


def _offer_restaurant(state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    slots = state["slots"]
    slots["restaurant"] = _made_up_restaurant(conversation_id, slots["cuisine"])
    state.update(stage="done")
    state["offer"] = {
        "intent": "reserve_restaurant",
        "again": f"Shall I book you a table at {slots['restaurant']}?",
        "quick_replies": ["Book a table", "Something else"],
    }
    text = (
        f"How about {slots['restaurant']}? It's a popular {slots['cuisine']} place in "
        f"{slots['city']}. Want me to book a table?"
    )
    return _respond(text, state, quick_replies=["Book a table", "Something else"])


def _details(intent: str, slots: dict[str, str]) -> str:
    """Describe a task from its details, in the words its read-back and its report use."""
    if intent == "book_appointment":
        return f"an appointment with {slots['provider']} {describe_date(slots['date'])} at {slots['time']}"
    if intent == "reserve_restaurant":
        return (
            f"a table for {slots['party_size']} at {slots['restaurant']} in {slots['city']} "
            f"{describe_date(slots['date'])} at {slots['time']}"
        )
    if intent == "transfer_money":
        return (
            f"a transfer of {slots['amount']} from your {slots['account']} account to "
            f"{slots['recipient']}'s {slots['recipient_account']} account"
        )
    return f"a stay in {slots['city']} from {short_date(slots['check_in'])} to {short_date(slots['check_out'])}"


def _read_back(intent: str, slots: dict[str, str]) -> str:
    return f"Just to confirm: {_details(intent, slots)}. Shall I go ahead?"


def _handle_confirmation(intent: str, text: str, state: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    slots = state["slots"]
    if _fill_slots(intent, text, state):
        return _respond(_read_back(intent, slots), state, quick_replies=["Yes", "No"])
    if CLOSING.search(text) and not YES.search(text):
        state.update(intent=None, stage=None, slots={})
        return _respond("Okay, I haven't booked anything. Message us here anytime if you change your mind.", state)
    if NO.search(text):
        state["stage"] = "collect"
        options = ("No problem. What would you like to change?", "Okay, what should I change?")
        return _respond(_fresh(options, state), state)
    if not YES.search(text):
        return _confirm_again(intent, text, state)

    state["stage"] = "done"
    _record_transfer(intent, slots, state)
    done = _done_text(intent, slots)
    answers = _answers(text)
    if answers:
        return _respond(_fresh(tuple(f"{done} {answer}" for answer in answers), state), state)
    return _respond(f"{done} {_fresh(ANYTHING_ELSE, state)}", state)


def _confirm_again(intent: str, text: str, state: dict[str, Any]) -> dict[str, Any]:
    """Ask for a yes or no once more, answering a question the user asked meanwhile."""
    details = _details(intent, state["slots"])
    answers = _answers(text) if QUESTION.search(text) else None
    leads = answers or ("Sorry, I need a yes or no.", "Just so I get it right:")
    options = (
        f"{leads[0]} Shall I go ahead with {details}?",
        f"{leads[1]} Should I go ahead and book it?",
        "Reply yes and I'll take care of it, or no to change something.",
    )
    return _respond(_fresh(options, state), state, quick_replies=["Yes", "No"])


def _record_transfer(intent: str, slots: dict[str, str], state: dict[str, Any]) -> None:
    if intent == "transfer_money":
        sent = state.setdefault("sent", {})
        amount = float(slots["amount"].strip("$").replace(",", ""))
        sent[slots["account"]] = sent.get(slots["account"], 0.0) + amount
        state["last_account"] = slots["account"]


def _done_text(intent: str, slots: dict[str, str]) -> str:
    if intent == "book_appointment":
        return (
            f"You're booked with {slots['provider']} {describe_date(slots['date'])} at {slots['time']}. "
            "See you then!"
        )
    if intent == "reserve_restaurant":
        return (
            f"Your table for {slots['party_size']} at {slots['restaurant']} is reserved "
            f"{describe_date(slots['date'])} at {slots['time']}. Enjoy!"
        )
    if intent == "transfer_money":
        return (
            f"Done! {slots['amount']} is on its way to {slots['recipient']} from your {slots['account']} "
            "account. It should arrive within 1 to 3 business days."
        )
    return f"Your stay in {slots['city']} is booked. Have a great trip!"


def _small_talk(text: str, state: dict[str, Any]) -> dict[str, Any]:
    """Answer a message outside any task: a question about the last task, thanks, a goodbye."""
    asked_more = state.pop("asked_more", False)
    finished = state.get("stage") == "done" and state.get("intent") in FLOWS
    if CLOSING.search(text) or (asked_more and NO.search(text) and not QUESTION.search(text)):
        return _goodbye(state)
    if finished and QUESTION.search(text):
        state["asked_more"] = True
        answers = _answers(text) or CANNOT_ANSWER
        return _respond(_fresh(tuple(f"{answer} {more}" for answer in answers for more in ANYTHING_ELSE), state), state)
    if THANKS.search(text):
        state["asked_more"] = True
        return _respond(_fresh(WELCOMES, state), state)
    if finished:
        return _after_done(text, state)
    return _respond(GREETING, state, quick_replies=["Book an appointment", "Reserve a table", "Check my balance"])


def _after_done(text: str, state: dict[str, Any]) -> dict[str, Any]:
    """Reply to a message after a finished task that is neither thanks nor a question."""
    intent = state["intent"]
    state["asked_more"] = True
    if intent in CHANGEABLE and NO.search(text):
        return _respond("Sorry about that. Would you like to change a detail, like the day or time?", state)
    if intent in CHANGEABLE | {"transfer_money"} and YES.search(text):
        # The user agrees once more ("That works"): say plainly that it is done.
        details = _details(intent, state["slots"])
        options = (
            f"Great, it's all set: {details}. Anything else I can help with?",
            "You're all set, it's confirmed. Anything else?",
        )
        return _respond(_fresh(options, state), state)
    return _respond(_fresh(ANYTHING_ELSE, state), state)


def _answers(text: str) -> tuple[str, str] | None:
    """Return two wordings of what the bot can answer: where, ratings, prices, transfer times."""
    found = [wordings for pattern, wordings in INFO_TOPICS if pattern.search(text)]
    if not found:
        return None
    return " ".join(first for first, _ in found), " ".join(second for _, second in found)


def _goodbye(state: dict[str, Any]) -> dict[str, Any]:
    return _respond(_fresh(GOODBYES, state), state)


def _fresh(options: tuple[str, ...], state: dict[str, Any]) -> str:
    """Pick the first wording that is unlike every earlier reply, so the bot does not repeat itself."""
    said = state.get("said", [])
    for option in options:
        if all(_similarity(option, earlier) < SIMILAR for earlier in said):
            return option
    return min(options, key=lambda option: max(_similarity(option, earlier) for earlier in said))


def _similarity(text: str, other: str) -> float:
    left, right = set(re.findall(r"\w+", text.lower())), set(re.findall(r"\w+", other.lower()))
    overlap = len(left & right) / len(left | right) if left | right else 0.0
    return max(overlap, difflib.SequenceMatcher(None, text.lower(), other.lower()).ratio())


def _respond(
    text: str, state: dict[str, Any], *, quick_replies: list[str] | None = None, handover: bool = False
) -> dict[str, Any]:
    said = state.setdefault("said", [])
    said.append(text)
    del said[:-REMEMBERED_REPLIES]
    captured = {key: value for key, value in state.get("slots", {}).items() if value}
    message = {"text": text, "quick_replies": quick_replies or []}
    return {"messages": [message], "handover": handover, "captured": captured}


def _balance(account: str, state: dict[str, Any], conversation_id: str) -> float:
    """Return the made-up balance of an account, less the transfers made from it."""
    digest = int(hashlib.sha256(f"{conversation_id}:{account}".encode("utf-8")).hexdigest()[:12], 16)
    opening = 500 + (digest % 2_450_000) / 100
    return round(opening - state.get("sent", {}).get(account, 0.0), 2)


def _made_up_restaurant(seed: str, cuisine: str) -> str:
    names = ("Golden Spoon", "Corner Table", "Blue Door", "Little Garden", "Harbor House")
    digest = int(hashlib.sha256(seed.encode("utf-8")).hexdigest()[:8], 16)
    return f"{names[digest % len(names)]} {cuisine.title()} Kitchen"
