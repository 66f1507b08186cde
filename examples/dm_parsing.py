"""Slot parsers of the example DM bot: dates, times, amounts, names and places from DM text.

Each parser takes the user's text and the slots the bot asked for in its last message, and
returns the value in the form the bot stores, or None when the text does not give it. Dates
are ISO strings ("2019-03-10"), times read "3:30 pm" and amounts "$1,060". The slots asked for
let a bare reply count: "Pranav" is a recipient only right after "Who should I send it to?".

:func:`describe_date` writes a stored date back the way people say it ("next Tuesday, March
5th"), counted from :data:`TODAY`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, timedelta

__all__ = [
    "TODAY",
    "describe_date",
    "extract",
    "parse_amount",
    "parse_count",
    "parse_date",
    "parse_provider",
    "parse_recipient",
    "parse_restaurant",
    "parse_time",
    "provider_kind",
    "short_date",
]

TODAY = date(2019, 3, 1)
"""The day the bot takes as today. The bundled SGD conversations are set on Friday, March 1st,
2019: their agents call that day "today", March 2nd "tomorrow" and March 5th "next Tuesday"."""

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER = r"\d+|" + "|".join(word for word in NUMBER_WORDS if word != "a")

# The service area, with the nicknames people type for it.
CITY_ALIASES = {
    "sfo": "San Francisco", "sf": "San Francisco", "san fran": "San Francisco",
    "nyc": "New York", "new york city": "New York", "ny": "New York", "chi-town": "Chicago",
    "philly": "Philadelphia", "lax": "Los Angeles", "sd": "San Diego",
}  # fmt: skip
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
)  # fmt: skip
CUISINES = (
    "italian", "chinese", "mexican", "indian", "thai", "japanese", "sushi", "ramen", "pizza",
    "burgers", "barbecue", "korean", "vietnamese", "french", "greek", "american", "asian",
    "cantonese", "european", "african", "southern", "seafood", "vegetarian", "mediterranean",
)  # fmt: skip

_NOT_NAMES = frozenset({
    "I", "The", "This", "That", "It", "My", "SFO", "Yes", "No", "Please", "A", "An", "Our", "Their",
    "Is", "Are", "What", "Which", "Where", "Can", "Could", "Also", "And", "Or", "Ok", "Okay",
})  # fmt: skip
_NOT_RECIPIENTS = frozenset({
    "My", "The", "Their", "Her", "His", "Me", "Checking", "Savings", "Transfer", "Send", "Please",
    "Yes", "Yeah", "Yep", "No", "Nope", "Ok", "Okay", "Sure", "Thanks", "Correct", "Confirmed",
    "Approved", "Great", "Fine", "Perfect", "Right", "Deal", "Done", "Someone", "Somebody", "It",
    "Them", "Him", "You", "Account", "Bank", "Money", "Friend", "Mr", "Ms", "Mrs",
})  # fmt: skip
_ABBREVIATIONS = frozenset({"Dr.", "Jr.", "Sr.", "Inc.", "St.", "Mr.", "Mrs.", "Ms.", "Co.", "Ltd.", "M.D.", "D.D.S."})
"""Words that end in a full stop inside a name, so the stop does not end the name."""

Parser = Callable[[str, Collection[str]], "str | None"]


def extract(intent: str | None, text: str, asked: Collection[str] = ()) -> dict[str, str]:
    """Return every slot of ``intent`` that the text gives, by slot name."""
    parsers = PARSERS.get(intent or "", {})
    text = _space_sentences(text)
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

    named = re.search(r"\b(noon|midday|midnight)\b", lowered)
    if named:
        return "12 am" if named.group(1) == "midnight" else "12 pm"

    # A bare hour after "at" or "make it" ("tonight at 8") is a time, unless it counts something.
    hour = re.search(
        rf"\b(?:at|around|by|make it) ({_NUMBER})\b(?!\s*(?:st|nd|rd|th|people|persons?|guests?|tickets?|of\b|%))",
        lowered,
    )
    return _clock(_to_int(hour.group(1)), 0, _meridiem(lowered)) if hour else None


def parse_date(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a date ("12th of March", "the 6th", "next Tuesday", "today") as an ISO date."""
    lowered = text.lower()
    # Explicit dates win over relative ones: "Not today. Make it next Thursday."
    for finder in (_month_day, _day_of_month, _bare_ordinal, _weekday, _relative_day):
        found = finder(lowered, text)
        if found is not None:
            return found.isoformat()
    return None


def describe_date(iso: str) -> str:
    """Write a stored date as people say it: "today, March 1st", "next Tuesday, March 5th".

    Dates in the week after :data:`TODAY` also get their weekday with "next", and any other
    date reads "on Thursday, March 14th", so the text fits after "an appointment".
    """
    day = date.fromisoformat(iso)
    calendar = f"{MONTHS[day.month - 1].title()} {_ordinal(day.day)}"
    weekday = WEEKDAYS[day.weekday()].title()
    offset = (day - TODAY).days
    if offset == 0:
        return f"today, {calendar}"
    if offset == 1:
        return f"tomorrow, {calendar}"
    if offset == 2:
        return f"the day after tomorrow, {weekday} {calendar}"
    if 3 <= offset <= 9:
        return f"next {weekday}, {calendar}"
    return f"on {weekday}, {calendar}"


def short_date(iso: str) -> str:
    """Write a stored date without its weekday: "March 5th"."""
    day = date.fromisoformat(iso)
    return f"{MONTHS[day.month - 1].title()} {_ordinal(day.day)}"


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
    """Find a number of people, seats or tickets ("for two people", "a table for 3", "just me")."""
    lowered = text.lower()
    if re.search(r"\b(just|only) (me|myself|for (one|1))\b|\bby myself\b|\bfor one please\b", lowered):
        return "1"
    # "a table for 6:30 pm" and "book for 5 in the evening" give a time, not a party.
    match = re.search(
        rf"\b({_NUMBER}) (people|persons?|guests?|adults?|of us|tickets?|seats?|diners)\b|"
        rf"\b(table|party|group|reservation|booking|seating|book) (?:is )?(?:only )?(for|of) ({_NUMBER})\b"
        r"(?!\s*(?::|am\b|pm\b|a\.m|p\.m|o'clock|in the|tonight|today|tomorrow))",
        lowered,
    )
    if not match:
        return None
    return str(_to_int(match.group(1) or match.group(5)))


def parse_city(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a city of the service area, by name or nickname ("SFO", "Philly").

    A city outside the list counts after words that name a place ("a restaurant in Point Reyes
    Station"), or as the whole reply to a question about the city.
    """
    lowered = f" {text.lower()} "
    for alias, city in CITY_ALIASES.items():
        if re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", lowered):
            return city
    for city in CITIES:
        if re.search(rf"(?<!\w){re.escape(city.lower())}(?!\w)", lowered):
            return city

    place_words = r"restaurants?|diner|somewhere|search|look|looking|located|it'?s|it is|area|city is"
    place = rf"(?i:\b(?:{place_words}) in) ({_CAPITALIZED})"
    found = re.search(place, text)
    if found and not _is_calendar_word(found.group(1)):
        return found.group(1)
    # A bare name answers the city question only when it came first: after "Which restaurant? In
    # which city?", "Zuni Cafe" names the restaurant.
    bare = re.fullmatch(rf"\W*(?:(?i:in) )?({_CAPITALIZED})\W*", text)
    asked_first = next(iter(asked), None) == "city"
    return bare.group(1) if bare and asked_first and bare.group(1) not in _NOT_NAMES else None


def parse_account(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the user's own account: "from my savings", "use my checking", "any account"."""
    lowered = text.lower()
    source = re.search(
        r"\b(from|out of|use|using|with|go with|select|take it from) (my |the )?(\w+ )?(checking|savings)\b", lowered
    )
    if source:
        return source.group(4)

    mine = re.search(r"\bmy (checking|savings)\b", lowered)
    if mine and not re.search(r"\b(to|into) my (checking|savings)\b", lowered):
        return mine.group(1)
    if re.search(r"\bany (of my )?accounts?\b|\beither (one|account)\b|\b(does ?n'?t|does not) matter\b", lowered):
        return "checking"

    named = set(re.findall(r"\b(checking|savings)\b", lowered))
    if len(named) == 1 and not parse_recipient_account(text):
        return named.pop()
    return None


def parse_recipient_account(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the recipient's account type: "to Maria's savings", "the checking account of Amir"."""
    lowered = text.lower()
    match = re.search(r"\b(\w+'s|their|her|his|to|into|to a|to the) (checking|savings)\b", lowered)
    if match:
        return match.group(2)
    owned = re.search(r"\b(checking|savings) account of\b", lowered)
    return owned.group(1) if owned else None


def parse_recipient(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the person money goes to: "to Li", "Abhinav's checking account", "Sanuj needs it"."""
    relation = r"(?:(?i:my )(?i:friend|pal|buddy|brother|sister|mom|dad|wife|husband|son|daughter|colleague),? )?"
    title = r"(?:(?:Mr|Ms|Mrs)\.? )?"
    patterns = (
        rf"\b(?i:to|for) {relation}{title}([A-Z][a-z]+)\b",
        r"\b([A-Z][a-z]+)'s (?:checking|savings|account)",
        r"\baccount of ([A-Z][a-z]+)\b",
        rf"\b(?i:friend|pal|need|want|give|pay|send|transfer(?: it)?),? {title}([A-Z][a-z]+)\b",
        r"\b([A-Z][a-z]+) needs\b",
    )
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            if _is_recipient_name(match.group(1)):
                return match.group(1)

    # "transfer it 2 xiaoxue": text-message spelling, where the name is in lower case too.
    texted = re.search(r"\b2 ([a-z]{3,})\b", text)
    if texted and _is_recipient_name(texted.group(1).title()):
        return texted.group(1).title()
    bare = re.fullmatch(r"\W*([A-Z][a-z]+)\W*", text)
    return bare.group(1) if bare and "recipient" in asked and _is_recipient_name(bare.group(1)) else None


def parse_provider(text: str, asked: Collection[str] = ()) -> str | None:
    """Find the doctor, dentist or salon: "Dr. Amy Teng", "with Jonathan S. Berek, MD"."""
    text = _space_sentences(text)
    triggers = r"with|see|visit|at|in|to|be|called|named|try|book|prefer|consult|proceed with"
    general = (rf"\b(Dr\.? {_NAME})", rf"(?i:\b(?:{triggers}),?\s+)(?:the\s+)?((?!Dr\b){_NAME})")
    # After "the dentist," a place name is the provider's name ("the dentist, Palo Alto").
    kind = r"(?:dentist|doctor|stylist|salon|barber|clinic)(?:'s)?(?: name)?"
    named = (
        rf"(?i:\b{kind}(?: is| should be| will be)?(?: actually| called| named)?,?\s+)(?:the\s+)?({_NAME})",
        rf"(?i:\bname is (?:actually )?)(?:the )?({_NAME})",
    )
    for candidate in _name_candidates(text, general):
        if not (_is_calendar_word(candidate) or parse_city(candidate) == candidate):
            return candidate
    for candidate in _name_candidates(text, named):
        if not _is_calendar_word(candidate):
            return candidate

    return _bare_name(text, _NAME) if "provider" in asked else None


def parse_restaurant(text: str, asked: Collection[str] = ()) -> str | None:
    """Find a restaurant name: "at Tandoori Mahal", "Dynasty restaurant", "called Aq"."""
    text = _space_sentences(text)
    name = rf"(?:\d+(?:st|nd|rd|th) )?{_NAME_WORD}(?:,? (?:{_NAME_WORD}|&|\d+\b(?!\s*(?::|am\b|pm\b))))*"
    patterns = (
        rf"(?i:\b(?:restaurant|diner|place)(?: name)?(?: is|,) (?:called )?(?:the )?)({name})",
        rf"(?i:\b(?:at|in|to|called|named|try|try out|craving|make it|prefer|the restaurant)\s+)(?:the\s+)?({name})",
        rf"\b({name}) (?i:restaurant|is the restaurant|is very good|sounds good)",
    )
    for candidate in _name_candidates(text, patterns):
        is_cuisine = " " not in candidate and parse_cuisine(candidate) is not None
        if not (parse_city(candidate) or _is_calendar_word(candidate) or is_cuisine):
            return candidate

    return _bare_name(text, name) if "restaurant" in asked else None


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
    """Return the kind of provider the user names ("dentist", "salon"), "doctor" when none."""
    lowered = text.lower()
    kinds = (
        ("dentist", r"dentist\w*|dental|teeth|tooth"),
        ("salon", r"salons?|stylist|hair\w*|barber\w*|wig"),
        ("therapist", r"therapist|counsell?or"),
    )
    for kind, pattern in kinds:
        if re.search(rf"\b({pattern})\b", lowered):
            return kind
    return "doctor"


_NAME_WORD = r"[A-Z][\w'\u2019.|&-]*"
_NAME = rf"{_NAME_WORD}(?:,? (?:{_NAME_WORD}|&|-|MD|DDS|DO))*"
"""A name of capitalised words ("Jonathan S. Berek, MD"). :func:`_trim_name` cuts it at a
sentence end."""
_CAPITALIZED = r"[A-Z][a-z]+(?: [A-Z][a-z]+)*"


def _bare_name(text: str, name: str) -> str | None:
    """Read a reply that is only a name ("Yes, the State Bird in SFO") as the name asked for."""
    lead = r"(?i:(?:yes|yeah|ok|okay|sure|try|it'?s|it is)\W+)*(?:the )?"
    place = r"(?: (?i:in) [A-Z][\w. ]*)?"
    bare = re.fullmatch(rf"\W*{lead}({name}){place}\W*", text)
    if bare is None:
        return None
    candidate = _trim_name(bare.group(1))
    return None if candidate in _NOT_NAMES or _is_calendar_word(candidate) else candidate


def _name_candidates(text: str, patterns: tuple[str, ...]) -> list[str]:
    candidates = []
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            candidate = _trim_name(match.group(1))
            if candidate and candidate not in _NOT_NAMES:
                candidates.append(candidate)
    return candidates


def _trim_name(name: str) -> str:
    """Cut a name at a full stop that ends a sentence ("Dr. Wendy Landreville. See if ...")."""
    kept: list[str] = []
    for word in name.split(" "):
        kept.append(word)
        is_initial = re.fullmatch(r"[A-Z]\.", word) is not None
        if word.endswith(".") and not is_initial and word not in _ABBREVIATIONS:
            break
    while len(kept) > 1 and kept[-1].rstrip(".,") in _NOT_NAMES:
        kept.pop()
    return " ".join(kept).rstrip(".,")


def _space_sentences(text: str) -> str:
    # "No.The salon name is Oz A Salon Inc.I would like" has no space after its full stops.
    return re.sub(r"(\w{2,})\.([A-Z])", r"\1. \2", text.replace("\u2019", "'"))


def _is_recipient_name(word: str) -> bool:
    return word not in _NOT_RECIPIENTS and not _is_calendar_word(word)


def _relative_day(lowered: str, text: str) -> date | None:
    if re.search(r"\bday after tomorrow\b", lowered):
        return TODAY + timedelta(days=2)
    relative = re.search(r"\b(today|tonight|this (morning|afternoon|evening)|tomorrow|tmrw?|tomorow)\b", lowered)
    if relative is None:
        return None
    return TODAY if relative.group(1) in ("today", "tonight") or relative.group(2) else TODAY + timedelta(days=1)


def _month_day(lowered: str, text: str) -> date | None:
    found = re.search(rf"\b({'|'.join(MONTHS)}) (\d{{1,2}})(st|nd|rd|th)?\b", lowered)
    return _calendar_day(MONTHS.index(found.group(1)) + 1, int(found.group(2))) if found else None


def _day_of_month(lowered: str, text: str) -> date | None:
    # "2nd March" and "2 of March" are dates, but "at 5 may be late" is not.
    found = re.search(rf"\b(\d{{1,2}})(?:(?:st|nd|rd|th)(?: of)?| of) ({'|'.join(MONTHS)}|this month)\b", lowered)
    if found is None:
        return None
    month = TODAY.month if found.group(2) == "this month" else MONTHS.index(found.group(2)) + 1
    return _calendar_day(month, int(found.group(1)))


def _bare_ordinal(lowered: str, text: str) -> date | None:
    # "the 6th" is a date of this month, but "the 3rd Cousin" is a restaurant's name.
    for found in re.finditer(r"\b(\d{1,2})(st|nd|rd|th)\b(?!:)", text):
        following = text[found.end() :].lstrip()
        if not following[:1].isupper() or _is_calendar_word(following):
            return _calendar_day(TODAY.month, int(found.group(1)))
    return None


def _weekday(lowered: str, text: str) -> date | None:
    found = re.search(rf"\b(next |this |coming )?({'|'.join(WEEKDAYS)})( next week| this week)?\b", lowered)
    if found is None:
        return None
    target = WEEKDAYS.index(found.group(2))
    if "next" in (found.group(1) or "") + (found.group(3) or ""):
        next_monday = TODAY + timedelta(days=7 - TODAY.weekday())
        return next_monday + timedelta(days=target)
    ahead = (target - TODAY.weekday()) % 7
    if ahead == 0 and not found.group(1) and not found.group(3):
        ahead = 7
    return TODAY + timedelta(days=ahead)


def _calendar_day(month: int, day: int) -> date | None:
    try:
        return date(TODAY.year, month, day)
    except ValueError:
        return None


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
    first = text.split()[0].lower().rstrip(".,") if text.split() else ""
    return first in MONTHS or first in WEEKDAYS or first in ("today", "tomorrow", "next", "this", "tonight")


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
