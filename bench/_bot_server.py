"""A local bot for the benchmarks: an aiohttp server that replies to each turn after a fixed delay.

The bot replies to ``POST /reply`` with ``{"reply": "..."}`` after ``--latency-ms``. It keeps one
turn counter per conversation, so it counts turns that arrive out of order (turn 3 before
turn 2) and turns that overlap (turn 2 sent before the bot answered turn 1). ``GET /stats``
returns those counts, the request count, the time of the first and last request and the
delay measured; ``POST /reset`` clears them.

Why aiohttp: a server that writes the headers and the body of a response in two writes makes a
keep-alive client wait for a delayed ACK (about 40 ms on Linux) before the second write leaves,
which would make the bot, not the tool under test, the bottleneck. aiohttp sets TCP_NODELAY on
every accepted socket and sends the buffered headers together with the body in one write.
:func:`measure_plain_client` shows that a plain client reaches the physical limit against it.

Run it alone with ``python bench/_bot_server.py --port 8700 --latency-ms 20``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

__all__ = ["BotProcess", "PlainClientResult", "measure_plain_client", "reply_text"]

HOST = "127.0.0.1"
_TIMER_ROUNDING_S = 0.0005


def reply_text(text: str, turn_index: int) -> str:
    """Return the bot's deterministic reply to one user message.

    Every reply starts with "Thanks", carries a reference number ``REF-<digits>`` and stays
    under 640 characters, so the benchmark's three checks (contains, regex, length) pass.
    """
    topic = " ".join(text.split()[:12])
    return f"Thanks for your message! About \"{topic}\": here is what I found. (turn {turn_index + 1}, REF-{1000 + turn_index})"


class _BotState:
    """Counters the bot keeps between requests."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.out_of_order = 0
        self.overlapping = 0
        self.next_turn: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.delay_total_s = 0.0
        self.delay_max_s = 0.0

    def record(self, conversation: str, turn_index: int | None) -> int:
        """Count one request and return the index of the turn the bot replies to."""
        now = time.time()
        self.requests += 1
        self.first_at = self.first_at or now
        self.last_at = now

        expected = self.next_turn.get(conversation, 0)
        turn = expected if turn_index is None else turn_index
        if turn != expected:
            self.out_of_order += 1
        self.next_turn[conversation] = turn + 1

        # A turn sent before the bot answered the previous one of the same conversation.
        if self.in_flight.get(conversation):
            self.overlapping += 1
        self.in_flight[conversation] = self.in_flight.get(conversation, 0) + 1
        return turn

    def answered(self, conversation: str) -> None:
        """Count one reply of ``conversation`` as sent."""
        self.in_flight[conversation] -= 1

    def record_delay(self, seconds: float) -> None:
        """Count how long one reply was held, from the request's arrival to the response."""
        self.delay_total_s += seconds
        self.delay_max_s = max(self.delay_max_s, seconds)

    def snapshot(self) -> dict[str, Any]:
        """Return the counters as the ``/stats`` document."""
        mean = self.delay_total_s / self.requests * 1000 if self.requests else None
        return {
            "requests": self.requests,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "out_of_order": self.out_of_order,
            "overlapping": self.overlapping,
            "conversations": len(self.next_turn),
            "delay_mean_ms": round(mean, 3) if mean is not None else None,
            "delay_max_ms": round(self.delay_max_s * 1000, 3),
        }


async def _wait_until(deadline: float) -> None:
    # asyncio's epoll wait rounds its timeout up to the next millisecond, so a plain sleep
    # ends 0.5 ms late on average. Waking half a millisecond early centres the delay on the
    # requested latency, and /stats reports the delay measured.
    await asyncio.sleep(max(0.0, deadline - time.perf_counter() - _TIMER_ROUNDING_S))


async def _handle(request: web.BaseRequest, state: _BotState) -> web.Response:
    if request.method == "POST" and request.path == "/reply":
        return await _reply(request, state)
    if request.path == "/stats":
        return web.json_response(state.snapshot())
    if request.method == "POST" and request.path == "/reset":
        state.reset()
        return web.json_response({"ok": True})
    return web.json_response({"error": f"no route {request.method} {request.path}"}, status=404)


async def _reply(request: web.BaseRequest, state: _BotState) -> web.Response:
    received = time.perf_counter()
    data = await request.json()
    conversation = str(data.get("conversation_id", ""))
    turn_index = data.get("turn_index")
    turn = state.record(conversation, int(turn_index) if turn_index not in (None, "") else None)

    try:
        await _wait_until(received + state.latency_s)
        response = web.json_response({"reply": reply_text(str(data.get("text", "")), turn)})
    finally:
        state.answered(conversation)
    state.record_delay(time.perf_counter() - received)
    return response


async def _serve(port: int, latency_s: float) -> None:
    state = _BotState(latency_s)

    # The low-level server skips routing and middleware: less work per request for the bot.
    server = web.Server(functools.partial(_handle, state=state), access_log=None)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(server, HOST, port, backlog=1024)
    bound = listener.sockets[0].getsockname()[1]
    # The parent process reads this line to learn the port.
    print(f"listening on http://{HOST}:{bound}", flush=True)
    await asyncio.Event().wait()


class BotProcess:
    """The bot server in its own process, so it never shares a core's GIL with the tool measured.

    Args:
        latency_ms: Delay of every reply.
    """

    def __init__(self, latency_ms: float) -> None:
        self.latency_ms = latency_ms
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> BotProcess:
        command = [sys.executable, str(Path(__file__).resolve()), "--port", "0", "--latency-ms", str(self.latency_ms)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("listening on "):
            self.__exit__()
            raise RuntimeError(f"the bench bot did not start: {line!r}")
        self.base_url = line.removeprefix("listening on ").strip()
        return self

    def __exit__(self, *_: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        """The reply endpoint."""
        return f"{self.base_url}/reply"

    def stats(self) -> dict[str, Any]:
        """Return the bot's counters."""
        with urllib.request.urlopen(f"{self.base_url}/stats", timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        """Clear the bot's counters and conversation state."""
        request = urllib.request.Request(f"{self.base_url}/reset", data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@dataclass(frozen=True)
class PlainClientResult:
    """Timing of a minimal keep-alive client against the bot."""

    requests: int
    concurrency: int
    latency_ms: float
    wall_s: float

    @property
    def limit_s(self) -> float:
        """The physical limit: requests × latency / concurrency."""
        return self.requests * self.latency_ms / 1000 / self.concurrency

    @property
    def ratio(self) -> float:
        """Wall time over the physical limit; 1.0 is the best any client can do."""
        return self.wall_s / self.limit_s


def measure_plain_client(url: str, *, requests: int, concurrency: int, latency_ms: float) -> PlainClientResult:
    """Send ``requests`` POSTs over ``concurrency`` keep-alive connections and time them."""
    return asyncio.run(_plain_client(url, requests, concurrency, latency_ms))


async def _plain_client(url: str, requests: int, concurrency: int, latency_ms: float) -> PlainClientResult:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(requests):
        queue.put_nowait(number)

    async def worker(session: ClientSession) -> None:
        while not queue.empty():
            number = queue.get_nowait()
            body = {"conversation_id": f"plain-{number}", "turn_index": 0, "text": "hello"}
            async with session.post(url, json=body) as response:
                await response.read()

    connector = TCPConnector(limit=concurrency)
    async with ClientSession(connector=connector, timeout=ClientTimeout(total=30)) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return PlainClientResult(requests, concurrency, latency_ms, wall)


def main() -> None:
    """Serve the bot until interrupted."""
    parser = argparse.ArgumentParser(description="Local benchmark bot: replies to POST /reply after a fixed delay.")
    parser.add_argument("--port", type=int, default=8700, help="TCP port on 127.0.0.1 (0 picks a free one)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="delay of every reply, in milliseconds")
    args = parser.parse_args()
    try:
        asyncio.run(_serve(args.port, args.latency_ms / 1000))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
