"""Redaction of personal data in imported messages, with typed placeholders.

:class:`Redactor` finds emails, phone numbers, card numbers (Luhn-checked), IBANs (checked with
ISO 13616 mod 97), street addresses, @handles, and URLs that carry personal tokens or lead to a
personal site. It also finds participant names and names introduced by a cue ("my name is ...",
"thanks, ...", "Robert here"), in any script. Each match is replaced with a placeholder such as
``<EMAIL_1>``. Invisible characters such as zero-width spaces are ignored while matching.

One redactor serves one conversation. The same value gets the same placeholder in every message
of that conversation, and names it learned from a cue are redacted in the messages that follow.

The detectors are patterns, not a trained model, so they miss some personal data: a name
without a cue, a lowercase name after "I'm" that is not in :data:`FIRST_NAMES`, an address
without a street number. ``bench/redaction_quality.py`` measures precision and recall on
labelled sets of messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote, urlsplit

from harness.importers._first_names import FIRST_NAMES

__all__ = ["PII_TYPES", "Redactor", "Span", "iban_valid", "luhn_valid", "redacted_preview"]

PII_TYPES: tuple[str, ...] = ("URL", "EMAIL", "IBAN", "CARD", "PHONE", "ADDRESS", "HANDLE", "NAME")
"""Placeholder types, in the order their detectors claim text."""


@dataclass(frozen=True)
class Span:
    """A piece of personal data found in a text: ``text[start:end]`` is of type ``type``."""

    start: int
    end: int
    type: str
    key: str
    """Normalized value, so that two spellings of one value share a placeholder."""


def luhn_valid(digits: str) -> bool:
    """Return whether a string of digits passes the Luhn checksum of payment card numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """Return whether ``iban`` (letters and digits, no spaces) passes the ISO 13616 check."""
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged.upper())
    return int(number) % 97 == 1


# --- patterns -----------------------------------------------------------------------------

_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_URL_TRAILING = ".,!?;:"

# ``\w`` matches letters of every script, so internationalized addresses (дмитрий@пример.рф)
# match too. A top-level domain is letters, or punycode such as ``xn--p1ai``.
_EMAIL = re.compile(
    r"\b[\w.%+-]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]{2,})(?![\w-])",
    re.IGNORECASE,
)
_SPELLED_EMAIL = re.compile(
    r"\b[A-Za-z0-9._%+-]+(?:\s(?:dot|\.)\s[A-Za-z0-9_%+-]+)*\s*(?:\(at\)|\[at\]|\sat\s)\s*[A-Za-z0-9-]+"
    r"\s*(?:\(dot\)|\[dot\]|\sdot\s|\.)\s*(?:com|net|org|co\.uk|co|de|fr|es|it|nl|io|uk)\b",
    re.IGNORECASE,
)

_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")

# After an international prefix the first group may be one digit, as in French mobile numbers
# (+33 6 12 34 56 78). Without a prefix every group needs two digits or more.
_PHONE = re.compile(
    r"(?<![\w+#/])"
    r"(?:(?:\+|00)\d{1,3}[\s.-]?(?:\(\d{1,5}\)[\s.-]?)?\d{1,5}|(?:\(\d{1,5}\)[\s.-]?)?\d{2,5})"
    r"(?:[\s.-]?\d{2,5}){0,5}(?![\w/])"
)
_PHONE_CUE = re.compile(
    r"(?:call|text|phone|number|no\.|mobile|cell|whats\s?app|tel|reach me|ring|contact)\b[^.\n]{0,25}$",
    re.IGNORECASE,
)
_NOT_PHONE_CUE = re.compile(
    r"(?:\b(?:order|ref|reference|invoice|tracking|booking|confirmation|receipt|code|id|account|acct)"
    r"|[#€$£])(?:\s*(?:no\.?|number|num|nr|is|was|:))*\s*$",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"^(?:\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{2,4})$")

_STREET_SUFFIX = (
    r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace"
    r"|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Gardens|Grove|Row|Mews|Hill|Walk"
)
_ADDRESS_TAIL = (
    r"(?:,?\s*(?:Apt|Apartment|Unit|Suite|Flat|Fl)\.?\s*#?\w{1,5})?"
    r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?"
    r"(?:,?\s*(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|[A-Z]{2}\s+\d{5}(?:-\d{4})?|\d{5}))?"
)
_ADDRESSES = (
    re.compile(
        r"\b(?:(?:Flat|Apt|Apartment|Unit)\s*\w{1,4},?\s+)?\d{1,5}[A-Za-z]?,?\s+"
        r"(?:[A-Z][A-Za-z'’.-]*\s+){1,4}(?:" + _STREET_SUFFIX + r")\b\.?(?:\s(?:N|S|E|W|NE|NW|SE|SW)\b)?"
        + _ADDRESS_TAIL
    ),
    re.compile(
        r"\b\d{1,5}[a-z]?\s+(?:[a-z][a-z'’-]*\s+){1,3}(?:street|avenue|road|lane|boulevard)\b"
        + _ADDRESS_TAIL
    ),
    re.compile(
        r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm)\s+\d{1,4}[a-z]?\b"
        r"(?:,?\s*\d{5}\s+[A-ZÄÖÜ][\wäöüß-]+)?"
    ),
    re.compile(
        r"\b\d{1,4},?\s+(?:rue|avenue|boulevard|bd|place|allée|chemin|impasse|quai)\s+"
        r"(?:(?:de|du|des|la|le|l['’]|d['’])\s*)*[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}"
    ),
    re.compile(
        r"\b(?:Calle|Avenida|Av\.|Paseo|Plaza|Via|Viale|Corso|Piazza|Rua|Carrer)\s+"
        r"(?:(?:de|del|la|los|las|da|do|di)\s+)*[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3},?\s+\d{1,4}\b"
    ),
    re.compile(r"\bP\.?\s?O\.?\s?Box\s+\d{1,6}\b", re.IGNORECASE),
)
_NOT_STREET_WORDS = frozenset(
    "the a an on in at to for of my your our and or but with from people tickets minutes "
    "hours days weeks mins pm am".split()
)

# Instagram handles use letters, digits, "." and "_". Payment apps such as Venmo also allow "-".
_HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,28}[A-Za-z0-9_])?")
_TIME_HANDLE = re.compile(r"^@\d{1,2}(?::\d{2})?(?:am|pm)?$", re.IGNORECASE)

NameCase = Literal["capitalized", "weak", "any"]
"""The kind of words that a cue accepts as a name.

``capitalized``: only capitalized words. ``weak``: also a lowercase given name from
:data:`FIRST_NAMES` and the word after it ("I'm john smith"). ``any``: also lowercase words that
are not everyday words ("my name is john smith")."""


@dataclass(frozen=True)
class _Cue:
    """A phrase that introduces a name: the name starts where ``pattern`` ends."""

    pattern: re.Pattern[str]
    case: NameCase
    max_words: int = 2


# A name word is letters of any script, with inner hyphens and apostrophes (Mary-Jane,
# O'Connor, Zoë, Ångström). Whether it is capitalized is checked in code, because Python's
# ``re`` has no class for upper-case letters of every script.
_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_NAME_GAP = re.compile(r"[^\S\n]+")
_NAME_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"
_HONORIFIC = re.compile(r"(?:dr|mr|mrs|ms|mx|miss|prof)\b\.?[^\S\n]+", re.IGNORECASE)

_CUES = (
    _Cue(
        re.compile(
            r"\b(?:(?:my\s+)?name(?:\s+is|'s|’s)|under\s+the\s+name(?:\s+of)?)\s+|\b(?:full\s+)?name\s*:\s*",
            re.IGNORECASE,
        ),
        "any",
    ),
    _Cue(re.compile(r"\b(?:i'm|i’m|im|i\s+am|this\s+is)\s+", re.IGNORECASE), "weak"),
    _Cue(
        re.compile(
            r"\b(?:call\s+me|ask\s+for|speak\s+(?:to|with)|talk\s+to|spoke\s+(?:to|with)|talked\s+to|"
            r"booked\s+under|it's|it’s|its|contact)(?:\s*:\s*|\s+)|\b(?:dr|mr|mrs|ms|mx|miss|prof)\b\.?\s+",
            re.IGNORECASE,
        ),
        "capitalized",
    ),
    _Cue(
        re.compile(
            r"\bmy\s+(?:daughter|son|husband|wife|partner|friend|mum|mom|dad|sister|brother|"
            r"boyfriend|girlfriend|colleague|boss|fiancée?|kid)\s*,?\s+",
            re.IGNORECASE,
        ),
        "capitalized",
        max_words=1,
    ),
    _Cue(
        re.compile(r"^\s*(?:hi|hey|hello|hiya|dear|morning|good morning|good afternoon)\s+", re.IGNORECASE),
        "capitalized",
        max_words=1,
    ),
)
_SIGN_OFFS = (
    re.compile(
        r"(?i:\b(?:thanks|thank you|thx|cheers|regards|best|many thanks|kind regards|love|ta)"
        r"[,!.]?\s*[-–—]?\s*)"
        rf"({_NAME_WORD}(?:\s+{_NAME_WORD})?)\s*[.!]*\s*(?:x+)?\s*$"
    ),
    re.compile(rf"(?:^|\s)[-–—~]\s?({_NAME_WORD})\s*(?:x+)?\s*$"),
    # "Robert here", "Hi, Robert here!", "Robert here from ...". The word after "here" must end
    # the clause, so "Parking here is awful" and "Anyone here?" are not introductions.
    re.compile(
        rf"(?:^\s*|[.!,;:]\s*|(?i:\b(?:hi|hey|hello|hiya)[,!]?\s+))({_NAME_WORD}(?:\s+{_NAME_WORD})?)"
        r"\s+(?i:here)(?=\s*(?:[,.!;:–—-]|$)|\s+(?i:from|and|with|again)\b)"
    ),
)
_NOT_NAMES = frozenset(
    """
    a i interested looking not just so very here sorry good fine free available coming going happy
    glad back new sure ok okay still also really trying wondering asking writing messaging reaching
    confused hoping after interest wanting keen ready done home out on in at the this that it is
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight
    january february march april may june july august september october november december
    hi hello hey thanks thank great perfect amazing awesome yes no please team everyone all you
    instagram facebook whatsapp google gmail outlook hotmail yahoo i'm i’m i've i'd i'll it's that's
    dr mr mrs ms mx miss prof us me him her them anyone someone somebody nobody everybody
    support customer service sales admin staff reception manager
    """.split()
)
_EVERYDAY_WORDS = frozenset(
    """
    an and or but if of to for from with about as by into than then there their they we he she
    my your our his its what which who whom when where why how here there now again already
    also too only even still just yet soon later asap btw lol pls plz thx ok okay sorry
    want wanted need needed would could should can will may might must shall did does do
    was were been be being am are has have had get got make made take took see seen
    wrong right correct incorrect missing spelled spelt different same written listed attached
    on in at under over below above up down off out away via per like
    not no yes yeah yep nope sure maybe actually literally honestly basically
    """.split()
)
"""Lowercase words that end a name after a cue ("my name is john and ..." gives "john")."""

_COMMON_WORD_NAMES = frozenset(
    "may will rose grace faith hope joy june april summer dawn bill mark pat sue ray rich penny "
    "amber ruby jade ivy iris lily daisy hazel sky".split()
)

# Invisible characters that can sit inside a value without changing how it reads: zero-width
# spaces and joiners, the soft hyphen, bidirectional marks, the word joiner and the byte order
# mark. The detectors see the text without them.
_INVISIBLE = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

_PERSONAL_QUERY_KEYS = frozenset(
    "token access_token auth key api_key apikey sig signature session sid email e mail phone tel "
    "name fname lname first_name last_name user uid userid user_id username customer customer_id "
    "code otp reset invite password pw login oh _nc_ohc".split()
)
_TOKEN_LIKE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z0-9]{12})[A-Za-z0-9_-]{16,}$")
"""A URL value that looks generated (a session id, a signature, a UUID), not a readable slug."""
_PROFILE_HOSTS = (
    "instagram.com", "facebook.com", "fb.com", "m.me", "wa.me", "t.me", "tiktok.com",
    "twitter.com", "x.com", "linkedin.com", "calendly.com", "paypal.me", "venmo.com", "cash.app",
    "linktr.ee",
)
_PUBLIC_PROFILE_PATHS = frozenset("p reel reels explore tv tags directory legal help".split())


# --- the redactor -------------------------------------------------------------------------


class Redactor:
    """Replace personal data with placeholders that stay consistent within one conversation.

    Args:
        names: Names and handles of the user side; each is redacted as a whole and by its parts
            (first name, last name), in any letter case.
        whole_names: Names redacted only as a whole, such as the business account's name, whose
            parts are often everyday words ("Glow Studio").
    """

    def __init__(self, names: Iterable[str] = (), whole_names: Iterable[str] = ()) -> None:
        self._names: list[str] = [name for name in names if name and name.strip()]
        self._whole_names: list[str] = [name for name in whole_names if name and name.strip()]
        self._learned: list[str] = []
        self._placeholders: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}

    def find(self, text: str) -> list[Span]:
        """Return the personal data in ``text``, as non-overlapping spans in text order.

        Names introduced by a cue are remembered and found in later texts too. Invisible
        characters (zero-width spaces, soft hyphens) are ignored while matching, so
        ``j\u200bohn@example.com`` is one email. Span positions are indexes into ``text``, so a
        span includes the invisible characters inside it.
        """
        visible, origins = _without_invisible(text)
        self._learn_names(visible)
        chosen: list[Span] = []
        kept_urls: list[tuple[int, int]] = []
        for span in self._candidates(visible, kept_urls):
            if not _overlaps(span, chosen) and not _inside(span, kept_urls):
                chosen.append(span)
        spans = sorted(chosen, key=lambda span: span.start)
        if origins is None:
            return spans
        return [Span(origins[span.start], origins[span.end - 1] + 1, span.type, span.key) for span in spans]

    def redact(self, text: str) -> str:
        """Return ``text`` with every span that :meth:`find` returns replaced by its placeholder."""
        if not text:
            return text
        pieces: list[str] = []
        position = 0
        for span in self.find(text):
            pieces.append(text[position : span.start])
            pieces.append(self.placeholder(span.type, span.key))
            position = span.end
        pieces.append(text[position:])
        return "".join(pieces)

    def redact_url(self, url: str) -> str:
        """Redact a value that is a URL or a file path as a whole (an attachment's ``url``)."""
        visible = _INVISIBLE.sub("", url)
        if _URL.fullmatch(visible.strip()) and self._personal_url(visible):
            return self.placeholder("URL", visible)
        return self.redact(url)

    def placeholder(self, kind: str, key: str) -> str:
        """Return the placeholder of one value, numbering new values of each type from 1."""
        slot = (kind, key)
        if slot not in self._placeholders:
            self._counters[kind] = self._counters.get(kind, 0) + 1
            self._placeholders[slot] = f"<{kind}_{self._counters[kind]}>"
        return self._placeholders[slot]

    # --- detection steps ---

    def _candidates(self, text: str, kept_urls: list[tuple[int, int]]) -> Iterable[Span]:
        yield from self._urls(text, kept_urls)
        yield from _emails(text)
        yield from _ibans(text)
        yield from _cards(text)
        yield from _phones(text)
        yield from _addresses(text)
        yield from _handles(text)
        yield from self._name_spans(text)

    def _urls(self, text: str, kept_urls: list[tuple[int, int]]) -> Iterable[Span]:
        for match in _URL.finditer(text):
            url = match.group().rstrip(_URL_TRAILING)
            end = match.start() + len(url)
            if self._personal_url(url):
                yield Span(match.start(), end, "URL", url)
            else:
                kept_urls.append((match.start(), end))

    def _personal_url(self, url: str) -> bool:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        decoded = unquote(url)
        if _EMAIL.search(decoded) or self._mentions_name(decoded):
            return True
        host = parts.hostname or ""
        if _is_profile(host, parts.path) or _is_personal_site(host) or self._host_mentions_name(host):
            return True
        pairs = [item.partition("=") for item in f"{parts.query}&{parts.fragment}".split("&") if item]
        if any(key.lower() in _PERSONAL_QUERY_KEYS for key, _, _ in pairs):
            return True
        values = [value for _, _, value in pairs] + parts.path.split("/")
        return any(_TOKEN_LIKE.match(value) or _many_digits(value) for value in values)

    def _mentions_name(self, text: str) -> bool:
        words = set(re.split(r"[\W_]+", text.casefold()))
        return any(part in words for part in self._name_parts())

    def _host_mentions_name(self, host: str) -> bool:
        # A personal site often joins first and last name into one label (mariagarcia.com),
        # so a name part of four letters or more counts anywhere inside a label.
        labels = host.casefold().removeprefix("www.").split(".")[:-1]
        parts = [part for part in self._name_parts() if len(part) >= 4 and part.isalpha()]
        return any(part in label for label in labels for part in parts)

    def _name_parts(self) -> set[str]:
        parts = {name.casefold() for name in self._whole_names}
        for name in [*self._names, *self._learned]:
            parts.update(part for part in _split_name(name) if len(part) > 2)
        return parts

    def _learn_names(self, text: str) -> None:
        for name in _cued_names(text):
            if name and name.casefold() not in {known.casefold() for known in self._learned}:
                self._learned.append(name)

    def _name_spans(self, text: str) -> Iterable[Span]:
        spans: list[Span] = []
        for index, name in enumerate(self._names):
            for match in _name_pattern(name).finditer(text):
                spans.append(Span(match.start(), match.end(), "NAME", f"participant:{index}"))
        for index, name in enumerate(self._whole_names):
            for match in _name_pattern(name, by_parts=False).finditer(text):
                spans.append(Span(match.start(), match.end(), "NAME", f"account:{index}"))
        for name in self._learned:
            key = self._key_of_learned(name)
            for match in _name_pattern(name).finditer(text):
                spans.append(Span(match.start(), match.end(), "NAME", key))
        # Longer spans go first, so "Aisha Rahman" wins over a name "Aisha" learned earlier
        # and no part of the longer name is left unredacted.
        return sorted(spans, key=lambda span: (span.start - span.end, span.start))

    def _key_of_learned(self, name: str) -> str:
        # "Jane" learned from "my name is Jane" shares the placeholder of participant "Jane Doe".
        for index, known in enumerate(self._names):
            if name.casefold() in _split_name(known) or name.casefold() == known.casefold():
                return f"participant:{index}"
        return f"learned:{name.casefold()}"


def redacted_preview(value: str, limit: int = 40) -> str:
    """Return ``value`` redacted, then cut to ``limit`` characters, for an error message.

    Error messages reach terminals and CI logs, so a value copied from a message is shown only
    in this form. Cutting after redacting means a cut never leaves part of an email behind.
    """
    text = Redactor().redact(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _overlaps(span: Span, chosen: list[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end for other in chosen)


def _inside(span: Span, ranges: list[tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in ranges)


def _emails(text: str) -> Iterable[Span]:
    for pattern in (_EMAIL, _SPELLED_EMAIL):
        for match in pattern.finditer(text):
            key = re.sub(r"\s+", "", match.group().casefold())
            yield Span(match.start(), match.end(), "EMAIL", key)


def _ibans(text: str) -> Iterable[Span]:
    for match in _IBAN.finditer(text):
        compact = match.group().replace(" ", "").upper()
        if iban_valid(compact):
            yield Span(match.start(), match.end(), "IBAN", compact)


def _cards(text: str) -> Iterable[Span]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if luhn_valid(digits):
            yield Span(match.start(), match.end(), "CARD", digits)


def _phones(text: str) -> Iterable[Span]:
    for match in _PHONE.finditer(text):
        value = match.group().strip()
        end = match.start() + len(value)
        if _is_phone(value, text[: match.start()]):
            yield Span(match.start(), end, "PHONE", _phone_key(value))


def _is_phone(value: str, before: str) -> bool:
    """Decide whether a run of digits is a phone number, from its shape and the words before it.

    Order numbers, prices and dates share the shape of phone numbers, so a number with no
    international prefix, trunk prefix or area code in brackets needs ten digits or a cue
    word such as "call" or "number" shortly before it.
    """
    digits = re.sub(r"\D", "", value)
    if not 7 <= len(digits) <= 15 or _DATE_LIKE.match(value):
        return False
    if _NOT_PHONE_CUE.search(before):
        return False
    if value.startswith(("+", "00")) and len(digits) >= 8:
        return True
    if value.startswith("(") or (value.startswith("0") and len(digits) >= 10):
        return True
    if len(digits) == 10 and re.fullmatch(r"\d{3}[\s.-]\d{3}[\s.-]\d{4}", value):
        return True
    return bool(_PHONE_CUE.search(before))


def _phone_key(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits[2:] if value.startswith("00") else digits


def _addresses(text: str) -> Iterable[Span]:
    for pattern in _ADDRESSES:
        for match in pattern.finditer(text):
            words = {word.casefold() for word in re.findall(r"\b[A-Za-z]+\b", match.group())}
            if words & _NOT_STREET_WORDS:
                continue
            key = re.sub(r"\W+", " ", match.group().casefold()).strip()
            yield Span(match.start(), match.end(), "ADDRESS", key)


def _handles(text: str) -> Iterable[Span]:
    for match in _HANDLE.finditer(text):
        value = match.group().rstrip(".")
        if _TIME_HANDLE.match(value) or value[1:].isdigit():
            continue
        yield Span(match.start(), match.start() + len(value), "HANDLE", value.casefold())


def _is_profile(host: str, path: str) -> bool:
    host = host.casefold().removeprefix("www.")
    if not any(host == known or host.endswith(f".{known}") for known in _PROFILE_HOSTS):
        return False
    first = path.strip("/").split("/")[0].casefold()
    return bool(first) and first not in _PUBLIC_PROFILE_PATHS


def _is_personal_site(host: str) -> bool:
    # .me and .name are sold for personal sites; paypal.me and similar are in _PROFILE_HOSTS.
    return host.casefold().rsplit(".", 1)[-1] in {"me", "name"}


def _many_digits(value: str) -> bool:
    # A path segment or value with 9+ digits is an account, phone or order id of a person.
    return sum(char.isdigit() for char in value) >= 9


def _without_invisible(text: str) -> tuple[str, list[int] | None]:
    """Remove invisible characters, returning the text and each kept character's index in ``text``.

    The index list is ``None`` when there was nothing to remove.
    """
    if not _INVISIBLE.search(text):
        return text, None
    origins = [index for index, char in enumerate(text) if not _INVISIBLE.match(char)]
    return "".join(text[index] for index in origins), origins


def _cued_names(text: str) -> Iterable[str]:
    for cue in _CUES:
        for match in cue.pattern.finditer(text):
            yield _read_name(text, match.end(), cue.case, cue.max_words)
    for pattern in _SIGN_OFFS:
        for match in pattern.finditer(text):
            # A sign-off is anchored on both sides, so every word in it must be part of the
            # name: "Thanks. That's all." is not signed "That's".
            words = match.group(1).split()
            name = _accept_name(words, "capitalized")
            if name == " ".join(words):
                yield name


def _read_name(text: str, start: int, case: NameCase, max_words: int) -> str:
    """Read up to ``max_words`` name words at ``start``, after an optional title ("Dr.")."""
    honorific = _HONORIFIC.match(text, start)
    position = honorific.end() if honorific else start
    words: list[str] = []
    while len(words) < max_words:
        token = _NAME_TOKEN.match(text, position)
        if token is None:
            break
        words.append(token.group())
        gap = _NAME_GAP.match(text, token.end())
        if gap is None:
            break
        position = gap.end()
    return _accept_name(words, case)


def _accept_name(words: list[str], case: NameCase) -> str:
    """Return the leading words that make a name under ``case``, or "" when the first does not."""
    if not words:
        return ""
    first = words[0]
    if _is_capitalized(first):
        return " ".join(_leading(words, _is_capitalized))
    if case == "any" or (case == "weak" and first.casefold() in FIRST_NAMES):
        return " ".join(_leading(words, _is_lowercase_name))
    return ""


def _leading(words: list[str], accept: Callable[[str], bool]) -> list[str]:
    name_words: list[str] = []
    for word in words:
        if not accept(word) or word.casefold() in _NOT_NAMES:
            break
        name_words.append(word)
    return name_words


def _is_capitalized(word: str) -> bool:
    # "OK" and "URGENT" are shouting, not names: a name has a lower-case letter after the first.
    return len(word) >= 2 and word[0].isupper() and any(char.islower() for char in word[1:])


def _is_lowercase_name(word: str) -> bool:
    folded = word.casefold()
    return len(word) >= 2 and word.islower() and folded not in _EVERYDAY_WORDS and not folded.endswith("ing")


def _split_name(name: str) -> list[str]:
    """Return the parts of a name: each word ("mary-jane") and each piece of it ("mary", "jane")."""
    folded = name.casefold().lstrip("@")
    words = [word for word in re.split(r"\s+", folded) if word]
    pieces = [part for part in re.split(r"[\s._-]+", folded) if part]
    return list(dict.fromkeys([*words, *pieces]))


@lru_cache(maxsize=4096)
def _name_pattern(name: str, by_parts: bool = True) -> re.Pattern[str]:
    """Compile a pattern for a name as a whole and, when ``by_parts``, for each of its parts.

    A part that is also a common word ("May", "Will") matches only when capitalized, and a
    part with digits (``92`` of ``jane.doe_92``) is not a name on its own.
    """
    whole = re.escape(name.strip().lstrip("@"))
    alternatives = [rf"@?{whole}"]
    parts = sorted(set(_split_name(name)), key=len, reverse=True) if by_parts else []
    for part in parts:
        if len(part) < 2 or any(char.isdigit() for char in part):
            continue
        if part in _COMMON_WORD_NAMES:
            alternatives.append(f"(?-i:{re.escape(part.capitalize())})")
        else:
            alternatives.append(re.escape(part))
    return re.compile(r"(?<![\w<])(?:" + "|".join(alternatives) + r")(?![\w>])", re.IGNORECASE)
