"""The async replay engine: bounded concurrency, per-turn timeouts, retries, ordered turns.

Conversations run concurrently, at most ``concurrency`` at a time. The turns of one
conversation run strictly in order against one :class:`ConversationState`, so the bot keeps
its context. A failure of the bot never stops the run: it becomes the turn's ``Reply.error``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from harness.adapters import BotAdapter, ConversationState, TransportError
from harness.conversations import Reply, Scenario, Turn
from harness.secrets import mask_text

__all__ = ["ReplayOptions", "Transcript", "replay"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplayOptions:
    """Settings of a replay: concurrency, timeouts, retries and repeats."""

    concurrency: int = 8
    """Conversations in flight at once."""

    timeout_s: float = 30.0
    """Time a single bot call may take before the turn fails as timed out."""

    retries: int = 2
    """Further attempts after a transport error (connection refused or reset). Timeouts and
    bad replies are not retried: a retry would hide exactly what the run should show."""

    backoff_s: float = 0.5
    """Wait before the first retry; doubled for each further one."""

    repeats: int = 1

    namespace: str = ""
    """Mixed into conversation and user ids (the runner passes the run id), so a bot that keeps
    state between runs meets new users in every run instead of continuing old conversations."""
    """Times each scenario is replayed, for nondeterministic bots."""


@dataclass
class Transcript:
    """One replayed conversation, before scoring."""

    scenario: Scenario
    replies: list[Reply]
    repeat: int
    started_at: datetime
    duration_ms: float


@dataclass
class _Job:
    scenario: Scenario
    repeat: int


OnTranscript = Callable[[Transcript], Awaitable[None] | None]


async def replay(
    scenarios: Iterable[Scenario],
    adapter: BotAdapter,
    options: ReplayOptions,
    on_transcript: OnTranscript,
    *,
    skip: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
) -> int:
    """Replay every (scenario, repeat) pair not in ``skip`` and hand each transcript over.

    Args:
        scenarios: The scenarios to replay.
        adapter: The adapter that reaches the bot.
        options: Concurrency, timeouts, retries and repeats.
        on_transcript: Called once per finished conversation, as it finishes.
        skip: (scenario id, repeat) pairs already finished, for a resumed run.

    Returns:
        The number of conversations replayed.
    """
    queue: asyncio.Queue[_Job] = asyncio.Queue()
    for scenario in scenarios:
        for repeat in range(options.repeats):
            if (scenario.id, repeat) not in skip:
                queue.put_nowait(_Job(scenario, repeat))
    total = queue.qsize()

    workers = [
        asyncio.create_task(_worker(queue, adapter, options, on_transcript))
        for _ in range(max(1, min(options.concurrency, total)))
    ]
    try:
        await asyncio.gather(*workers)
    finally:
        for worker in workers:
            worker.cancel()
    return total


async def _worker(
    queue: asyncio.Queue[_Job], adapter: BotAdapter, options: ReplayOptions, on_transcript: OnTranscript
) -> None:
    while True:
        try:
            job = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        transcript = await replay_conversation(job.scenario, adapter, options, repeat=job.repeat)
        result = on_transcript(transcript)
        if result is not None:
            await result


async def replay_conversation(
    scenario: Scenario, adapter: BotAdapter, options: ReplayOptions, *, repeat: int = 0
) -> Transcript:
    """Replay the turns of one scenario in order and return the transcript."""
    conversation_id = scenario.id if repeat == 0 else f"{scenario.id}#{repeat}"
    if options.namespace:
        conversation_id = f"{conversation_id}@{options.namespace}"
    conversation = ConversationState(
        id=conversation_id,
        scenario=scenario,
        user_id=_user_id(conversation_id),
    )
    started_at = datetime.now(UTC)
    start = time.perf_counter()

    replies: list[Reply] = []
    try:
        for turn in scenario.turns:
            reply = await _send_turn(adapter, conversation, turn, options)
            replies.append(reply)
            conversation.history.append((turn, reply))
    finally:
        await _end_conversation(adapter, conversation)

    duration_ms = (time.perf_counter() - start) * 1000
    return Transcript(scenario, replies, repeat, started_at, duration_ms)


async def _send_turn(
    adapter: BotAdapter, conversation: ConversationState, turn: Turn, options: ReplayOptions
) -> Reply:
    attempts = 0
    delay = options.backoff_s
    while True:
        attempts += 1
        start = time.perf_counter()
        try:
            # asyncio.timeout, unlike wait_for, does not wrap every bot call in a new task.
            async with asyncio.timeout(options.timeout_s):
                reply = await adapter.reply(conversation, turn)
        except TransportError as exc:
            if attempts <= options.retries:
                logger.info("conversation %s: %s; retry %d in %.1fs", conversation.id, exc, attempts, delay)
                await asyncio.sleep(delay)
                delay *= 2
                continue
            return _failed(f"bot unreachable after {attempts} attempts: {exc}", start, attempts)
        except TimeoutError:
            return _failed(f"timed out after {options.timeout_s:g}s", start, attempts)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the bot's failure is this turn's result, not the run's end
            logger.info("conversation %s turn %d: %s", conversation.id, conversation.turn_index, exc)
            return _failed(_describe(exc), start, attempts)
        return _finish(reply, start, attempts)


def _finish(reply: object, start: float, attempts: int) -> Reply:
    if not isinstance(reply, Reply):
        return _failed(f"malformed reply: adapter returned {type(reply).__name__}, not a Reply", start, attempts)
    elapsed = (time.perf_counter() - start) * 1000
    updates: dict[str, object] = {"attempts": attempts}
    if reply.latency_ms is None:
        updates["latency_ms"] = round(elapsed, 1)
    return reply.model_copy(update=updates)


def _failed(reason: str, start: float, attempts: int) -> Reply:
    elapsed = (time.perf_counter() - start) * 1000
    # A bot's error page can echo a credential back; results.jsonl must not keep it.
    return Reply.failed(mask_text(reason), latency_ms=round(elapsed, 1), attempts=attempts)


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _end_conversation(adapter: BotAdapter, conversation: ConversationState) -> None:
    # Adapters that hold a resource per conversation (a subprocess, a session) release it here.
    end = getattr(adapter, "end_conversation", None)
    if end is None:
        return
    try:
        await end(conversation)
    except Exception as exc:
        logger.warning("conversation %s: closing the bot session failed: %s", conversation.id, exc)


def _user_id(conversation_id: str) -> str:
    # A synthetic id derived from the conversation id, so it is stable within a run, and
    # digits only, as Instagram-scoped ids are.
    digest = hashlib.sha256(conversation_id.encode()).hexdigest()
    return str(int(digest[:15], 16))
