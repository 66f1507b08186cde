"""What the local Send API captured for one user, and waiting for it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from harness.adapters.instagram._clock import SimulatedClock
from harness.conversations import Message

__all__ = ["Capture", "Inbox", "Rejection"]


@dataclass(frozen=True)
class Capture:
    """One Send API call the local server accepted: a bubble, or a handover."""

    message: Message | None
    """The bubble; ``None`` for a ``pass_thread_control`` call."""

    handover: bool
    received: float
    """Arrival time on :func:`time.monotonic`."""

    sent_ms: int
    """Arrival time on the conversation's simulated clock, in epoch milliseconds."""


@dataclass(frozen=True)
class Rejection:
    """A Send API call the local server rejected with a Graph API error."""

    received: float
    """Arrival time on :func:`time.monotonic`."""

    recipient_id: str | None
    reason: str
    wrong_recipient: bool = False
    """The call named a recipient id that is not a user of any conversation in the run."""


@dataclass
class Inbox:
    """Everything the bot sent to one user, in arrival order.

    ``consumed`` counts the captures already given to a turn; the ones after it arrived once
    the last turn was complete, or belong to the turn in progress.
    """

    user_id: str
    conversation_id: str
    clock: SimulatedClock
    captures: list[Capture] = field(default_factory=list)
    consumed: int = 0
    last_user_ms: int | None = None
    """Simulated time of the user's last message, for the 24-hour window."""

    _arrived: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    def add(self, message: Message | None, *, handover: bool = False) -> Capture:
        """Record one accepted Send API call and wake the turn waiting for it."""
        capture = Capture(message=message, handover=handover, received=time.monotonic(), sent_ms=self.clock.now_ms())
        self.captures.append(capture)
        self._arrived.set()
        return capture

    async def wait_beyond(self, count: int, deadline: float) -> bool:
        """Wait until more than ``count`` captures exist or ``deadline`` (monotonic) passes.

        Returns:
            Whether more than ``count`` captures exist.
        """
        while len(self.captures) <= count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                break
        return len(self.captures) > count
