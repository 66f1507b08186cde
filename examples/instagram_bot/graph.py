"""A small client for the Send API calls the example bot makes."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

__all__ = ["GraphClient", "send_api_message"]

logger = logging.getLogger(__name__)

_EMPTY_TEXT_WITH_CHOICES = "Please choose one:"
"""Instagram rejects a message without text, so quick replies alone get this prompt."""


class GraphClient:
    """Calls ``{base}/me/messages`` and ``{base}/me/pass_thread_control`` with an access token.

    Args:
        base_url: The Graph API base with its version, such as ``https://graph.facebook.com/v21.0``.
        access_token: Sent in the ``Authorization`` header, so it stays out of URLs and logs.
    """

    def __init__(self, base_url: str, access_token: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._session: aiohttp.ClientSession | None = None

    async def send_message(self, recipient_id: str, message: dict[str, Any]) -> bool:
        """Send one bubble; return whether the Graph API accepted it."""
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
        return await self._post("me/messages", body)

    async def pass_thread_control(self, recipient_id: str, target_app_id: str) -> bool:
        """Hand the conversation over to the app ``target_app_id`` (the inbox where people reply)."""
        body = {"recipient": {"id": recipient_id}, "target_app_id": target_app_id, "metadata": "handover"}
        return await self._post("me/pass_thread_control", body)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, path: str, body: dict[str, Any]) -> bool:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        try:
            async with self._session.post(f"{self._base_url}/{path}", json=body, headers=self._headers) as response:
                if response.status == 200:
                    return True
                error = await response.text()
                logger.warning("Graph API %s failed: HTTP %d %s", path, response.status, error[:300])
        except aiohttp.ClientError as exc:
            logger.warning("Graph API %s failed: %s", path, exc)
        return False


def send_api_message(bubble: dict[str, Any]) -> dict[str, Any]:
    """Build the Send API ``message`` object for one bubble.

    A bubble with buttons becomes a button template; quick replies go under
    ``message.quick_replies`` with their title as the payload unless one is given.
    """
    text = str(bubble.get("text") or "")
    quick_replies = [_quick_reply(item) for item in bubble.get("quick_replies") or []]
    buttons = [_button(item) for item in bubble.get("buttons") or []]
    if not text and (quick_replies or buttons):
        text = _EMPTY_TEXT_WITH_CHOICES

    message: dict[str, Any] = {"text": text}
    if buttons:
        template = {"template_type": "button", "text": text, "buttons": buttons}
        message = {"attachment": {"type": "template", "payload": template}}
    if quick_replies:
        message["quick_replies"] = quick_replies
    return message


def _quick_reply(item: Any) -> dict[str, str]:
    if isinstance(item, dict):
        title = str(item.get("title") or "")
        return {"content_type": "text", "title": title, "payload": str(item.get("payload") or title)}
    return {"content_type": "text", "title": str(item), "payload": str(item)}


def _button(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        return {"type": "postback", "title": str(item), "payload": str(item)}
    title = str(item.get("title") or "")
    if item.get("url"):
        return {"type": "web_url", "title": title, "url": str(item["url"])}
    return {"type": "postback", "title": title, "payload": str(item.get("payload") or title)}
