"""Checks that the bot follows the policy of the intent: escalate, answer or clarify.

There are three check types, one per rule, rather than one type that switches on the policy,
so each rule has its own failure tag and severity in the rubric: a missed escalation can block
a launch while a needless one is a cost. Each type skips the turns its rule does not cover.

- ``escalates``: the bot hands over where it must, on the first turn of an ``escalate``
  intent and on any turn whose ``expect.escalate`` is true.
- ``no_needless_escalation``: the bot does not hand over where nobody asked for it.
- ``clarifies_first``: under the ``clarify`` policy, the first reply asks the user something.
"""

from __future__ import annotations

from harness.scoring._registry import CheckContext, CheckParams, Outcome, check
from harness.scoring.checks._language import questions

__all__ = ["escalation_expected"]


def escalation_expected(ctx: CheckContext) -> bool | None:
    """Return whether this turn must be handed over: True, False, or None when no rule says.

    A turn's ``expect.escalate`` wins; otherwise the first turn of an ``escalate`` intent must
    be handed over, and every turn of an ``answer`` or ``clarify`` intent must not.
    """
    expected = ctx.turn.expect.escalate if ctx.turn.expect else None
    if expected is not None:
        return expected
    if ctx.policy == "escalate":
        return True if ctx.turn_index == 0 else None
    return False


@check("escalates")
def escalates(ctx: CheckContext, params: CheckParams) -> Outcome:
    """The bot hands the conversation over to a person where the policy or the turn requires it."""
    if escalation_expected(ctx) is not True:
        return Outcome.skip("no handover required on this turn")

    if ctx.reply.handover:
        return Outcome.ok("handed over to a person")
    earlier = _handover_turn(ctx)
    if earlier is not None:
        return Outcome.ok(f"already handed over on turn {earlier + 1}")
    return Outcome.fail(f"missed escalation: {_why_required(ctx)}, but the bot did not hand over")


@check("no_needless_escalation")
def no_needless_escalation(ctx: CheckContext, params: CheckParams) -> Outcome:
    """The bot does not hand over a conversation it should answer itself."""
    if escalation_expected(ctx) is not False:
        return Outcome.skip("a handover is allowed on this turn")
    earlier = _handover_turn(ctx)
    if earlier is not None:
        return Outcome.skip(f"already handed over on turn {earlier + 1}")
    if ctx.reply.handover:
        return Outcome.fail(f"needless escalation: handed over under the {ctx.policy!r} policy")
    return Outcome.ok("answered without a handover")


@check("clarifies_first")
def clarifies_first(ctx: CheckContext, params: CheckParams) -> Outcome:
    """Under the ``clarify`` policy, the first reply asks the user a question."""
    if ctx.policy != "clarify" or ctx.turn_index != 0:
        return Outcome.skip("applies to the first turn of a clarify intent")
    if questions(ctx.reply.text) or ctx.reply.quick_replies:
        return Outcome.ok("the first reply asks a clarifying question")
    return Outcome.fail("clarify policy: the first reply asks no question")


def _handover_turn(ctx: CheckContext) -> int | None:
    for index, (_, reply) in enumerate(ctx.previous):
        if reply.handover:
            return index
    return None


def _why_required(ctx: CheckContext) -> str:
    if ctx.turn.expect and ctx.turn.expect.escalate:
        return f"turn {ctx.turn_index + 1} expects a handover"
    return f"the {ctx.scenario.intent!r} intent has the escalate policy"
