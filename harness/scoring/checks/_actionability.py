"""Checks that the reply moves the conversation forward: a call to action, the expected next
step, and questions about the details the bot still needs."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import Field

from harness.conversations import Reply
from harness.conversations._records import NextStep
from harness.scoring._registry import CheckContext, CheckParams, Outcome, check
from harness.scoring.checks._facts import missing_facts
from harness.scoring.checks._language import content_words, is_closing, questions
from harness.scoring.checks._slots import slot_pattern

__all__ = ["AsksForParams", "CallToActionParams", "NextStepParams"]

NEXT_STEP_PHRASES: tuple[str, ...] = (
    r"book (here|now|online|at|via|through|using|with the)",
    r"reply (with|yes|no|y\b|n\b)",
    r"(i'?ll|i will|we'?ll|we will|let me) (send|book|reserve|text|email|forward|share|transfer|connect|schedule)",
    r"\btap\b",
    r"\bclick\b",
    r"(follow|use|open) (the|this) link",
    r"here'?s the link|here is the link",
    r"\bvisit\b",
    r"(give us|give them) a call|call (us|them|the (store|clinic|office|restaurant|hotel))",
    r"(dm|text|email|message) us",
    r"sign up",
    r"check out",
    r"head (to|over)",
    r"swipe up",
    r"you can (book|order|buy|reserve|call|visit|find|pay|check|schedule|choose|pick)",
    r"(shall|should) i",
    r"\b(please )?(confirm|confirming|verify)\b|make sure|to recap|need your confirmation",
)
"""Phrases that name an explicit next step, including a request to confirm a read-back.
"We'll get back to you" is deliberately absent: it promises nothing the user can act on."""

_COMPLETED = re.compile(
    r"\b(booked|reserved|confirmed|scheduled|done|completed?|successful(ly)?|succeeded|success"
    r"|transferred|sent|purchased|bought|placed|processed|initiated|finali[sz]ed|made"
    r"|went through|all set|set|fixed|has been|have been|on its way|enjoy|congratulations"
    r"|confirm(ed)? your|(gone|put \w+) through|took place|recorded|registered|rescheduled"
    r"|succes+ful\w*|able to (book|reserve|confirm|make|schedule|transfer|send|buy|get))\b",
    re.IGNORECASE,
)
_NOT_COMPLETED = re.compile(
    r"\b(could ?n[o']t|can ?n[o']t|cannot|was ?n[o']t|were ?n[o']t|did ?n[o']t|unable to|failed"
    r"|not (able|possible|available|booked|reserved|completed|successful))\b",
    re.IGNORECASE,
)
_CONFIRMATION_REQUEST = re.compile(
    r"\b(confirm\w*|verif\w*|correct|right|sound(s)? (good|right|ok)|okay|ok|proceed|go ahead"
    r"|shall i|should i|is (that|this|it)|does (that|this)|are (these|those) details|ensure"
    r"|make sure|recap|review|you('d| would) like|you want|you wish|you need|you are looking"
    r"|double.check|approv\w*|to be clear|got it|(here are|these are) the details|the details are"
    r"|let'?s check|(^|[.!?:]\s+)so)\b",
    re.IGNORECASE,
)
"""Words that present a read-back as something to confirm, with or without a question mark
("Confirming a 4:30 pm appointment with ...", "You would like 2 tickets for ...")."""
_OFFER = re.compile(
    r"\b(how about|what about|would you like|do you want|i found|i have found|we have|there (is|are)"
    r"|i recommend|i suggest|i'd suggest|you (could|might|can) (try|like|go)|available|option"
    r"|is (a|an) (good|nice|popular|great)|located|rated|shall i book|is also)\b",
    re.IGNORECASE,
)
_CONCRETE = re.compile(r"\d|(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
"""A number, or a capitalised word that does not open a sentence: a named option."""

_YES_NO = re.compile(r"\b(yes|yeah|yep|no|nope|not|n't|none|never)\b|n't\b", re.IGNORECASE)

_GENERIC_WORDS = frozenset(
    "thanks thank reaching reach out get back soon touch contact contacting hi hello hey "
    "welcome glad happy help helping assist assistance great good sure ok okay please team "
    "message messages dm dms appreciate patience shortly possible asap day wonderful nice "
    "enjoy rest hear love question questions anything else let know us".split()
)
"""Words of a polite reply that carries no information ("Thanks for reaching out! We'll get
back to you soon.")."""


class CallToActionParams(CheckParams):
    """Parameters of ``call_to_action``."""

    phrases: list[str] = Field(default_factory=list)
    """Extra regular expressions that count as an explicit next step, added to the built-in ones."""

    skip_next_steps: list[NextStep] = Field(
        default_factory=lambda: ["offer", "confirm", "complete", "inform", "handover"]
    )
    """Turns whose expected next step is one of these need no further call to action, because
    presenting an option, reading back details, reporting a completed booking or answering a
    question is the move itself (the ``next_step`` check judges it)."""

    skip_closing: bool = True
    """Skip turns where the user only closes the conversation ("No, that's all, thanks")."""


class AsksForParams(CheckParams):
    """Parameters of ``asks_for``."""

    min_share: float = Field(default=1.0, ge=0, le=1)
    """Share of the expected details the reply must ask about."""


class NextStepParams(CheckParams):
    """Parameters of ``next_step``."""

    min_content_words: int = Field(default=1, ge=1)
    """For ``inform``: the least number of informative (non-filler) words."""


@check("call_to_action", params=CallToActionParams)
def call_to_action(ctx: CheckContext, params: CallToActionParams) -> Outcome:
    """The reply moves the conversation forward: a link, button, quick reply, question, handover
    or explicit next step."""
    expected = ctx.turn.expect.next_step if ctx.turn.expect else None
    if expected in params.skip_next_steps:
        return Outcome.skip(f"the expected next step {expected!r} needs no call to action")
    if params.skip_closing and is_closing(ctx.turn.user):
        return Outcome.skip("the user closed the conversation")

    found = _call_to_action(ctx.reply, params.phrases)
    if found:
        return Outcome.ok(f"call to action: {found}")
    return Outcome.fail("no next step: no question, link, button, quick reply or explicit next step")


@check("asks_for", params=AsksForParams)
def asks_for(ctx: CheckContext, params: AsksForParams) -> Outcome:
    """The reply asks for each detail in ``expect.asks_for`` (a slot name or one of its synonyms)."""
    slots = ctx.turn.expect.asks_for if ctx.turn.expect else []
    if not slots:
        return Outcome.skip("nothing to ask for on this turn")

    asked = questions(ctx.reply.text)
    missing = [slot for slot in slots if not any(slot_pattern(slot).search(q) for q in asked)]
    share = 1 - len(missing) / len(slots)
    if not missing:
        return Outcome.ok(f"asks for {', '.join(slots)}")
    reason = "; ".join(_missing_slot_reason(slot, asked) for slot in missing)
    if share >= params.min_share:
        return Outcome.ok(reason, score=share)
    return Outcome.fail(reason, score=share)


@check("next_step", params=NextStepParams)
def next_step(ctx: CheckContext, params: NextStepParams) -> Outcome:
    """The reply takes the expected next step: ask, confirm, offer, complete, link, handover or inform."""
    expected = ctx.turn.expect.next_step if ctx.turn.expect else None
    if expected is None:
        return Outcome.skip("no next step expected on this turn")

    judge = _NEXT_STEP_JUDGES[expected]
    problem = judge(ctx, params)
    if problem:
        return Outcome.fail(f"next step {expected}: {problem}")
    return Outcome.ok(f"next step {expected}")


def _call_to_action(reply: Reply, extra_phrases: list[str]) -> str | None:
    if reply.links:
        return "link"
    if reply.buttons:
        return "button"
    if reply.quick_replies:
        return "quick replies"
    if reply.handover:
        return "handover to a person"
    if questions(reply.text):
        return "question"
    for phrase in (*NEXT_STEP_PHRASES, *extra_phrases):
        match = re.search(phrase, reply.text, re.IGNORECASE)
        if match:
            return f"next step {match.group(0)!r}"
    return None


def _missing_slot_reason(slot: str, asked: list[str]) -> str:
    if not asked:
        return f"asks for {slot}: no question in the reply"
    return f"asks for {slot}: no question about the {slot.replace('_', ' ')}"


def _judge_ask(ctx: CheckContext, params: NextStepParams) -> str | None:
    if questions(ctx.reply.text) or ctx.reply.quick_replies:
        return None
    return "no question in the reply"


def _judge_confirm(ctx: CheckContext, params: NextStepParams) -> str | None:
    text = ctx.reply.text
    details = ctx.turn.expect.confirms if ctx.turn.expect else []
    if details and len(missing_facts(details, text)) == len(details):
        return "reads back none of the details"
    if not details and not _CONCRETE.search(text):
        return "reads back no detail"
    asks = questions(text) or ctx.reply.quick_replies or _CONFIRMATION_REQUEST.search(text)
    return None if asks else "does not ask the user to confirm"


def _judge_offer(ctx: CheckContext, params: NextStepParams) -> str | None:
    # An offer either proposes something ("How about ...?", "Would you like to transfer?") or
    # presents a concrete result ("Your savings account has $21,432.70").
    reply = ctx.reply
    if reply.quick_replies or reply.buttons or reply.links:
        return None
    if _OFFER.search(reply.text) or questions(reply.text) or _CONCRETE.search(reply.text):
        return None
    return "proposes no option: no question, offer, name or number"


def _judge_complete(ctx: CheckContext, params: NextStepParams) -> str | None:
    text = ctx.reply.text
    if _NOT_COMPLETED.search(text):
        return "reports that the action did not go through"
    if not _COMPLETED.search(text):
        return "does not confirm the completed action"
    return None


def _judge_link(ctx: CheckContext, params: NextStepParams) -> str | None:
    return None if ctx.reply.links or ctx.reply.buttons else "no link or button"


def _judge_handover(ctx: CheckContext, params: NextStepParams) -> str | None:
    return None if ctx.reply.handover else "did not hand over to a person"


def _judge_inform(ctx: CheckContext, params: NextStepParams) -> str | None:
    # A yes/no answer ("No, they do not.") informs; pleasantries ("Thanks for reaching out!") do not.
    text = ctx.reply.text
    if not text.strip():
        return "no text"
    informative = [word for word in content_words(text) if word not in _GENERIC_WORDS]
    answers = _YES_NO.search(text) or any(char.isdigit() for char in text)
    if len(informative) < params.min_content_words and not answers:
        return f"no information: {len(informative)} informative words < {params.min_content_words}"
    return None


_NEXT_STEP_JUDGES: dict[str, Callable[[CheckContext, NextStepParams], str | None]] = {
    "ask": _judge_ask,
    "confirm": _judge_confirm,
    "offer": _judge_offer,
    "complete": _judge_complete,
    "link": _judge_link,
    "booking_link": _judge_link,
    "handover": _judge_handover,
    "inform": _judge_inform,
}
"""The judge of each expected next step: it returns the problem, or None when the reply takes the step."""
