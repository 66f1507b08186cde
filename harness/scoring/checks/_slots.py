"""Words that show a question is about a slot, for the ``asks_for`` check.

The slot names are those of the Schema-Guided Dialogue schema (Rastogi et al., 2020) that the
bundled scenarios request: the table below covers every slot that a system turn asks for in
the eight bundled intents, and the words come from how the recorded agents asked for them
("How many tickets?", "Which account?", "To whom?"). A slot that is not in the table falls
back to the words of its own name (``email_address`` → ``email``, ``address``).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["SLOT_SYNONYMS", "slot_pattern"]

_WHEN = r"when|what day|which day"
_DATE = rf"dates?|days?|{_WHEN}|today|tomorrow|tonight|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_TIME = rf"times?|{_WHEN}|what hour|o'?clock|availab\w*|slot|schedule|right now"
_PLACE = r"city|cities|town|where|area|location|located|place|destination|metropolis|neighbou?rhood|region|search in|look in"
_HOW_MANY = r"how many|number of|party size|party|group|people|persons?|guests?"
_WHO_TO = r"who|whom|to where|where\b.*\b(sen[dt]\w*|transfer\w*|going)|recipient|payee|person|send (it|this|the money|them) to"

SLOT_SYNONYMS: dict[str, str] = {
    # Services (book_appointment, find_provider)
    "appointment_date": _DATE,
    "appointment_time": _TIME,
    "doctor_name": r"doctors?|doc|dr|physician|practice|which one|who",
    "dentist_name": r"dentists?|which one|who",
    "stylist_name": r"salons?|stylists?|hairdresser|barber|which one|who",
    "therapist_name": r"therapists?|counsell?or|which one|who",
    "type": r"type|kind|sort|speciali[sz]\w*|specialty|practitioner|psychiatrist|psychologist|counsell?or|therap\w*|doctor",
    "city": _PLACE,
    # Restaurants
    "restaurant_name": r"restaurants?|restuarant|resturant|diner|venue|place|where",
    "cuisine": r"cuisine|food|type|kind|style|sort|grub|mood|italian|chinese|mexican|indian|american",
    "category": r"cuisine|food|type|kind|style|sort|grub|mood|category",
    "location": _PLACE,
    "date": _DATE,
    "time": _TIME,
    "party_size": _HOW_MANY,
    "number_of_seats": rf"{_HOW_MANY}|tickets?|seats?",
    # Events
    "event_name": r"events?|show|concert|game|match|artist|team|performance",
    "number_of_tickets": rf"{_HOW_MANY}|tickets?|seats?",
    "city_of_event": _PLACE,
    # Hotels
    "hotel_name": r"hotels?|property|where",
    "where_to": _PLACE,
    "destination": _PLACE,
    "check_in_date": rf"check.?in|checking in|arriv\w*|get (in|into|there)|reach|{_DATE}",
    "check_out_date": rf"check.?out|checking out|leav\w*|depart\w*|how long|{_DATE}",
    "number_of_adults": rf"{_HOW_MANY}|adults?",
    "number_of_days": r"how many (days|nights)|how long|days|nights",
    "number_of_rooms": r"rooms?",
    # Banks
    "account_type": r"accounts?|checking|savings|balance",
    "amount": r"how much|amount|sum|dollars?|money",
    "transfer_amount": r"how much|amount|sum|dollars?|money",
    "recipient_account_name": _WHO_TO,
    "recipient_name": _WHO_TO,
    "recipient_account_type": r"accounts?|checking|savings",
}
"""Regular-expression alternatives, matched as whole words, per slot name."""

_GENERIC_NAME_WORDS = frozenset({"name", "number", "of", "the", "a", "an", "id"})


@lru_cache(maxsize=256)
def slot_pattern(slot: str) -> re.Pattern[str]:
    """Return the pattern that finds a mention of ``slot`` in a question.

    Slots in :data:`SLOT_SYNONYMS` use its alternatives; any other slot uses the words of its
    name, so ``preferred_stylist`` matches "preferred" or "stylist", and a ``number_of_...``
    slot also matches "how many".
    """
    alternatives = SLOT_SYNONYMS.get(slot)
    if alternatives is None:
        alternatives = "|".join(re.escape(word) + r"\w*" for word in _name_words(slot))
        if slot.lower().startswith("number_of_"):
            alternatives = f"how many|{alternatives}"
    return re.compile(rf"\b({alternatives})\b", re.IGNORECASE)


def _name_words(slot: str) -> list[str]:
    parts = [part for part in re.split(r"[_\W]+", slot.lower()) if part]
    meaningful = [part for part in parts if part not in _GENERIC_NAME_WORDS]
    return meaningful or parts or [slot]
