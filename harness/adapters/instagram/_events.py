"""Webhook bodies as Meta posts them for Instagram messaging.

A body is ``{"object": "instagram", "entry": [{"id", "time", "messaging": [event]}]}``, where
``entry.id`` is the business account's id and each event carries ``sender``, ``recipient``
and ``timestamp`` (epoch milliseconds) plus a ``message`` or a ``postback``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from harness.conversations import Message, Turn

__all__ = ["echo_body", "encode_body", "new_mid", "turn_body"]


def new_mid() -> str:
    """Return a fresh message id, unique across runs."""
    return f"m_{secrets.token_urlsafe(24)}"


def turn_body(turn: Turn, *, user_id: str, account_id: str, timestamp_ms: int, mid: str) -> dict[str, Any]:
    """Build the webhook body that delivers one user turn to the bot.

    The turn's kind selects the event: ``text`` a plain message, ``quick_reply`` a message
    with ``quick_reply.payload``, ``postback`` a ``postback`` event, ``story_reply`` a
    message with ``reply_to.story``, ``attachment`` a message with ``attachments``.
    """
    event: dict[str, Any] = {
        "sender": {"id": user_id},
        "recipient": {"id": account_id},
        "timestamp": timestamp_ms,
    }
    if turn.kind == "postback":
        event["postback"] = {"mid": mid, "title": turn.title or turn.user, "payload": turn.payload}
    else:
        event["message"] = _message(turn, mid)
    return _wrap(event, account_id=account_id, timestamp_ms=timestamp_ms)


def echo_body(message: Message, *, user_id: str, account_id: str, timestamp_ms: int, mid: str) -> dict[str, Any]:
    """Build the echo event Meta sends back to the bot for a message the account sent."""
    echo: dict[str, Any] = {"mid": mid, "is_echo": True}
    if message.text:
        echo["text"] = message.text
    event = {
        "sender": {"id": account_id},
        "recipient": {"id": user_id},
        "timestamp": timestamp_ms,
        "message": echo,
    }
    return _wrap(event, account_id=account_id, timestamp_ms=timestamp_ms)


def encode_body(body: dict[str, Any]) -> bytes:
    """Serialize a body once; these exact bytes are signed and sent."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _message(turn: Turn, mid: str) -> dict[str, Any]:
    message: dict[str, Any] = {"mid": mid}
    text = turn.title if turn.kind == "quick_reply" and not turn.user else turn.user
    if text:
        message["text"] = text
    if turn.kind == "quick_reply":
        message["quick_reply"] = {"payload": turn.payload}
    if turn.story is not None:
        story = {"id": turn.story.id}
        if turn.story.url:
            story["url"] = turn.story.url
        message["reply_to"] = {"story": story}
    if turn.attachments:
        message["attachments"] = [
            {"type": item.type, "payload": {"url": item.url} if item.url else {}} for item in turn.attachments
        ]
    return message


def _wrap(event: dict[str, Any], *, account_id: str, timestamp_ms: int) -> dict[str, Any]:
    return {"object": "instagram", "entry": [{"id": account_id, "time": timestamp_ms, "messaging": [event]}]}
