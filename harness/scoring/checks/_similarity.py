"""Checks that compare the reply with other texts: the reference reply and earlier bot replies."""

from __future__ import annotations

import difflib
import functools

from pydantic import Field

from harness.scoring._registry import CheckContext, CheckParams, Outcome, check
from harness.scoring.checks._language import sentences, words
from harness.scoring.checks._normalize import normalize

__all__ = ["RepetitionParams", "SimilarityParams", "repetition_ratio"]


class SimilarityParams(CheckParams):
    """Parameters of ``similarity``."""

    min: float = Field(default=0.2, ge=0, le=1)
    """Lowest TF-IDF cosine similarity to the reference reply that passes."""


class RepetitionParams(CheckParams):
    """Parameters of ``repetition``."""

    max_ratio: float = Field(default=0.8, gt=0, le=1)
    """A reply this similar to an earlier bot reply (word Jaccard or character ratio) fails."""

    min_words: int = Field(default=1, ge=1)
    """Replies with fewer words are never counted as repeats ("Sure.", "Anything else?")."""


@check("similarity", params=SimilarityParams)
def similarity(ctx: CheckContext, params: SimilarityParams) -> Outcome:
    """The reply is close enough to the recorded reference reply (TF-IDF cosine)."""
    value = ctx.similarity
    if value is None:
        return Outcome.skip("no reference reply for this turn")
    if value < params.min:
        # Two decimals can print a value just under the minimum as equal to it ("0.05 < 0.05").
        shown = f"{value:.2f}" if round(value, 2) < params.min else f"{value:.4f}"
        return Outcome.fail(f"similarity {shown} to the reference < {params.min:g}", score=value)
    return Outcome.ok(f"similarity {value:.2f} to the reference", score=1.0)


@check("repetition", params=RepetitionParams)
def repetition(ctx: CheckContext, params: RepetitionParams) -> Outcome:
    """The reply does not repeat an earlier bot reply of the same conversation."""
    text = ctx.reply.text
    earlier = [(index, reply.text) for index, (_, reply) in enumerate(ctx.previous) if reply.text]
    if not earlier or not text.strip():
        return Outcome.skip("no earlier bot reply to compare with")
    if len(words(text)) < params.min_words:
        return Outcome.skip(f"reply shorter than {params.min_words} words")

    # The conditions run cheapest first: difflib's ratio() takes time quadratic in the length,
    # so it runs only for pairs that the upper bounds and the details leave open.
    details = _details(text)
    repeats = [
        (ratio, index)
        for index, other in earlier
        if _could_repeat(text, other, params.max_ratio)
        and not details - _details(other)
        and (ratio := repetition_ratio(text, other)) >= params.max_ratio
    ]
    if repeats:
        ratio, index = max(repeats)
        return Outcome.fail(
            f"repeats the reply of turn {index + 1} (similarity {ratio:.2f} >= {params.max_ratio:.2f})"
        )
    return Outcome.ok(f"no earlier reply is {params.max_ratio:.2f} similar or more with nothing new")


def new_details(text: str, other: str) -> set[str]:
    """Return the numbers, dates, times and names of ``text`` that ``other`` does not contain.

    A reply that is worded like an earlier one but gives a new balance, time or name ("Your
    balance is now $3,504.63") adds information, so it is not a repeat.
    """
    return set(_details(text) - _details(other))


# Capitalised inside a sentence without being a name.
_NOT_NAMES = frozenset({"i", "i'm", "i'll", "i've", "i'd", "ok", "okay"})


# Cached because each reply is compared again with every later reply of its conversation.
# An evicted text is only computed again: 4,096 texts cover 32 conversations of 128 replies.
@functools.lru_cache(maxsize=4096)
def _details(text: str) -> frozenset[str]:
    numbers = {token for token in normalize(text) if token[0].isdigit() or ":" in token}
    names = {
        word.lower()
        for sentence in sentences(text)
        for word in words(sentence)[1:]
        if word[:1].isupper() and word.lower() not in _NOT_NAMES
    }
    return frozenset(numbers | names)


def _could_repeat(text: str, other: str, threshold: float) -> bool:
    # Both bounds are upper bounds of ratio() and far cheaper, so most pairs stop here:
    # 2 × the shorter length / the total length (real_quick_ratio), then quick_ratio().
    if _jaccard(text, other) >= threshold:
        return True
    left, right = text.lower()[:MAX_COMPARED_CHARS], other.lower()[:MAX_COMPARED_CHARS]
    if 2 * min(len(left), len(right)) / (len(left) + len(right)) < threshold:
        return False
    return difflib.SequenceMatcher(None, left, right, autojunk=False).quick_ratio() >= threshold


def _jaccard(text: str, other: str) -> float:
    left = _word_set(text)
    right = _word_set(other)
    return len(left & right) / len(left | right) if left | right else 0.0


@functools.lru_cache(maxsize=4096)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(word.lower() for word in words(text))


MAX_COMPARED_CHARS = 2000
"""Characters of a reply that difflib compares. Its ratio is quadratic in the worst case, so
only the start of a very long reply is compared, and a DM reply that long fails the length
check anyway."""


def repetition_ratio(text: str, other: str) -> float:
    """Return the larger of the word Jaccard index and the difflib ratio of two texts, in [0, 1]."""
    left, right = text.lower()[:MAX_COMPARED_CHARS], other.lower()[:MAX_COMPARED_CHARS]
    ratio = difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()
    return max(_jaccard(text, other), ratio)
