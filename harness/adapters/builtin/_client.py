"""HTTP plumbing shared by the ``http`` and ``openai`` adapters: the pool, sending, and errors.

Connection refused, reset or closed by the server before a complete response becomes a
:class:`~harness.adapters.TransportError`, which the replay engine retries; a timeout, an
HTTP status of 300 or more and a body that is not JSON become a
:class:`~harness.adapters._coerce.ReplyError`. Messages show at most 200 characters of the
body, with secrets masked.

The pool is an :class:`aiohttp.ClientSession`. httpx's pool cost about 2.5 ms of CPU per
request with 32 connections, against 0.16 ms for aiohttp (``bench/replay.py``, see
``bench/RESULTS.md``).
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from harness.adapters._base import TransportError
from harness.adapters._coerce import ReplyError, preview
from harness.adapters.builtin._secrets import SecretMasker

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
"""Statuses of a bot that is overloaded or restarting, where a later attempt may succeed."""

__all__ = ["HttpEndpoint", "HttpResponse"]

# Errors that mean the request never got a whole response, so sending it again is safe to try.
# ClientPayloadError is a body cut short by the server closing the connection.
_TRANSPORT_ERRORS = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response read in full: its status and its body decoded to text."""

    status_code: int
    text: str


class HttpEndpoint:
    """A keep-alive connection pool to one endpoint, created on first use.

    Redirects are not followed, so a 3xx status is an error like any other status of 300 or
    more. Proxies come from ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY``,
    read once per scheme and host.

    Args:
        label: How messages and logs name the endpoint, such as ``POST http://host/hook``;
            it must contain no secret.
        timeout: Seconds to wait for a whole response, including a free pooled connection.
        max_connections: Pool size; connections kept alive are as many.
        masker: Hides secrets in error messages built from response bodies.
    """

    def __init__(self, label: str, *, timeout: float, max_connections: int, masker: SecretMasker) -> None:
        self.label = label
        self.timeout = timeout
        self.max_connections = max_connections
        self.masker = masker
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str | None], str | None] = {}

    async def send(self, method: str, url: str, *, headers: dict[str, str], body: str) -> HttpResponse:
        """Send one request and return the response read in full, whatever its status.

        Raises:
            TransportError: The connection was refused, reset or closed before a whole response.
            ReplyError: No response within the timeout, or another HTTP failure.
        """
        try:
            return await self._exchange(method, URL(url, encoded=False), headers, body.encode())
        except asyncio.TimeoutError:
            raise ReplyError(f"no response from {self.label} within {self.timeout:g}s") from None
        except _TRANSPORT_ERRORS as exc:
            reason = self.masker.mask(str(exc)) or type(exc).__name__
            raise TransportError(f"{self.label}: {reason}") from None
        except (aiohttp.ClientError, ValueError) as exc:
            # ValueError: yarl rejects a URL that cannot be parsed.
            raise ReplyError(f"{self.label} failed: {type(exc).__name__}: {self.masker.mask(str(exc))}") from None

    def json_of(self, response: HttpResponse, *, allow_empty: bool = False) -> Any:
        """Return the JSON document of a successful response.

        Args:
            response: The response.
            allow_empty: Return ``None`` for an empty body instead of raising.

        Raises:
            TransportError: The status says the bot is overloaded or briefly unavailable (429,
                502, 503, 504), which the replay engine retries with backoff.
            ReplyError: Any other status of 300 or more, or a body that is not JSON.
        """
        text = response.text
        if response.status_code in RETRYABLE_STATUSES:
            raise TransportError(f"HTTP {response.status_code} from {self.label}: {self.shown(text)}")
        if response.status_code >= 300:
            raise ReplyError(f"HTTP {response.status_code} from {self.label}: {self.shown(text)}")
        if allow_empty and not text.strip():
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ReplyError(
                f"invalid JSON from {self.label} (HTTP {response.status_code}): {self.shown(text)}"
            ) from None

    def shown(self, text: str) -> str:
        """Return ``text`` cut to 200 characters with secrets masked, for a message."""
        return preview(self.masker.mask(text)) or "(empty body)"

    async def aclose(self) -> None:
        """Close the pool and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _exchange(self, method: str, url: URL, headers: dict[str, str], body: bytes) -> HttpResponse:
        session = self._pool()
        async with session.request(
            method, url, data=body, headers=headers, allow_redirects=False, proxy=self._proxy_for(url)
        ) as response:
            raw = await response.read()
            return HttpResponse(response.status, _decode(raw, response.charset))

    def _pool(self) -> aiohttp.ClientSession:
        # Created here, not in __init__, because a session binds to the running event loop.
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self.max_connections, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
        return self._session

    def _proxy_for(self, url: URL) -> str | None:
        # aiohttp's trust_env would look the proxy up in a worker thread on every request.
        key = (url.scheme, url.host)
        if key not in self._proxies:
            self._proxies[key] = _environment_proxy(url)
        return self._proxies[key]


def _environment_proxy(url: URL) -> str | None:
    if url.host is None or urllib.request.proxy_bypass(url.host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(url.scheme) or proxies.get("all")


def _decode(raw: bytes, charset: str | None) -> str:
    # The declared charset, else UTF-8; undecodable bytes become U+FFFD rather than an error.
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")
