"""Checks on the literal text of a reply: phrases required or forbidden, patterns, emptiness."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field, field_validator

from harness.scoring._registry import CheckContext, CheckParams, Outcome, check

__all__ = ["ContainsParams", "NotContainsParams", "Phrase", "RegexParams"]

Phrase = Annotated[str, Field(pattern=r"\S")]
"""A phrase with at least one non-space character (an empty phrase would match any reply)."""


class ContainsParams(CheckParams):
    """Parameters of ``contains``."""

    phrases: list[Phrase] = Field(min_length=1)
    mode: Literal["any", "all"] = "any"
    """``any``: one phrase is enough; ``all``: every phrase must appear."""

    case_sensitive: bool = False
    whole_words: bool = True
    """Match a phrase only at word boundaries, so "hi" does not match "this"."""


class NotContainsParams(CheckParams):
    """Parameters of ``not_contains``; the turn's ``expect.forbidden`` phrases are added."""

    phrases: list[Phrase] = Field(default_factory=list)
    case_sensitive: bool = False
    whole_words: bool = True


class RegexParams(CheckParams):
    """Parameters of ``regex``."""

    pattern: str
    must_match: bool = True
    """``True``: the reply must match; ``False``: the reply must not match."""

    ignore_case: bool = True

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        return value


@check("contains", params=ContainsParams)
def contains(ctx: CheckContext, params: ContainsParams) -> Outcome:
    """The reply contains the given phrases (any or all of them)."""
    text = ctx.reply.text
    found = [p for p in params.phrases if _has_phrase(text, p, params.case_sensitive, params.whole_words)]
    missing = [phrase for phrase in params.phrases if phrase not in found]
    score = len(found) / len(params.phrases)

    if params.mode == "any":
        if found:
            return Outcome.ok(f"contains {found[0]!r}")
        return Outcome.fail(f"contains none of {_quoted(params.phrases)}")
    if missing:
        return Outcome.fail(f"missing {_quoted(missing)}", score=score)
    return Outcome.ok(f"contains all {len(found)} phrases")


@check("not_contains", params=NotContainsParams)
def not_contains(ctx: CheckContext, params: NotContainsParams) -> Outcome:
    """The reply contains none of the forbidden phrases (the rubric's and the turn's)."""
    forbidden = list(params.phrases)
    if ctx.turn.expect:
        forbidden.extend(ctx.turn.expect.forbidden)
    if not forbidden:
        return Outcome.skip("no forbidden phrases for this turn")

    text = ctx.reply.text
    found = [p for p in forbidden if _has_phrase(text, p, params.case_sensitive, params.whole_words)]
    if found:
        return Outcome.fail(f"contains forbidden {_quoted(found)}")
    return Outcome.ok(f"none of {len(forbidden)} forbidden phrases")


@check("regex", params=RegexParams)
def regex(ctx: CheckContext, params: RegexParams) -> Outcome:
    """The reply matches (or, with ``must_match: false``, does not match) a regular expression."""
    flags = re.IGNORECASE if params.ignore_case else 0
    match = re.search(params.pattern, ctx.reply.text, flags)
    if params.must_match and match is None:
        return Outcome.fail(f"does not match /{params.pattern}/")
    if not params.must_match and match is not None:
        return Outcome.fail(f"matches /{params.pattern}/ at {match.group(0)!r}")
    return Outcome.ok("matches" if params.must_match else "does not match")


@check("not_empty")
def not_empty(ctx: CheckContext, params: CheckParams) -> Outcome:
    """The bot sent something: text, quick replies, buttons, an attachment or a handover."""
    if ctx.reply.is_empty:
        return Outcome.fail("empty reply: no text, quick replies, buttons, attachment or handover")
    return Outcome.ok("the reply has content")


def _has_phrase(text: str, phrase: str, case_sensitive: bool, whole_words: bool) -> bool:
    flags = 0 if case_sensitive else re.IGNORECASE
    pattern = r"\s+".join(re.escape(part) for part in phrase.split())
    if whole_words:
        pattern = _word_bounded(phrase, pattern)
    return re.search(pattern, text, flags) is not None


def _word_bounded(phrase: str, pattern: str) -> str:
    # \b only makes sense next to a word character: "$5" or "!!" keep their edges as written.
    stripped = phrase.strip()
    if stripped[:1].isalnum() or stripped[:1] == "_":
        pattern = r"\b" + pattern
    if stripped[-1:].isalnum() or stripped[-1:] == "_":
        pattern = pattern + r"\b"
    return pattern


def _quoted(phrases: Iterable[str]) -> str:
    return ", ".join(repr(phrase) for phrase in phrases)
