"""Slot parsers of the example DM bot: dates, times, amounts, names and places from DM text.

Each parser takes the user's text and the slots the bot asked for in its last message, and
returns the value in the form the bot reads back ("3:30 pm", "March 10th", "$1,060"), or None
when the text does not give it. The slots asked for let a bare reply count: "Pranav" is a
recipient only right after "Who should I send it to?".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

__all__ = ["CURRENT_MONTH", "extract", "parse_date", "parse_time", "parse_amount", "provider_kind"]

# The bundled conversations are set in early March 2019, so "the 6th" means March 6th.
CURRENT_MONTH = "March"

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_NUMBER = r"\d+|" + "|".join(word for word in NUMBER_WORDS if word != "a")

# The service area, with the nicknames people type for it.
CITY_ALIASES = {
    "sfo": "San Francisco", "sf": "San Francisco", "san fran": "San Francisco",
    "nyc": "New York", "new york city": "New York", "ny": "New York", "chi-town": "Chicago",
    "philly": "Philadelphia", "lax": "Los Angeles", "sd": "San Diego",
}
CITIES = (
    "San Francisco", "San Jose", "Oakland", "Berkeley", "Palo Alto", "Mountain View",
    "Sunnyvale", "Santa Clara", "Fremont", "Hayward", "San Mateo", "Redwood City", "Milpitas",
    "Cupertino", "Walnut Creek", "Concord", "Pleasant Hill", "San Ramon", "Danville",
    "Livermore", "Dublin", "Lafayette", "Martinez", "Antioch", "Vallejo", "Benicia",
    "Fairfield", "Vacaville", "Napa", "Sonoma", "Santa Rosa", "Petaluma", "Novato",
    "San Rafael", "Mill Valley", "Larkspur", "Healdsburg", "Calistoga", "St. Helena",
    "Gilroy", "Morgan Hill", "Los Altos", "Saratoga", "Burlingame", "Millbrae", "Pacifica",
    "San Leandro", "Union City", "Albany", "Belmont", "Rohnert Park", "Fresno", "Los Angeles",
    "San Diego", "Anaheim", "Seattle", "Portland", "Phoenix", "Chicago", "New York",
    "Philadelphia", "Atlanta", "Washington", "Toronto", "Vancouver", "London", "Paris",
    "Sydney", "Delhi", "Kuala Lumpur",
)
CUISINES = (
    "italian", "chinese", "mexican", "indian", "thai", "japanese", "sushi", "ramen", "pizza",
    "burgers", "barbecue", "korean", "vietnamese", "french", "greek", "american", "asian",
    "cantonese", "european", "african", "southern", "seafood", "vegetarian", "mediterranean",
)

_NOT_NAMES = frozenset({"I", "The", "This", "That", "It", "My", "SFO", "Yes", "No", "Please"})
_NOT_RECIPIENTS = frozenset({
    "My", "The", "Their", "Her", "His", "Me", "Checking", "Savings", "Transfer",
    "Yes", "Yeah", "No", "Ok", "Okay", "Sure", "Thanks", "Correct", "Approved", "Great",
})

Parser = Callable[[str, Collection[str]], "str | None"]


def extract(intent: str | None, text: str, asked: Collection[str] = ()) -> dict[str, str]:
    """Return every slot of ``intent`` that the text gives, by slot name."""
    parsers = PARSERS.get(intent or "", {})
    found = {name: parser(text, asked) for name, parser in parsers.items()}
    return {name: value for name, value in found.items() if value}


def parse_time(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a clock time ("15:30", "half past 4 in the evening") and write it as "3:30 pm"."""
    lowered = text.lower().replace('o"clock', "o'clock")
    relative = re.search(rf"\b(half|quarter) (past|to) ({_NUMBER})\b", lowered)
    if relative:
        hour = _to_int(relative.group(3))
        minutes = 30 if relative.group(1) == "half" else 15
        if relative.group(2) == "to":
            hour, minutes = hour - 1, 60 - minutes
        return _clock(hour, minutes, _meridiem(lowered))

    exact = re.search(r"\b(\d{1,2}):(\d{2})\s*(am|pm|a\.m\.|p\.m\.)?", lowered)
    if exact:
        return _clock(int(exact.group(1)), int(exact.group(2)), exact.group(3) or _meridiem(lowered))

    loose = re.search(
        rf"\b({_NUMBER})\s*(am|pm|a\.m\.|p\.m\.|o'clock|in the (morning|afternoon|evening|night))|"
        rf"\b(morning|afternoon|evening|night) ({_NUMBER})\b",
        lowered,
    )
    if loose:
        number = loose.group(1) or loose.group(5)
        suffix = loose.group(2) if loose.group(2) and loose.group(2)[0] in "ap" else None
        return _clock(_to_int(number), 0, suffix or _meridiem(lowered))
    return None


def parse_date(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a date ("12th of March", "the 6th", "next Tuesday", "today") in words."""
    lowered = text.lower()
    month_day = re.search(rf"\b({'|'.join(MONTHS)}) (\d{{1,2}})(st|nd|rd|th)?\b", lowered)
    if month_day:
        return f"{month_day.group(1).title()} {_ordinal(int(month_day.group(2)))}"

    # A bare number is a date only with an ordinal suffix or "of <month>": "at 6" is a time.
    day_pattern = rf"\b(\d{{1,2}})(st|nd|rd|th)?( of ({'|'.join(MONTHS)}|this month))?\b(?!:)"
    for day_of in re.finditer(day_pattern, lowered):
        if day_of.group(2) or day_of.group(3):
            month = day_of.group(4) if day_of.group(4) not in (None, "this month") else CURRENT_MONTH
            return f"{month.title()} {_ordinal(int(day_of.group(1)))}"

    weekday = re.search(rf"\b(next |this )?({'|'.join(WEEKDAYS)})( next week| this week)?\b", lowered)
    if weekday:
        which = (weekday.group(1) or (weekday.group(3) or "").replace(" week", "")).strip()
        return f"{which} {weekday.group(2).title()}".strip()

    relative = re.search(r"\b(today|tonight|tomorrow)\b", lowered)
    if relative:
        return "today" if relative.group(1) == "tonight" else relative.group(1)
    return None


def parse_amount(text: str, asked: Collection[str] = ()) -> str | None:
    """Find an amount of money ("$1,060", "450 bucks", "six hundred dollars") as "$1,060"."""
    lowered = text.lower()
    digits = re.search(r"\$\s?([\d,]+)|\b([\d,]+)\s*(dollars|bucks|usd)\b", lowered)
    if digits:
        return _dollars(int((digits.group(1) or digits.group(2)).replace(",", "")))

    words = "|".join([*NUMBER_WORDS, "hundred", "thousand", "and"])
    spelled = re.search(rf"\b((?:(?:{words})[\s-]+)+)(dollars|bucks)\b", lowered)
    if spelled:
        value = _words_to_int(spelled.group(1).split())
        return _dollars(value) if value else None

    bare = re.fullmatch(r"\D*?([\d,]{2,})\D*", lowered)
    return _dollars(int(bare.group(1).replace(",", ""))) if bare and "amount" in asked else None


def parse_count(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a number of people, seats or tickets ("for two people", "a table for 3")."""
    match = re.search(
        rf"\b({_NUMBER}) (people|persons|guests|adults|of us|tickets|seats)\b|"
        rf"\b(table|party|group) (for|of) ({_NUMBER})\b",
        text.lower(),
    )
    if not match:
        return None
    return str(_to_int(match.group(1) or match.group(5)))


def parse_city(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a city of the service area, by name or nickname ("SFO", "Philly")."""
    lowered = f" {text.lower()} "
    for alias, city in CITY_ALIASES.items():
        if re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", lowered):
            return city
    for city in CITIES:
        if re.search(rf"(?<!\w){re.escape(city.lower())}(?!\w)", lowered):
            return city
    return None


def parse_account(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the user's own account: "from my savings", "use my checking"."""
    lowered = text.lower()
    source = re.search(r"\b(from|out of|use|using|with|go with) (my |the )?(checking|savings)\b", lowered)
    if source:
        return source.group(3)

    mine = re.search(r"\bmy (checking|savings)\b", lowered)
    if mine and not re.search(r"\bto my (checking|savings)\b", lowered):
        return mine.group(1)

    named = set(re.findall(r"\b(checking|savings)\b", lowered))
    if len(named) == 1 and not parse_recipient_account(text):
        return named.pop()
    return None


def parse_recipient_account(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the recipient's account type: "to Maria's savings", "their checking account"."""
    match = re.search(r"\b(\w+'s|their|her|his|to) (checking|savings)\b", text.lower())
    return match.group(2) if match else None


def parse_recipient(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the person money goes to: "to Li", "Abhinav's checking account", "Sanuj needs it"."""
    patterns = (
        r"\bto (?:Mr\.? |Ms\.? |Mrs\.? )?([A-Z][a-z]+)\b",
        r"\b([A-Z][a-z]+)'s (?:checking|savings|account)",
        r"\b(?:friend|need|want|[Gg]ive|[Pp]ay|[Ss]end),? ([A-Z][a-z]+)\b",
        r"\b([A-Z][a-z]+) needs\b",
    )
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            if match.group(1) not in _NOT_RECIPIENTS:
                return match.group(1)

    bare = re.fullmatch(r"\W*([A-Z][a-z]+)\W*", text)
    return bare.group(1) if bare and "recipient" in asked else None


def parse_provider(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the doctor, dentist or salon: "Dr. Amy Teng", "with Jonathan S. Berek, MD"."""
    name = r"[A-Z][\w'.|&-]*(?:,? (?:[A-Z][\w'.|&-]*|&|MD|DDS|DO))*"
    patterns = (
        rf"\b(Dr\.? {name})",
        rf"\b(?:with|see|visit|at|to|called|named|try|be|prefer) (?:the )?((?!Dr\b){name})",
        rf"\b(?:dentist|doctor|stylist|salon|barber),? ({name})",
    )
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            candidate = match.group(1).rstrip(".,")
            if not (_is_calendar_word(candidate) or candidate in _NOT_NAMES):
                return candidate

    bare = re.fullmatch(rf"\W*({name})\W*", text)
    return bare.group(1).rstrip(".,") if bare and "provider" in asked else None


def parse_restaurant(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a restaurant name: "at Tandoori Mahal", "Dynasty restaurant", "called Aq"."""
    name = r"[A-Z][\w'&.]*(?: (?:[A-Z][\w'&.]*|\d+))*"
    patterns = (
        rf"\brestaurant(?: name)? is ({name})",
        rf"\b(?:at|in|to|called|named|try|the) ({name})(?: restaurant)?",
        rf"\b({name}) (?:restaurant|is very good|sounds good)",
    )
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            candidate = match.group(1).rstrip(".")
            if not (parse_city(candidate) or _is_calendar_word(candidate) or candidate in _NOT_NAMES):
                return candidate
    return None


def parse_cuisine(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a kind of food from a short list ("Italian", "ramen")."""
    lowered = text.lower()
    for cuisine in CUISINES:
        if re.search(rf"\b{cuisine}\b", lowered):
            return cuisine.title()
    return None


def parse_check_in(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the arrival date: "check in on the 2nd", "arriving on the 6th"."""
    match = re.search(r"\b(check(ing)?[ -]in|arriv\w*|from)\b(.*)", text, re.IGNORECASE)
    if match:
        part = match.group(3)
    elif "check_in" in asked:
        part = text
    else:
        return None
    part = re.split(r"\b(check(ing)?[ -]out|until|till|to)\b", part, flags=re.IGNORECASE)[0]
    return parse_date(part)


def parse_check_out(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the departure date: "check out on March 7th", "stay until the 14th"."""
    match = re.search(r"\b(check(ing)?[ -]out|until|till|leav\w*)\b(.*)", text, re.IGNORECASE)
    if match:
        return parse_date(match.group(3))
    return parse_date(text) if "check_out" in asked else None


PARSERS: dict[str, dict[str, Parser]] = {
    "book_appointment": {"provider": parse_provider, "date": parse_date, "time": parse_time},
    "reserve_restaurant": {
        "restaurant": parse_restaurant,
        "city": parse_city,
        "time": parse_time,
        "date": parse_date,
        "party_size": parse_count,
    },
    "transfer_money": {
        "amount": parse_amount,
        "recipient": parse_recipient,
        "account": parse_account,
        "recipient_account": parse_recipient_account,
    },
    "check_balance": {"account": parse_account},
    "find_restaurants": {"city": parse_city, "cuisine": parse_cuisine},
    "reserve_hotel": {"city": parse_city, "check_in": parse_check_in, "check_out": parse_check_out},
}
"""The slot parsers of each intent the bot can complete."""


def provider_kind(text: str) -> str:
    """Return the kind of provider the user names ("dentist"), "doctor" when none."""
    match = re.search(r"\b(dentist|salon|stylist|therapist|doctor)\b", text.lower())
    return match.group(1) if match else "doctor"


def _meridiem(text: str) -> str | None:
    if re.search(r"\b(afternoon|evening|night|tonight|dinner|pm)\b", text):
        return "pm"
    if re.search(r"\b(morning|breakfast|am)\b", text):
        return "am"
    return None


def _clock(hour: int, minutes: int, meridiem: str | None) -> str | None:
    if not 0 <= hour <= 24 or not 0 <= minutes < 60:
        return None
    if meridiem:
        meridiem = "pm" if meridiem.startswith("p") else "am"
    elif hour >= 12:
        meridiem = "pm"
    else:
        # Without am or pm, 1 to 7 is an afternoon or evening booking.
        meridiem = "pm" if 1 <= hour <= 7 else "am"
    hour = hour - 12 if hour > 12 else hour
    return f"{hour}:{minutes:02d} {meridiem}" if minutes else f"{hour} {meridiem}"


def _is_calendar_word(text: str) -> bool:
    first = text.split()[0].lower().rstrip(".,")
    return first in MONTHS or first in WEEKDAYS or first in ("today", "tomorrow", "next", "this")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _to_int(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token]


def _words_to_int(words: list[str]) -> int:
    total, current = 0, 0
    for word in (word.strip("-") for word in words):
        if word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
    return total + current


def _dollars(value: int) -> str:
    return f"${value:,}"
