"""An example Instagram Messaging bot on aiohttp, answering with ``examples/dm_bot.py:reply``.

It does what a production webhook must: responds to the subscription GET, verifies
``X-Hub-Signature-256`` over the raw body (HTTP 403 when wrong), returns 200 at once and works
in the background, drops a message id it has already seen (Meta retries deliveries), ignores
echoes of its own messages, and replies to each user strictly in order through the Send API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib.util
import inspect
import json
import logging
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from examples.instagram_bot.graph import GraphClient, send_api_message

__all__ = ["BotConfig", "Conversation", "IncomingMessage", "create_app", "incoming_messages", "signature_valid"]

logger = logging.getLogger(__name__)

ReplyFunction = Callable[[Any, Any], Any]

PAGE_INBOX_APP_ID = "263902037430900"
"""The fixed app id of the Facebook Page Inbox, the usual target of a handover to people.
Set ``HANDOVER_APP_ID`` to hand over to another inbox app."""

_SEEN_LIMIT = 10_000
"""Message ids remembered for deduplication; Meta retries within minutes, not days."""

@dataclass(frozen=True)
class BotConfig:
    """The bot's settings; the three secrets never appear in its repr or logs."""

    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)
    access_token: str = field(repr=False)
    graph_api_base: str = "https://graph.facebook.com/v21.0"
    handover_app_id: str = PAGE_INBOX_APP_ID

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BotConfig:
        """Read ``IG_APP_SECRET``, ``IG_VERIFY_TOKEN``, ``IG_ACCESS_TOKEN``, ``GRAPH_API_BASE``
        and ``HANDOVER_APP_ID``.

        Raises:
            KeyError: A required variable is not set; the message names it.
        """
        environ = os.environ if environ is None else environ
        missing = [name for name in ("IG_APP_SECRET", "IG_VERIFY_TOKEN", "IG_ACCESS_TOKEN") if not environ.get(name)]
        if missing:
            raise KeyError(f"set the environment variable(s) {', '.join(missing)}")
        return cls(
            app_secret=environ["IG_APP_SECRET"],
            verify_token=environ["IG_VERIFY_TOKEN"],
            access_token=environ["IG_ACCESS_TOKEN"],
            graph_api_base=environ.get("GRAPH_API_BASE") or cls.graph_api_base,
            handover_app_id=environ.get("HANDOVER_APP_ID") or PAGE_INBOX_APP_ID,
        )


@dataclass
class Conversation:
    """The conversation passed to ``dm_bot.reply``: an id and the bot's own state."""

    id: str
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> str:
        """The Instagram-scoped id of the user, which is also the conversation id."""
        return self.id


@dataclass(frozen=True)
class IncomingMessage:
    """One user message, with the attribute names of the harness's turns."""

    user: str
    kind: str = "text"
    payload: str | None = None
    title: str | None = None


@dataclass
class _BotState:
    reply: ReplyFunction
    graph: GraphClient
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


CONFIG = web.AppKey("config", BotConfig)
STATE = web.AppKey("state", _BotState)


def create_app(config: BotConfig, reply: ReplyFunction | None = None) -> web.Application:
    """Build the bot's web application, serving ``GET`` and ``POST /webhook``.

    Args:
        config: Secrets and the Graph API base URL.
        reply: The bot's logic; ``None`` loads ``reply`` from ``examples/dm_bot.py``.
    """
    app = web.Application()
    app[CONFIG] = config
    app[STATE] = _BotState(reply=reply or _load_dm_bot(), graph=GraphClient(config.graph_api_base, config.access_token))
    app.router.add_get("/webhook", _verify_subscription)
    app.router.add_post("/webhook", _receive)
    app.on_cleanup.append(_shutdown)
    return app


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Check ``X-Hub-Signature-256`` against the HMAC-SHA256 of the raw body, in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256="), expected)


def incoming_messages(payload: dict[str, Any]) -> list[tuple[str, str, IncomingMessage]]:
    """Return ``(sender id, message id, message)`` for each user message or postback in a body.

    Echoes, deleted and unsupported messages, reactions and read receipts are skipped.
    """
    found = []
    for entry in payload.get("entry") or []:
        for event in entry.get("messaging") or []:
            parsed = _parse_event(event)
            if parsed is not None:
                found.append(parsed)
    return found


async def _verify_subscription(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    token = request.query.get("hub.verify_token", "")
    if request.query.get("hub.mode") == "subscribe" and hmac.compare_digest(token, config.verify_token):
        return web.Response(text=request.query.get("hub.challenge", ""))
    logger.warning("subscription verification rejected: wrong mode or verify token")
    return web.Response(status=403, text="verification failed")


async def _receive(request: web.Request) -> web.Response:
    body = await request.read()
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256"), request.app[CONFIG].app_secret):
        logger.warning("webhook POST rejected: invalid X-Hub-Signature-256")
        return web.Response(status=403, text="invalid signature")
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        return web.Response(status=400, text="invalid JSON")

    state = request.app[STATE]
    for sender_id, mid, message in incoming_messages(payload):
        if _seen_before(state, mid):
            logger.info("duplicate delivery of %s ignored", mid)
            continue
        task = asyncio.create_task(_answer(request.app, sender_id, message))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)
    # Meta expects a 200 quickly, so the reply is sent in the background.
    return web.Response(text="EVENT_RECEIVED")


def _parse_event(event: dict[str, Any]) -> tuple[str, str, IncomingMessage] | None:
    sender_id = str((event.get("sender") or {}).get("id") or "")
    message = event.get("message")
    postback = event.get("postback")
    if isinstance(postback, dict):
        title = str(postback.get("title") or "")
        incoming = IncomingMessage(user=title, kind="postback", payload=postback.get("payload"), title=title)
        return sender_id, str(postback.get("mid") or ""), incoming
    if not isinstance(message, dict) or any(message.get(key) for key in ("is_echo", "is_deleted", "is_unsupported")):
        return None
    return sender_id, str(message.get("mid") or ""), _incoming(message)


def _incoming(message: dict[str, Any]) -> IncomingMessage:
    text = str(message.get("text") or "")
    if isinstance(message.get("quick_reply"), dict):
        return IncomingMessage(user=text, kind="quick_reply", payload=message["quick_reply"].get("payload"), title=text)
    if isinstance((message.get("reply_to") or {}).get("story"), dict):
        return IncomingMessage(user=text, kind="story_reply")
    if message.get("attachments"):
        return IncomingMessage(user=text, kind="attachment")
    return IncomingMessage(user=text)


def _seen_before(state: _BotState, mid: str) -> bool:
    if not mid:
        return False
    if mid in state.seen:
        return True
    state.seen[mid] = None
    if len(state.seen) > _SEEN_LIMIT:
        state.seen.popitem(last=False)
    return False


async def _answer(app: web.Application, sender_id: str, message: IncomingMessage) -> None:
    state = app[STATE]
    # One user's messages are handled in order, and different users concurrently.
    async with state.locks.setdefault(sender_id, asyncio.Lock()):
        conversation = state.conversations.setdefault(sender_id, Conversation(id=sender_id))
        try:
            result = state.reply(conversation, message)
            if inspect.isawaitable(result):
                result = await result
        except Exception:
            logger.exception("the bot's reply() failed for %s", sender_id)
            return
        bubbles, handover = _bubbles(result)
        for bubble in bubbles:
            await state.graph.send_message(sender_id, send_api_message(bubble))
        if handover:
            await state.graph.pass_thread_control(sender_id, app[CONFIG].handover_app_id)


def _bubbles(result: Any) -> tuple[list[dict[str, Any]], bool]:
    """Turn what ``reply`` returned (str, list of str, or dict with messages) into bubbles."""
    if result is None:
        return [], False
    if isinstance(result, str):
        return ([{"text": result}] if result else []), False
    if isinstance(result, list | tuple):
        return [item if isinstance(item, dict) else {"text": str(item)} for item in result], False
    messages, _ = _bubbles(result.get("messages") or result.get("text"))
    extras = {key: result[key] for key in ("quick_replies", "buttons") if result.get(key)}
    if extras:
        last = messages.pop() if messages else {}
        messages.append({**last, **extras})
    return messages, bool(result.get("handover"))


def _load_dm_bot() -> ReplyFunction:
    path = Path(__file__).resolve().parent.parent / "dm_bot.py"
    spec = importlib.util.spec_from_file_location("examples_dm_bot", path)
    if spec is None or spec.loader is None or not path.exists():
        raise FileNotFoundError(f"{path} not found; pass reply= to create_app")
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, because dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.reply


async def _shutdown(app: web.Application) -> None:
    state = app[STATE]
    for task in list(state.tasks):
        task.cancel()
    await asyncio.gather(*state.tasks, return_exceptions=True)
    await state.graph.aclose()
