"""HTTP plumbing shared by the ``http`` and ``openai`` adapters: the pool, sending, and errors.

Connection refused or reset before a response becomes a
:class:`~harness.adapters.TransportError`, which the replay engine retries; a timeout, an
HTTP status of 300 or more and a body that is not JSON become a
:class:`~harness.adapters._coerce.ReplyError`. Messages show at most 200 characters of the
body, with secrets masked.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from harness.adapters._base import TransportError
from harness.adapters._coerce import ReplyError, preview
from harness.adapters.builtin._secrets import SecretMasker

__all__ = ["HttpEndpoint"]


class HttpEndpoint:
    """A keep-alive connection pool to one endpoint, created on first use.

    Args:
        label: How messages and logs name the endpoint, such as ``POST http://host/hook``;
            it must hold no secret.
        timeout: Seconds to wait for a whole response.
        max_connections: Pool size; connections kept alive are as many.
        masker: Hides secrets in error messages built from response bodies.
    """

    def __init__(self, label: str, *, timeout: float, max_connections: int, masker: SecretMasker) -> None:
        self.label = label
        self.timeout = timeout
        self.max_connections = max_connections
        self.masker = masker
        self._client: httpx.AsyncClient | None = None

    async def send(self, method: str, url: str, *, headers: dict[str, str], body: str) -> httpx.Response:
        """Send one request and return the response, whatever its status.

        Raises:
            TransportError: The connection was refused or reset before a response.
            ReplyError: No response within the timeout, or another HTTP failure.
        """
        try:
            return await self._pool().request(method, url, content=body.encode(), headers=headers)
        except httpx.TimeoutException:
            raise ReplyError(f"no response from {self.label} within {self.timeout:g}s") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            reason = self.masker.mask(str(exc)) or type(exc).__name__
            raise TransportError(f"{self.label}: {reason}") from None
        except httpx.HTTPError as exc:
            raise ReplyError(f"{self.label} failed: {type(exc).__name__}: {self.masker.mask(str(exc))}") from None

    def json_of(self, response: httpx.Response, *, allow_empty: bool = False) -> Any:
        """Return the JSON document of a successful response.

        Args:
            response: The response.
            allow_empty: Return ``None`` for an empty body instead of raising.

        Raises:
            ReplyError: The status is 300 or more, or the body is not JSON.
        """
        text = response.text
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
        """Close the pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _pool(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                limits=httpx.Limits(
                    max_connections=self.max_connections, max_keepalive_connections=self.max_connections
                ),
            )
        return self._client
