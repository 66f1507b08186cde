"""Light English heuristics shared by the checks: sentences, questions, requests, syllables.

These are deliberately simple rules with no model or dictionary, so scoring stays fast and
deterministic. They are tuned on short task-oriented DM replies in English.
"""

from __future__ import annotations

import re

__all__ = [
    "content_words",
    "count_syllables",
    "is_closing",
    "is_question",
    "is_request",
    "questions",
    "sentences",
    "words",
]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\d+(?:[.,:]\d+)*")

_QUESTION_OPENERS = frozenset(
    "what which when where who whom whose how why do does did are is was were would could can "
    "will shall should may any anything".split()
)
"""First words that make a sentence a question even without a question mark ("What time is
the reservation for.")."""

_INTERJECTIONS = frozenset("ok okay sure great alright yes yeah so and also now then well right perfect".split())
_PREPOSITIONS = frozenset("to in at on for from with by of about".split())

_REQUEST = re.compile(
    r"\b(please (tell|let|give|share|send|provide|confirm|choose|pick|select|reply|enter|specify)"
    r"|let me know(?! if you (need|have|want) any)|tell me|i need to know|i'll need|i will need|can you (give|tell|share|send)"
    r"|could you (give|tell|share|send)|reply with|send (me|us)|share (your|the)"
    r"|choose (one|from|a|an|your)|pick (one|a|an|your)|select (one|a|an|your)"
    r"|(did ?n[o']t|could ?n[o']t|did not|could not) (catch|get|understand|hear)"
    r"|i (still )?need (the|your|to know))\b",
    re.IGNORECASE,
)
"""Phrases that request information without a question mark ("Please tell me the date", "I
didn't catch the date")."""

_CLOSING = re.compile(
    r"\b(thanks?|thank you|thx|bye|goodbye|cheers|appreciate"
    r"|that'?s (all|it|alright|everything|enough)|(that|this)(\s(is|was|will|would)|'?ll) (be (all|it)|do)"
    r"|that (is|was) (all|everything)|nothing (else|more)|no,? (thanks?|thank you)|nope"
    r"|i'?m (good|all set|done|fine)|all set|(do ?n[o']t|do not) need anything"
    r"|not (right )?now|not at (this|the moment)|i guess not|i don'?t think so|(it'?s|its) alright"
    r"|(been|be) (a |very |most |so |a huge |really )*help(ful)?|see you|take care|talk to you later"
    r"|(good|nice) (night|day|one)|another time|for now|later)\b",
    re.IGNORECASE,
)
_ACKNOWLEDGEMENT = re.compile(
    r"^\W*((no|nope|ok|okay|alright|all right|great|good|nice|cool|fine|perfect|sounds good)\W*)+$",
    re.IGNORECASE,
)
"""Phrases that close a conversation ("No, that's all, thanks"); a bare acknowledgement ("Ok.",
"Great.") closes it too."""

STOPWORDS = frozenset(
    "a an the and or but if so to of in on at by for with from as is are was were be been am "
    "it its this that these those there here i me my we us our you your he she they them their "
    "his her do does did have has had will would can could shall should may might must not no "
    "yes just also very too than then now what which when where who whom how why all any some "
    "about into out up down over again more most other such only own same s t".split()
)

_CONTRACTIONS = {"n't": "not", "'ll": "will", "'re": "are", "'m": "am", "'ve": "have", "'d": "would", "'s": ""}
_CONTRACTION = re.compile(r"n't\b|'(ll|re|m|ve|d|s)\b", re.IGNORECASE)

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def sentences(text: str) -> list[str]:
    """Split text into sentences at ``.``, ``!``, ``?`` followed by a space, and at line breaks."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def words(text: str) -> list[str]:
    """Return the words and numbers of ``text``, in order, as written."""
    return _WORD.findall(text)


def is_question(sentence: str) -> bool:
    """True when the sentence has a ``?`` or opens with a question word.

    Interjections before the question word ("Okay, what date ...") and a preposition before
    it ("In which city ...", "To whom ...") are passed over.
    """
    if "?" in sentence:
        return True
    opening = [word.lower() for word in words(sentence[:80])]
    while opening and opening[0] in _INTERJECTIONS:
        opening.pop(0)
    if len(opening) > 1 and opening[0] in _PREPOSITIONS:
        opening.pop(0)
    return bool(opening) and opening[0] in _QUESTION_OPENERS


def is_request(sentence: str) -> bool:
    """True when the sentence is a question or a polite request for information."""
    return is_question(sentence) or bool(_REQUEST.search(sentence))


def questions(text: str) -> list[str]:
    """Return the sentences of ``text`` that ask the user something."""
    return [sentence for sentence in sentences(text) if is_request(sentence)]


def is_closing(text: str, max_words: int = 16) -> bool:
    """True when a short user message without a question only closes the conversation.

    NOTE: a closing phrase next to a request ("Thanks, book it for 3pm") also counts, so
    ``call_to_action`` skips that turn; the ``next_step`` check still judges it.
    """
    if "?" in text or len(words(text)) > max_words:
        return False
    text = text.replace("\u2019", "'")
    return _CLOSING.search(text) is not None or _ACKNOWLEDGEMENT.match(text) is not None


def content_words(text: str) -> list[str]:
    """Return the lower-case words of ``text`` that are not stop words, contractions split
    ("we'll" → "we", "will")."""
    expanded = _CONTRACTION.sub(lambda match: " " + _CONTRACTIONS[match.group(0).lower()], text.replace("\u2019", "'"))
    return [word.lower() for word in words(expanded) if word.lower() not in STOPWORDS]


def count_syllables(word: str) -> int:
    """Estimate the syllables of an English word from its vowel groups.

    A final silent ``e`` does not count (``make``), but ``-le`` after a consonant does
    (``table``), and ``-ed`` counts only after ``t`` or ``d`` (``wanted``, not ``booked``).
    Every word has at least one syllable.
    """
    word = word.lower().strip("'\u2019")
    if not word.isalpha():
        return 1
    groups = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    elif word.endswith("le") and len(word) > 2 and word[-3] in "aeiouy" and groups > 1:
        groups -= 1
    if word.endswith("ed") and len(word) > 3 and word[-3] not in "td" and groups > 1:
        groups -= 1
    if word.endswith("es") and len(word) > 3 and word[-3] not in "sxzcgh" and groups > 1:
        groups -= 1
    return max(1, groups)
