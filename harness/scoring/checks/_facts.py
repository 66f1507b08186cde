"""Checks that the reply states the expected facts and reads back the details to confirm."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from harness.scoring._registry import CheckContext, CheckParams, Outcome, check
from harness.scoring.checks._normalize import find_phrase, normalize, phrase_share

__all__ = ["ConfirmsParams", "FactsParams", "missing_facts"]

_MIN_NAME_TOKEN = 3
"""Tokens shorter than this (initials, "MD", "Dr") do not count towards a partial match."""


class FactsParams(CheckParams):
    """Parameters of ``facts``."""

    facts: list[str] = Field(default_factory=list)
    """Facts every reply of the intent must state, added to the turn's ``expect.mentions``."""

    min_share: float = Field(default=1.0, ge=0, le=1)
    """Share of the facts that must be present for the check to pass."""

    min_token_share: float = Field(default=0.66, ge=0, le=1)
    """A fact of three or more words also counts when this share of its words is present
    ("Jonathan Berek" for "Jonathan S. Berek, MD, MMS")."""


class ConfirmsParams(CheckParams):
    """Parameters of ``confirms``."""

    min_share: float = Field(default=1.0, ge=0, le=1)
    """Share of the details that must be read back for the check to pass."""

    min_token_share: float = Field(default=0.66, ge=0, le=1)
    """As for ``facts``: the share of a long detail's words that counts as reading it back."""


@check("facts", params=FactsParams)
def facts(ctx: CheckContext, params: FactsParams) -> Outcome:
    """The reply states the expected facts (normalised: case, punctuation, numbers, times, dates)."""
    expected = list(params.facts)
    if ctx.turn.expect:
        expected.extend(ctx.turn.expect.mentions)
    if not expected:
        return Outcome.skip("no facts expected on this turn")

    missing = missing_facts(expected, ctx.reply.text, params.min_token_share)
    return _share_outcome("states", expected, missing, params.min_share)


@check("confirms", params=ConfirmsParams)
def confirms(ctx: CheckContext, params: ConfirmsParams) -> Outcome:
    """The reply reads back the details in ``expect.confirms`` before acting on them."""
    expected = ctx.turn.expect.confirms if ctx.turn.expect else []
    if not expected:
        return Outcome.skip("no details to confirm on this turn")

    missing = missing_facts(expected, ctx.reply.text, params.min_token_share)
    return _share_outcome("reads back", expected, missing, params.min_share)


def missing_facts(expected: Sequence[str], text: str, min_token_share: float = 0.66) -> list[str]:
    """Return the facts of ``expected`` that ``text`` does not state, in their order."""
    tokens = normalize(text)
    return [fact for fact in expected if not _is_stated(fact, tokens, min_token_share)]


def _is_stated(fact: str, tokens: list[str], min_token_share: float) -> bool:
    wanted = normalize(fact)
    if find_phrase(wanted, tokens):
        return True
    long_tokens = [token for token in wanted if len(token) >= _MIN_NAME_TOKEN]
    if len(long_tokens) < 2 or len(wanted) < 3:
        return False
    return phrase_share(long_tokens, tokens) >= min_token_share


def _share_outcome(verb: str, expected: list[str], missing: list[str], min_share: float) -> Outcome:
    share = 1 - len(missing) / len(expected)
    summary = f"{verb} {len(expected) - len(missing)} of {len(expected)}"
    if not missing:
        return Outcome.ok(summary, score=1.0)
    detail = f"{summary}; missing {', '.join(repr(fact) for fact in missing)}"
    if share >= min_share:
        return Outcome.ok(detail, score=share)
    return Outcome.fail(detail, score=share)
