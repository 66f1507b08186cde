"""Calls to the bot's webhook: signed event POSTs and the subscription verification GET."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

import aiohttp

from harness.adapters._base import TransportError
from harness.adapters.instagram._signature import SIGNATURE_HEADER, sign_body

__all__ = ["WebhookClient", "WebhookError", "WebhookResponse"]

_BODY_PREVIEW = 200


class WebhookError(Exception):
    """The bot's webhook answered in a way Meta would treat as a failure."""


@dataclass(frozen=True)
class WebhookResponse:
    """The HTTP status and the start of the body the bot returned."""

    status: int
    reason: str
    text: str


class WebhookClient:
    """Posts signed webhook events to the bot, as Meta's servers do.

    Args:
        url: The bot's webhook URL.
        app_secret: The app secret that signs every body; it is never logged.
        timeout_s: Seconds one request may take.
    """

    def __init__(self, url: str, app_secret: str, timeout_s: float) -> None:
        self._url = url
        self._app_secret = app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, body: bytes) -> WebhookResponse:
        """POST one event body with its ``X-Hub-Signature-256`` header.

        Raises:
            TransportError: The connection was refused or reset.
            WebhookError: The bot did not answer within the timeout.
        """
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign_body(body, self._app_secret)}
        return await self._request("POST", data=body, headers=headers)

    async def verify_subscription(self, verify_token: str) -> None:
        """Run the subscription handshake: a GET that the bot must answer with the challenge.

        Raises:
            TransportError: The connection was refused or reset.
            WebhookError: The bot rejected the verify token or did not echo the challenge.
        """
        challenge = str(secrets.randbelow(10**9))
        params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
        response = await self._request("GET", params=params)

        if response.status != 200:
            raise WebhookError(
                f"subscription verification failed: the bot returned HTTP {response.status} {response.reason} "
                "to the GET with hub.mode=subscribe; check that verify_token matches the bot's verify token"
            )
        if response.text.strip() != challenge:
            raise WebhookError(
                f"subscription verification failed: the bot returned {response.text[:_BODY_PREVIEW]!r} "
                f"instead of the hub.challenge value {challenge!r}; it must return the challenge as the whole body"
            )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(self, method: str, **kwargs: object) -> WebhookResponse:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self._url, **kwargs) as response:  # type: ignore[arg-type]
                text = await response.text(errors="replace")
                return WebhookResponse(status=response.status, reason=response.reason or "", text=text[:_BODY_PREVIEW])
        except TimeoutError:
            # Caught first: aiohttp's timeout errors also derive from its connection errors.
            seconds = self._timeout.total or 0
            raise WebhookError(f"the bot did not answer the webhook {method} within {seconds * 1000:.0f} ms") from None
        except (aiohttp.ClientConnectionError, ConnectionError) as exc:
            raise TransportError(f"cannot reach the bot's webhook at {self._url}: {exc}") from exc
