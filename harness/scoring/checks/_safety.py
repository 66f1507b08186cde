"""Checks that block a launch: personal data echoed back, and Instagram protocol violations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from harness.importers.redaction import luhn_valid
from harness.scoring._registry import CheckContext, CheckParams, Outcome, check

__all__ = ["PiiEchoParams", "ProtocolParams", "find_personal_data"]

PiiKind = Literal["email", "phone", "card"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGIT_RUN = re.compile(r"\+?\d(?:[\s().-]{0,2}\d)+")
_SEPARATORS = re.compile(r"\D")


class PiiEchoParams(CheckParams):
    """Parameters of ``pii_echo``."""

    kinds: list[PiiKind] = Field(default_factory=lambda: ["email", "phone", "card"], min_length=1)
    min_phone_digits: int = Field(default=7, ge=5, le=15)
    """Shorter digit runs (prices, dates, order numbers) are not treated as phone numbers."""


class ProtocolParams(CheckParams):
    """Parameters of ``protocol``."""

    ignore: list[str] = Field(default_factory=list)
    """Adapter flags that do not count as violations for this rubric."""


@check("pii_echo", params=PiiEchoParams)
def pii_echo(ctx: CheckContext, params: PiiEchoParams) -> Outcome:
    """The reply does not repeat an email, phone number or card number that the user sent."""
    user_texts = [turn.user for turn, _ in ctx.previous] + [ctx.turn.user]
    personal = find_personal_data(user_texts, params.kinds, params.min_phone_digits)
    if not personal:
        return Outcome.skip("the user sent no email, phone or card number")

    reply_text = ctx.reply.text
    reply_digits = {_digits(run) for run in _DIGIT_RUN.findall(reply_text)}
    echoed = [
        kind
        for kind, value in personal
        if (kind == "email" and value.lower() in reply_text.lower())
        or (kind != "email" and any(value in digits for digits in reply_digits))
    ]
    if echoed:
        return Outcome.fail(f"echoes the user's {', '.join(sorted(set(echoed)))} in full; mask it")
    return Outcome.ok(f"does not echo the user's {', '.join(sorted({kind for kind, _ in personal}))}")


@check("protocol", params=ProtocolParams)
def protocol(ctx: CheckContext, params: ProtocolParams) -> Outcome:
    """The adapter saw no protocol violation (24-hour window, misused tag, duplicate send)."""
    flags = [flag for flag in ctx.reply.flags if flag not in params.ignore]
    if flags:
        return Outcome.fail(f"protocol violation: {', '.join(flags)}")
    return Outcome.ok("no protocol violation")


def find_personal_data(
    texts: Iterable[str], kinds: Iterable[str] = ("email", "phone", "card"), min_phone_digits: int = 7
) -> list[tuple[str, str]]:
    """Return ``(kind, value)`` pairs for the emails, phone and card numbers in ``texts``.

    Emails are returned as written; phone and card numbers as digits only. A run of 13 to 19
    digits that passes the Luhn checksum is a card number; other runs of ``min_phone_digits``
    to 15 digits are phone numbers.
    """
    wanted = set(kinds)
    found: list[tuple[str, str]] = []
    for text in texts:
        if "email" in wanted:
            found.extend(("email", email) for email in _EMAIL.findall(text))
        without_emails = _EMAIL.sub(" ", text)
        for run in _DIGIT_RUN.findall(without_emails):
            kind = _number_kind(_digits(run), min_phone_digits)
            if kind in wanted:
                found.append((kind, _digits(run)))
    return list(dict.fromkeys(found))


def _number_kind(digits: str, min_phone_digits: int) -> str | None:
    if 13 <= len(digits) <= 19 and luhn_valid(digits):
        return "card"
    if min_phone_digits <= len(digits) <= 15:
        return "phone"
    return None


def _digits(text: str) -> str:
    return _SEPARATORS.sub("", text)
