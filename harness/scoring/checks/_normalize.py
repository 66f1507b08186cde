"""Normalised tokens for matching facts and read-backs in a reply.

A bot and a human write the same detail in many ways: ``$1,200`` and ``1200``, ``3:30 pm`` and
``15:30``, ``March 10th`` and ``10 march``, ``two`` and ``2``. :func:`normalize` turns text into
tokens where these forms are equal, and :func:`find_phrase` looks for a phrase's tokens inside a
reply's tokens.

Token forms: words are lower case, without punctuation or a possessive ``'s``. Numbers are
plain decimals (``1200``, ``21432.7``). A date is ``date:MM-DD``. A time is ``time:HH:MM`` on
the 24-hour clock, or ``time?H:MM`` when the text gave no am/pm and the hour could be morning
or afternoon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["find_phrase", "normalize", "phrase_share", "same_token"]

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_TOKEN = re.compile(
    r"""
    (?P<iso>\d{4}-\d{2}-\d{2})
    | (?P<clock>\d{1,2}:\d{2}) \s* (?P<clock_half>[ap]\.?\s?m\b\.?)?
    | (?P<hour>\d{1,2}) \s* (?P<hour_half>[ap]\.?\s?m\b\.?)
    | (?P<number>\$?\d[\d,]*(?:\.\d+)?) (?:st|nd|rd|th)?\b
    | (?P<word>[^\W\d_]+(?:'[^\W\d_]+)*)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def normalize(text: str) -> list[str]:
    """Split ``text`` into normalised tokens (see the module docstring for their forms)."""
    text = text.replace("\u2019", "'")
    tokens = [_token(match) for match in _TOKEN.finditer(text)]
    tokens = [token for token in tokens if token]
    return _join_dates(_join_clock_words(tokens))


def same_token(left: str, right: str) -> bool:
    """True when two normalised tokens name the same thing.

    A time without am/pm (``time?3:30``) equals the same time in the morning or afternoon,
    and a bare hour (``9``) equals that hour on the clock (``time:09:00``, ``time:21:00``).
    """
    if left == right:
        return True
    if _is_hour(left) or _is_hour(right):
        left, right = (_as_time(left), _as_time(right))
    if _is_time(left) and _is_time(right):
        return _clock_candidates(left) & _clock_candidates(right) != set()
    return False


def _as_time(token: str) -> str:
    return f"time?{int(token)}:00" if _is_hour(token) else token


def _is_time(token: str) -> bool:
    return token.startswith(("time:", "time?"))


def find_phrase(phrase: Sequence[str], tokens: Sequence[str]) -> bool:
    """True when the tokens of ``phrase`` occur contiguously in ``tokens``."""
    if not phrase:
        return False
    width = len(phrase)
    for start in range(len(tokens) - width + 1):
        if all(same_token(phrase[i], tokens[start + i]) for i in range(width)):
            return True
    return False


def phrase_share(phrase: Sequence[str], tokens: Sequence[str]) -> float:
    """Share of the distinct tokens of ``phrase`` that occur anywhere in ``tokens``."""
    wanted = list(dict.fromkeys(phrase))
    if not wanted:
        return 0.0
    found = sum(1 for token in wanted if any(same_token(token, other) for other in tokens))
    return found / len(wanted)


def _token(match: re.Match[str]) -> str:
    if match["iso"]:
        _, month, day = match["iso"].split("-")
        return f"date:{int(month):02d}-{int(day):02d}"
    if match["clock"]:
        hour, minute = (int(part) for part in match["clock"].split(":"))
        return _time(hour, minute, match["clock_half"])
    if match["hour"]:
        return _time(int(match["hour"]), 0, match["hour_half"])
    if match["number"]:
        return _number(match["number"])
    return _word(match["word"].lower())


def _time(hour: int, minute: int, half: str | None) -> str:
    if half:
        pm = half.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
        return f"time:{hour:02d}:{minute:02d}"
    if hour == 0 or hour > 12:
        return f"time:{hour:02d}:{minute:02d}"
    return f"time?{hour}:{minute:02d}"


def _number(text: str) -> str:
    text = text.lstrip("$")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    text = text.rstrip(",")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("0") or "0"


def _word(word: str) -> str:
    # "Amir's account" reads back the name "Amir".
    word = word.removesuffix("'s").replace("'", "")
    if word in NUMBER_WORDS:
        return str(NUMBER_WORDS[word])
    if word == "noon":
        return "time:12:00"
    if word == "midnight":
        return "time:00:00"
    return word


def _join_clock_words(tokens: list[str]) -> list[str]:
    """Read ``4 oclock``, ``at 4`` and ``around 4`` as times of unknown half of the day."""
    joined: list[str] = []
    for token in tokens:
        if token == "oclock" and joined and _is_hour(joined[-1]):
            joined[-1] = f"time?{int(joined[-1])}:00"
            continue
        if _is_hour(token) and joined and joined[-1] in ("at", "around"):
            token = f"time?{int(token)}:00"
        joined.append(token)
    return joined


def _is_hour(token: str) -> bool:
    return token.isdecimal() and 0 < int(token) <= 12


def _join_dates(tokens: list[str]) -> list[str]:
    """Merge ``march 10``, ``10 march`` and ``10 of march`` into one ``date:03-10`` token."""
    merged: list[str] = []
    index = 0
    while index < len(tokens):
        date, width = _date_at(tokens, index)
        merged.append(date or tokens[index])
        index += width
    return merged


def _date_at(tokens: list[str], index: int) -> tuple[str | None, int]:
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if token in MONTHS and _is_day(following):
        return _date(MONTHS[token], following), 2
    if _is_day(token) and following in MONTHS:
        return _date(MONTHS[following], token), 2
    after_of = tokens[index + 2] if index + 2 < len(tokens) else ""
    if _is_day(token) and following == "of" and after_of in MONTHS:
        return _date(MONTHS[after_of], token), 3
    return None, 1


def _is_day(token: str) -> bool:
    return token.isdecimal() and 1 <= int(token) <= 31


def _date(month: int, day: str) -> str:
    return f"date:{month:02d}-{int(day):02d}"


def _clock_candidates(token: str) -> set[str]:
    clock = token[5:]
    if token.startswith("time:"):
        return {clock}
    hour, minute = clock.split(":")
    morning = int(hour) % 12
    return {f"{morning:02d}:{minute}", f"{morning + 12:02d}:{minute}"}
