"""What the ``bot`` and ``assert_reply`` fixtures hand to hand-written tests."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.adapters import BotAdapter, ConversationState, create_adapter
from harness.conversations import Expectation, Policy, Reply, Scenario, Suite, Turn
from harness.rubrics import CheckSpec, Rubric
from harness.runs import RunConfig
from harness.scoring import CheckContext, CheckResult, Scorer, check_result, get_check
from harness.testing._render import render_check, render_reply

__all__ = ["BotSession", "ReplyChecker"]

DEFAULT_INTENT = "manual"


class BotSession:
    """One conversation with the bot under test, driven turn by turn from a test.

    Each :meth:`send` goes through the run config's adapter with the same conversation state,
    so the bot keeps its context between turns. Exceptions of the bot propagate, so the test
    fails with the bot's own traceback.

    Args:
        config: The run config whose adapter reaches the bot.
        intent: The intent the conversation is about; checks that depend on it read it.
        policy: How the bot must handle the intent.
        name: A name for the conversation, used in its id.
    """

    def __init__(self, config: RunConfig, *, intent: str = DEFAULT_INTENT, policy: Policy = "answer", name: str = "test") -> None:
        self.config = config
        self.intent = intent
        self.policy: Policy = policy
        self._name = name
        self._loop = asyncio.new_event_loop()
        self._adapter: BotAdapter | None = None
        self._count = 0
        self.conversation = self._new_conversation()

    @property
    def history(self) -> list[tuple[Turn, Reply]]:
        """The turns sent so far with the replies received, oldest first."""
        return self.conversation.history

    @property
    def last(self) -> Reply:
        """The bot's last reply.

        Raises:
            LookupError: Nothing was sent yet.
        """
        if not self.history:
            raise LookupError("nothing was sent to the bot yet; call bot.send(...) first")
        return self.history[-1][1]

    def send(self, message: str | Turn, *, expect: Expectation | dict[str, Any] | None = None) -> Reply:
        """Send one user turn and return the bot's reply.

        Args:
            message: The user's text, or a full :class:`~harness.conversations.Turn`.
            expect: What a good reply to this turn does, for checks such as ``asks_for``.
        """
        turn = message if isinstance(message, Turn) else Turn(user=message)
        if expect is not None:
            turn = turn.model_copy(update={"expect": Expectation.model_validate(expect)})
        self.conversation.scenario = self._scenario([*(sent for sent, _ in self.history), turn])

        reply = self._loop.run_until_complete(self._send(turn))
        self.history.append((turn, reply))
        return reply

    def restart(self) -> None:
        """Start a new conversation with a new user, as if someone else wrote to the bot."""
        self._loop.run_until_complete(self._end())
        self.conversation = self._new_conversation()

    def close(self) -> None:
        """End the conversation and close the adapter and the event loop."""
        try:
            self._loop.run_until_complete(self._end())
            if self._adapter is not None:
                self._loop.run_until_complete(self._adapter.aclose())
        finally:
            self._loop.close()

    async def _send(self, turn: Turn) -> Reply:
        if self._adapter is None:
            self._adapter = create_adapter(self.config.adapter.name, self.config.adapter.options)
        return await asyncio.wait_for(self._adapter.reply(self.conversation, turn), self.config.replay.timeout_s)

    async def _end(self) -> None:
        end = getattr(self._adapter, "end_conversation", None)
        if end is not None:
            await end(self.conversation)

    def _new_conversation(self) -> ConversationState:
        self._count += 1
        conversation_id = f"{self._name}-{self._count}"
        user_id = str(int(hashlib.sha256(conversation_id.encode()).hexdigest()[:15], 16))
        placeholder = self._scenario([Turn(user="(no turn sent yet)")])
        return ConversationState(id=conversation_id, scenario=placeholder, user_id=user_id)

    def _scenario(self, turns: list[Turn]) -> Scenario:
        return Scenario(id=f"{self._name}-{self._count}", intent=self.intent, policy=self.policy, turns=turns)


class ReplyChecker:
    """The ``assert_reply`` helper: applies named rubric checks to one reply.

    Args:
        rubric: The rubric whose checks are applied.
        rubric_path: Where the rubric came from, for messages.
    """

    def __init__(self, rubric: Rubric, rubric_path: Path | str) -> None:
        self.rubric = rubric
        self.rubric_path = rubric_path

    def __call__(
        self,
        reply: Reply | str | BotSession,
        *check_ids: str,
        user: str | Turn | None = None,
        expect: Expectation | dict[str, Any] | None = None,
        intent: str | None = None,
        policy: Policy | None = None,
    ) -> list[CheckResult]:
        """Apply rubric checks to one reply and fail with their reasons when one fails.

        Args:
            reply: A reply, a reply text, or a :class:`BotSession` (its last reply, with the
                conversation's turns, intent and policy as context).
            check_ids: Ids of rubric checks; none means every check of the intent, leaving
                out those that do not apply to this turn.
            user: The user's message that the reply responds to.
            expect: What a good reply to that message does (``asks_for``, ``mentions``, ...).
            intent: The intent, for per-intent rubric overrides.
            policy: The policy the reply must follow.

        Returns:
            The result of every applied check.

        Raises:
            AssertionError: A check failed, or a named check does not apply to this reply.
            ValueError: A check id is not in the rubric.
        """
        context = self._context(reply, user, expect, intent, policy)
        specs = self._specs(context.scenario.intent, check_ids)
        results, skipped = self._apply(context, specs)

        failed = [result for result in results if not result.passed]
        if check_ids and skipped:
            failed_text = "; ".join(f"{spec.id} did not apply: {reason}" for spec, reason in skipped)
            raise AssertionError(f"named checks must apply to the reply: {failed_text}")
        if failed:
            raise AssertionError(_failure_message(context.reply, failed, len(results)))
        return results

    def _context(
        self,
        reply: Reply | str | BotSession,
        user: str | Turn | None,
        expect: Expectation | dict[str, Any] | None,
        intent: str | None,
        policy: Policy | None,
    ) -> CheckContext:
        if isinstance(reply, BotSession):
            return self._session_context(reply, expect)
        turn = user if isinstance(user, Turn) else Turn(user=user or "(not given)")
        if expect is not None:
            turn = turn.model_copy(update={"expect": Expectation.model_validate(expect)})
        scenario = Scenario(id="assert_reply", intent=intent or DEFAULT_INTENT, policy=policy or "answer", turns=[turn])
        reply = reply if isinstance(reply, Reply) else Reply.from_text(reply)
        return self._build(scenario, 0, reply)

    def _session_context(self, session: BotSession, expect: Expectation | dict[str, Any] | None) -> CheckContext:
        reply = session.last
        turns = [turn for turn, _ in session.history]
        if expect is not None:
            turns[-1] = turns[-1].model_copy(update={"expect": Expectation.model_validate(expect)})
        scenario = Scenario(id=session.conversation.id, intent=session.intent, policy=session.policy, turns=turns)
        previous = tuple((turn, sent) for turn, (_, sent) in zip(turns[:-1], session.history[:-1]))
        return self._build(scenario, len(turns) - 1, reply, previous)

    def _build(
        self, scenario: Scenario, index: int, reply: Reply, previous: tuple[tuple[Turn, Reply], ...] = ()
    ) -> CheckContext:
        turn = scenario.turns[index]
        scorer = Scorer(self.rubric, Suite(scenarios=[scenario]))
        similarity = scorer.similarity.pairwise([reply.text], [turn.reference])[0]
        return CheckContext(
            scenario=scenario,
            turn_index=index,
            turn=turn,
            reply=reply,
            previous=previous,
            policy=scorer.policy_for(scenario),  # type: ignore[arg-type]
            similarity=similarity,
        )

    def _specs(self, intent: str, check_ids: Sequence[str]) -> list[tuple[str, CheckSpec]]:
        specs = self.rubric.checks_for(intent)
        if not check_ids:
            return specs
        known = {spec.id: (dimension, spec) for dimension, spec in specs}
        unknown = [check_id for check_id in check_ids if check_id not in known]
        if unknown:
            raise ValueError(
                f"unknown check id(s) {', '.join(map(repr, unknown))} for intent {intent!r} in rubric "
                f"{self.rubric_path}; valid ids: {', '.join(known)}"
            )
        return [known[check_id] for check_id in check_ids]

    def _apply(
        self, context: CheckContext, specs: list[tuple[str, CheckSpec]]
    ) -> tuple[list[CheckResult], list[tuple[CheckSpec, str]]]:
        results: list[CheckResult] = []
        skipped: list[tuple[CheckSpec, str]] = []
        for dimension, spec in specs:
            check_type = get_check(spec.type)
            if check_type is None:
                raise ValueError(f"check {spec.id}: unknown check type {spec.type!r}")
            outcome = check_type.function(context, check_type.params.model_validate(spec.params))
            if outcome.passed is None:
                skipped.append((spec, outcome.reason))
                continue
            results.append(check_result(dimension, spec, outcome))
        return results, skipped


def _failure_message(reply: Reply, failed: list[CheckResult], applied: int) -> str:
    lines = [f"reply failed {len(failed)} of {applied} checks:"]
    lines.extend(f"  {render_check(result)}" for result in failed)
    lines.append("the reply:")
    lines.extend(f"  {line}" for line in render_reply(reply))
    return "\n".join(lines)
