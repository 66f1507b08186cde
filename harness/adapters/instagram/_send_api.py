"""The local Graph API server that replaces Meta's Send API during a replay.

The bot under test is configured to call this server instead of ``graph.facebook.com``. It
accepts ``POST /{version}/me/messages`` and ``POST /{version}/me/pass_thread_control`` (also
with the business account id in place of ``me``), checks the access token, and records each
accepted call in the :class:`Inbox` of its recipient. Calls it rejects get the Graph API error
body a bot would see from Meta and are kept as :class:`Rejection` records, so a turn without a
reply can report why.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from harness.adapters.instagram._clock import SimulatedClock
from harness.adapters.instagram._events import new_mid
from harness.adapters.instagram._inbox import Capture, Inbox, Rejection
from harness.adapters.instagram._messages import SendRequestError, parse_message
from harness.errors import AdapterError

__all__ = ["GraphError", "MessageListener", "SendApiServer"]

logger = logging.getLogger(__name__)

_VERSION = re.compile(r"^v\d+\.\d+$")

MessageListener = Callable[[Inbox, Capture, str], None]
"""Called with the inbox, the capture and the message id of every accepted bubble."""


class GraphError(Exception):
    """A Graph API error response: HTTP status, error code and the message Meta would send."""

    def __init__(
        self, status: int, code: int, message: str, *, subcode: int | None = None, recipient_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.subcode = subcode
        # The recipient the rejected call named, when the body could be read that far.
        self.recipient_id = recipient_id

    def response(self) -> web.Response:
        """Build the JSON error response in the Graph API's shape."""
        error: dict[str, Any] = {"message": self.message, "type": "OAuthException", "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["fbtrace_id"] = new_mid()
        return web.json_response({"error": error}, status=self.status)


class SendApiServer:
    """An aiohttp server on ``host:port`` that captures the bot's Send API calls.

    Args:
        host: Address to listen on; keep it on loopback.
        port: Port to listen on; 0 picks a free one (read :attr:`base_url` after :meth:`start`).
        graph_version: The Graph API version in :attr:`base_url`, such as ``v21.0``; calls
            with any other ``vNN.N`` version are accepted too.
        account_id: The business account id that may replace ``me`` in the path.
        access_token: The token every call must carry; ``None`` accepts any non-empty token.
        on_message: Called for every accepted bubble (the adapter posts its echo event).
    """

    def __init__(
        self,
        *,
        host: str,
        port: int,
        graph_version: str,
        account_id: str,
        access_token: str | None,
        on_message: MessageListener | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._version = graph_version
        self._account_id = account_id
        self._access_token = access_token
        self._on_message = on_message
        self._inboxes: dict[str, Inbox] = {}
        self._runner: web.AppRunner | None = None
        self._warned: set[str] = set()
        self.rejections: list[Rejection] = []

    @property
    def base_url(self) -> str:
        """The Graph API base URL the bot must use, such as ``http://127.0.0.1:8790/v21.0``."""
        return f"http://{self._host}:{self._port}/{self._version}"

    async def start(self) -> None:
        """Start listening; with port 0, :attr:`base_url` then names the port picked.

        Raises:
            AdapterError: The port cannot be bound, for example because it is in use.
        """
        app = web.Application()
        app.router.add_post("/{version}/{node}/messages", self._handle_message)
        app.router.add_post("/{version}/{node}/pass_thread_control", self._handle_handover)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)

        # The access log would write request lines, and a query string can hold the token.
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError as exc:
            await runner.cleanup()
            raise AdapterError(
                f"cannot start the local Send API on {self._host}:{self._port}: {exc.strerror or exc}; "
                "set send_port to a free port and the bot's Graph API base URL to match"
            ) from None
        self._runner = runner
        self._port = runner.addresses[0][1]
        logger.info("instagram: local Send API listening at %s; point the bot's Graph API base URL there", self.base_url)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def open_inbox(self, user_id: str, conversation_id: str, clock: SimulatedClock) -> Inbox:
        """Create the inbox that collects what the bot sends to ``user_id``.

        Raises:
            ValueError: Another conversation already uses ``user_id``, so the server could not
                attribute the bot's messages to one of them.
        """
        existing = self._inboxes.get(user_id)
        if existing is not None and existing.conversation_id != conversation_id:
            raise ValueError(
                f"conversations {existing.conversation_id!r} and {conversation_id!r} share the user id "
                f"{user_id!r}; the instagram adapter needs a distinct user id per conversation"
            )
        inbox = existing or Inbox(user_id=user_id, conversation_id=conversation_id, clock=clock)
        self._inboxes[user_id] = inbox
        return inbox

    def rejections_between(self, start: float, end: float, user_id: str) -> list[Rejection]:
        """Return the rejections in ``[start, end]`` (monotonic) that may belong to ``user_id``.

        A rejected call that names another known user belongs to that user's conversation.
        A call with an unknown or missing recipient could belong to any turn open at the time.
        """
        return [
            item
            for item in self.rejections
            if start <= item.received <= end
            and (item.recipient_id == user_id or item.recipient_id not in self._inboxes)
        ]

    async def _handle_message(self, request: web.Request) -> web.Response:
        try:
            body, recipient_id, inbox = await self._accept(request)
        except GraphError as exc:
            return self._reject(exc)
        if "message" not in body and "sender_action" in body:
            # Typing indicators and read receipts are not bubbles.
            return web.json_response({"recipient_id": recipient_id})
        try:
            capture = inbox.add(parse_message(body))
        except SendRequestError as exc:
            return self._reject(GraphError(400, 100, str(exc), recipient_id=recipient_id))

        message_id = new_mid()
        if self._on_message is not None:
            self._on_message(inbox, capture, message_id)
        return web.json_response({"recipient_id": recipient_id, "message_id": message_id})

    async def _handle_handover(self, request: web.Request) -> web.Response:
        try:
            _, _, inbox = await self._accept(request)
        except GraphError as exc:
            return self._reject(exc)
        inbox.add(None, handover=True)
        return web.json_response({"success": True})

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        error = GraphError(400, 2500, f"Unknown path components: {request.method} {request.path}")
        return self._reject(error)

    async def _accept(self, request: web.Request) -> tuple[dict[str, Any], str, Inbox]:
        """Check the path, body, token and recipient of a call; return the body and the inbox."""
        self._check_path(request)
        body = await _read_body(request)
        token = _token_of(request, body)
        recipient_id = _recipient_id(body)
        logger.debug("instagram: Send API %s for %s: %s", request.path, recipient_id, json.dumps(body)[:2000])
        try:
            self._check_token(token)
            inbox = self._inboxes.get(recipient_id)
            if inbox is None:
                raise GraphError(400, 100, "(#100) No matching user found", subcode=2018001)
        except GraphError as exc:
            exc.recipient_id = recipient_id
            raise
        return body, recipient_id, inbox

    def _check_path(self, request: web.Request) -> None:
        version = request.match_info["version"]
        node = request.match_info["node"]
        if not _VERSION.match(version):
            raise GraphError(400, 2500, f"Unknown path components: /{version}/{node}")
        if node not in ("me", self._account_id):
            raise GraphError(400, 100, f"Unsupported post request. Object with ID '{node}' does not exist")

    def _check_token(self, token: str | None) -> None:
        if not token:
            raise GraphError(401, 104, "An access token is required to request this resource.")
        if self._access_token is not None and not hmac.compare_digest(token, self._access_token):
            raise GraphError(401, 190, "Invalid OAuth access token.")

    def _reject(self, error: GraphError) -> web.Response:
        recipient_id = error.recipient_id
        wrong_recipient = error.subcode == 2018001
        self.rejections.append(
            Rejection(received=time.monotonic(), recipient_id=recipient_id, reason=error.message, wrong_recipient=wrong_recipient)
        )
        # Warn once per reason: a bot with a bad token fails every call the same way.
        level = logging.DEBUG if error.message in self._warned else logging.WARNING
        self._warned.add(error.message)
        logger.log(level, "instagram: Send API call rejected (recipient %s): %s", recipient_id, error.message)
        return error.response()


async def _read_body(request: web.Request) -> dict[str, Any]:
    """Read a JSON body, or a form whose values are JSON strings, as the Graph API accepts both."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        return {key: _json_or_text(value) for key, value in form.items() if isinstance(value, str)}
    try:
        body = json.loads(await request.read() or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraphError(400, 100, f"(#100) the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise GraphError(400, 100, "(#100) the request body must be a JSON object")
    return body


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _token_of(request: web.Request, body: dict[str, Any]) -> str | None:
    """Take the access token from the Authorization header, the query or the body.

    The body's token is removed so the body can be logged.
    """
    body_token = body.pop("access_token", None)
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return request.query.get("access_token") or (str(body_token) if body_token else None)


def _recipient_id(body: dict[str, Any]) -> str:
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or not recipient.get("id"):
        raise GraphError(400, 100, "(#100) param recipient[id] must be a non-empty string")
    return str(recipient["id"])
