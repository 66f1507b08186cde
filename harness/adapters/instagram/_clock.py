"""The simulated wall clock of one conversation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

__all__ = ["SimulatedClock"]


class SimulatedClock:
    """A wall clock in epoch milliseconds that runs at real speed from a chosen start.

    Webhook event timestamps and the send time of every captured message are read from it.
    :meth:`advance` moves it forward, so a test can simulate a long pause (such as the end of
    the 24-hour messaging window) without waiting.

    Args:
        start: The simulated time at creation; ``None`` uses the real current time. A naive
            datetime is taken as UTC.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start_ms = int(start.timestamp() * 1000)
        self._origin = time.monotonic()
        self._offset_ms = 0

    def now_ms(self) -> int:
        """Return the simulated current time in epoch milliseconds."""
        elapsed_ms = int((time.monotonic() - self._origin) * 1000)
        return self._start_ms + elapsed_ms + self._offset_ms

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``.

        Raises:
            ValueError: ``delta`` is negative, because event timestamps must not go back.
        """
        if delta < timedelta(0):
            raise ValueError(f"the simulated clock cannot go back (got {delta})")
        self._offset_ms += int(delta.total_seconds() * 1000)
