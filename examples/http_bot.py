"""The example DM bot served over HTTP, to try the ``http`` adapter on.

Run it with::

    python examples/http_bot.py --host 127.0.0.1 --port 8808

``POST /chat`` takes ``{"conversation_id", "user_id", "text", "payload"}`` and returns
``{"messages": [{"text", "quick_replies"}], "handover": bool, "captured": {...}}``.
``GET /health`` returns ``{"status": "ok"}``. The server keeps each conversation's state in
memory, by ``conversation_id``, and drops the least recently used one when it stores more
than ``--max-conversations``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

try:
    from examples.dm_bot import reply as bot_reply
except ImportError:
    # Run as a script, so this file's folder is on sys.path instead of the repository root.
    from dm_bot import reply as bot_reply  # type: ignore[no-redef]

__all__ = ["build_app", "main"]

logger = logging.getLogger("http_bot")

MAX_CONVERSATIONS = 10_000


@dataclass
class Conversation:
    """One conversation as the bot reads it: its id and its state between turns."""

    id: str
    state: dict[str, Any] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Serialises turns of the same conversation, as a DM thread is."""


@dataclass(frozen=True)
class Message:
    """One inbound message, with the fields the bot reads."""

    user: str
    payload: str | None


class ConversationStore:
    """Conversations by id, dropping the least recently used past ``limit``."""

    def __init__(self, limit: int = MAX_CONVERSATIONS) -> None:
        self.limit = limit
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()

    def get(self, conversation_id: str) -> Conversation:
        """Return the conversation, creating it on its first message."""
        conversation = self._conversations.pop(conversation_id, None) or Conversation(conversation_id)
        self._conversations[conversation_id] = conversation
        if len(self._conversations) > self.limit:
            dropped, _ = self._conversations.popitem(last=False)
            logger.info("dropped conversation %s: more than %d conversations", dropped, self.limit)
        return conversation

    def __len__(self) -> int:
        return len(self._conversations)


CONVERSATIONS = web.AppKey("conversations", ConversationStore)


def build_app(max_conversations: int = MAX_CONVERSATIONS) -> web.Application:
    """Build the aiohttp application with ``POST /chat`` and ``GET /health``."""
    app = web.Application()
    app[CONVERSATIONS] = ConversationStore(max_conversations)
    app.router.add_post("/chat", chat)
    app.router.add_get("/health", health)
    return app


async def chat(request: web.Request) -> web.Response:
    """Reply to one message of one conversation."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "the request body is not valid JSON")
    problem = _validate(body)
    if problem:
        return _error(400, problem)

    conversation = request.app[CONVERSATIONS].get(body["conversation_id"])
    message = Message(user=body.get("text") or "", payload=body.get("payload"))
    async with conversation.lock:
        result = bot_reply(conversation, message)
    logger.info("conversation %s: replied, handover=%s", conversation.id, result["handover"])
    return web.json_response(result)


async def health(request: web.Request) -> web.Response:
    """Report that the server is up."""
    return web.json_response({"status": "ok"})


def _validate(body: Any) -> str | None:
    """Return what is wrong with a /chat request body, or None when it is valid."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    conversation_id = body.get("conversation_id")
    if not isinstance(conversation_id, str) or not conversation_id:
        return "conversation_id is missing or not a non-empty string"
    for name in ("text", "payload", "user_id"):
        if body.get(name) is not None and not isinstance(body[name], str):
            return f"{name} must be a string or null"
    if not (body.get("text") or body.get("payload")):
        return "the message needs a text or a payload"
    return None


def _error(status: int, message: str) -> web.Response:
    logger.warning("rejected a /chat request: %s", message)
    return web.json_response({"error": message}, status=status)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the example DM bot over HTTP (POST /chat).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8808, help="TCP port to listen on (default: 8808)")
    parser.add_argument(
        "--max-conversations",
        type=int,
        default=MAX_CONVERSATIONS,
        help=f"conversations kept in memory before the least recently used is dropped (default: {MAX_CONVERSATIONS})",
    )
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logger.info("serving the example DM bot on http://%s:%d/chat", args.host, args.port)
    web.run_app(build_app(args.max_conversations), host=args.host, port=args.port, print=None)
    logger.info("stopped")


if __name__ == "__main__":
    main()
