"""Concurrent replays of one pytest process, fed by a :class:`~harness.testing._claims.ClaimQueue`."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from harness.adapters import BotAdapter, create_adapter
from harness.conversations import Scenario, Suite
from harness.replay import ReplayOptions, Transcript, replay_conversation
from harness.rubrics import Rubric
from harness.runs import RunConfig
from harness.scoring import ConversationResult, Scorer
from harness.testing._claims import ClaimQueue
from harness.testing._store import POLL_INTERVAL_S

__all__ = ["Replayer"]

Job = tuple[Scenario, int]
"""A scenario and the index of one of its repeats."""


class Replayer:
    """Replays and scores scenarios on one event loop, with one adapter, in one process.

    The loop lives as long as the session, because an adapter may hold loop-bound resources
    (an HTTP client, a local server) from one item to the next.

    Args:
        config: The run config: adapter, timeouts, retries and repeats.
        suite: The suite, which the scorer needs for suite-wide checks.
        rubric: The rubric to score with.
        run_id: The run id written into each result.
        concurrency: Conversations this process replays at once.
    """

    def __init__(self, config: RunConfig, suite: Suite, rubric: Rubric, run_id: str, *, concurrency: int) -> None:
        self._config = config
        self._run_id = run_id
        self._scorer = Scorer(rubric, suite)
        self._loop = asyncio.new_event_loop()
        self._adapter: BotAdapter | None = None
        replay_config = config.replay
        self._options = ReplayOptions(
            concurrency=concurrency,
            timeout_s=replay_config.timeout_s,
            retries=replay_config.retries,
            backoff_s=replay_config.backoff_s,
            repeats=replay_config.repeats,
        )

    def run(self, queue: ClaimQueue) -> None:
        """Replay and score what ``queue`` hands out, ``concurrency`` conversations at a time.

        Returns once the queue hands out nothing more and waits for no other process. On any
        error, the claims of the scenarios left without results are dropped.
        """
        task = self._loop.create_task(self._run(queue))
        try:
            self._loop.run_until_complete(task)
        except BaseException:
            # After Ctrl-C the task is still pending: cancel it so that its slots stop.
            task.cancel()
            with contextlib.suppress(BaseException):
                self._loop.run_until_complete(task)
            raise
        finally:
            queue.release_unfinished()

    async def _run(self, queue: ClaimQueue) -> None:
        jobs: deque[Job] = deque()
        scored: dict[str, list[ConversationResult]] = {}
        slots = [asyncio.create_task(self._slot(queue, jobs, scored)) for _ in range(self._options.concurrency)]
        try:
            await asyncio.gather(*slots)
        finally:
            for slot in slots:
                slot.cancel()
            await asyncio.gather(*slots, return_exceptions=True)

    async def _slot(self, queue: ClaimQueue, jobs: deque[Job], scored: dict[str, list[ConversationResult]]) -> None:
        # One conversation at a time: the repeats of a claimed scenario first, then a new claim.
        while True:
            job = jobs.popleft() if jobs else self._claim_job(queue, jobs)
            if job is None and not queue.waiting:
                return
            if job is None:
                await asyncio.sleep(POLL_INTERVAL_S)
                continue

            scenario, repeat = job
            transcript = await replay_conversation(scenario, self._adapter_for(), self._options, repeat=repeat)
            replays = scored.setdefault(scenario.id, [])
            replays.append(self._score(transcript))
            if len(replays) == self._options.repeats:
                queue.finish(scenario.id, sorted(replays, key=lambda result: result.repeat))

    def _claim_job(self, queue: ClaimQueue, jobs: deque[Job]) -> Job | None:
        scenario = queue.next()
        if scenario is None:
            return None
        jobs.extend((scenario, repeat) for repeat in range(self._options.repeats))
        return jobs.popleft()

    def _adapter_for(self) -> BotAdapter:
        if self._adapter is None:
            # Created inside the loop, so that loop-bound resources bind to it, and only once a
            # scenario is claimed, so that a process that only waits never reaches the bot.
            self._adapter = create_adapter(self._config.adapter.name, self._config.adapter.options)
        return self._adapter

    def _score(self, transcript: Transcript) -> ConversationResult:
        return self._scorer.score(
            transcript.scenario,
            transcript.replies,
            run_id=self._run_id,
            started_at=transcript.started_at,
            duration_ms=transcript.duration_ms,
            repeat=transcript.repeat,
        )

    def close(self) -> None:
        """Close the adapter, then the loop."""
        try:
            if self._adapter is not None:
                self._loop.run_until_complete(self._adapter.aclose())
        finally:
            self._loop.close()
