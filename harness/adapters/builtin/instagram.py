"""The ``instagram`` adapter: a bot built for the Instagram Messaging API, reached as Meta would.

For every turn the adapter posts a signed webhook event to the bot, and a local Graph API
server on loopback captures the Send API calls the bot makes in return. The bot must send to
that server instead of ``graph.facebook.com``: set its Graph API base URL to
:attr:`InstagramAdapter.send_api_url`, which is ``http://{send_host}:{send_port}/{graph_version}``
(the adapter also logs it at INFO when it starts).

Protocol problems are reported on :attr:`Reply.flags`:

- ``human_agent_tag_by_bot``: the bot used the ``HUMAN_AGENT`` tag, which is for replies a
  person writes.
- ``outside_24h_window``: a message went out more than 24 hours after the user's last message,
  on the conversation's simulated clock. The local Send API accepts it, where Meta's rejects it.
- ``duplicate_send``: the bot replied a second time to a duplicate delivery (scenario option
  ``duplicate_delivery``).
- ``duplicate_rejected``: the bot did not return HTTP 200 for the duplicate delivery.
- ``wrong_recipient``: a call named a recipient id that is no user of the run. When several
  conversations run at once, every turn open at that moment gets the flag.
- ``late_send``: messages arrived after the previous turn was complete; they are in no reply.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from pydantic import Field, SecretStr, field_validator

from harness.adapters._base import AdapterOptions, ConversationState, TransportError, adapter
from harness.adapters.builtin._secrets import SecretMasker, expand
from harness.adapters.instagram import (
    Capture,
    Inbox,
    SendApiServer,
    SimulatedClock,
    TurnSettings,
    WebhookClient,
    WebhookError,
    echo_body,
    encode_body,
    late_flags,
    replay_turn,
)
from harness.conversations import Reply, Turn

__all__ = ["InstagramAdapter"]

logger = logging.getLogger(__name__)


@adapter("instagram")
class InstagramAdapter:
    """Instagram Messaging bots: signed webhook events in, replies captured by a local Send API."""

    class Options(AdapterOptions):
        """Options of the ``instagram`` adapter."""

        webhook_url: str
        """The bot's webhook URL, the callback URL it would register with Meta."""

        app_secret: SecretStr = SecretStr("${IG_APP_SECRET}")
        """The app secret that signs each webhook body (``X-Hub-Signature-256``); ``${NAME}``
        reads an environment variable when the adapter starts."""

        verify_token: SecretStr = SecretStr("${IG_VERIFY_TOKEN}")
        """The token sent in the subscription handshake; read only when ``handshake`` is on."""

        access_token: SecretStr | None = None
        """The token the bot must send to the Send API (query, body or ``Authorization``
        header); ``None`` accepts any non-empty token."""

        account_id: str = Field(default="17841400000000000", min_length=1)
        """The business account's id: the recipient of user messages and ``entry.id``."""

        send_host: str = "127.0.0.1"
        """Address of the local Send API."""

        send_port: int = Field(default=8790, ge=0, le=65535)
        """Port of the local Send API; 0 picks a free port, logged at INFO on start."""

        graph_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
        """Graph API version in the Send API base URL."""

        quiet_period_ms: int = Field(default=300, gt=0)
        """Milliseconds without a new Send API call, after the first one, that complete a turn."""

        reply_timeout_ms: int = Field(default=10_000, gt=0)
        """Milliseconds the bot has to respond to the webhook POST and to make its first Send API call."""

        handshake: bool = True
        """Run the subscription verification GET before the first turn and check the challenge echo."""

        echoes: bool = True
        """Post an echo event (``is_echo: true``) for every message the bot sends, as Meta does."""

        max_messages_per_turn: int = Field(default=20, gt=0)
        """More Send API calls than this for one turn fail the turn, because a bot that replies to
        its own echo events would otherwise never fall quiet."""

        clock_start: datetime | None = None
        """Simulated time of each conversation's first event; ``None`` uses the real time."""

        @field_validator("webhook_url")
        @classmethod
        def _is_http(cls, value: str) -> str:
            if not value.startswith(("http://", "https://")):
                raise ValueError(f"expected an http:// or https:// URL, found {value!r}")
            return value

    def __init__(self, options: Options) -> None:
        self.options = options
        self._masker = SecretMasker()
        self._app_secret = expand(options.app_secret.get_secret_value(), field="app_secret")
        self._masker.add(self._app_secret)
        self._verify_token = expand(options.verify_token.get_secret_value(), field="verify_token") if options.handshake else ""
        access_token = options.access_token
        if access_token:
            self._masker.add(expand(access_token.get_secret_value(), field="access_token"))
        self._server = SendApiServer(
            host=options.send_host,
            port=options.send_port,
            graph_version=options.graph_version,
            account_id=options.account_id,
            access_token=expand(access_token.get_secret_value(), field="access_token") if access_token else None,
            on_message=self._post_echo if options.echoes else None,
        )
        self._client = WebhookClient(options.webhook_url, self._app_secret, timeout_s=options.reply_timeout_ms / 1000)
        self._settings = TurnSettings(
            account_id=options.account_id,
            quiet_s=options.quiet_period_ms / 1000,
            timeout_s=options.reply_timeout_ms / 1000,
            max_messages=options.max_messages_per_turn,
        )
        self._start_lock = asyncio.Lock()
        self._verify_lock = asyncio.Lock()
        self._started = False
        self._verified = False
        self._handshake_failed = False
        self._inboxes: dict[str, Inbox] = {}
        self._echo_tasks: set[asyncio.Task[None]] = set()

    @property
    def send_api_url(self) -> str:
        """The Graph API base URL the bot must call, such as ``http://127.0.0.1:8790/v21.0``.

        With ``send_port: 0`` the port is known only after :meth:`start`.
        """
        return self._server.base_url

    async def start(self) -> None:
        """Start the local Send API; :meth:`reply` calls it, and calling it again does nothing."""
        async with self._start_lock:
            if not self._started:
                await self._server.start()
                self._started = True

    def clock_for(self, conversation: ConversationState) -> SimulatedClock:
        """Return the simulated clock of ``conversation``, which a test can move forward."""
        return self._inbox_for(conversation).clock

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Deliver one user turn as a signed webhook event and return the captured bubbles.

        Raises:
            TransportError: The bot's webhook refused or reset the connection.
        """
        await self.start()
        failure = await self._verify_subscription()
        if failure is not None:
            return Reply.failed(failure)

        inbox = self._inbox_for(conversation)
        flags = late_flags(inbox)
        reply = await replay_turn(
            message,
            inbox=inbox,
            client=self._client,
            server=self._server,
            settings=self._settings,
            duplicate=conversation.scenario.options.duplicate_delivery,
            flags=flags,
        )
        self._log_turn(conversation, reply)
        return self._masker.mask_reply(reply)

    async def end_conversation(self, conversation: ConversationState) -> None:
        """Report messages that arrived after the conversation's last turn, and drop its captures.

        The user id stays registered, so a later message to it is not taken for a wrong recipient.
        """
        inbox = self._inboxes.get(conversation.id)
        if inbox is not None:
            self._report_unclaimed(inbox)
            inbox.captures.clear()
            inbox.consumed = 0

    async def aclose(self) -> None:
        """Stop the local Send API and close the connections to the bot."""
        for task in list(self._echo_tasks):
            task.cancel()
        await asyncio.gather(*self._echo_tasks, return_exceptions=True)
        for inbox in self._inboxes.values():
            self._report_unclaimed(inbox)
        await self._client.aclose()
        await self._server.stop()
        self._started = False

    async def _verify_subscription(self) -> str | None:
        """Run the handshake until it succeeds once; return why it failed, or ``None``."""
        if not self.options.handshake or self._verified:
            return None
        # Conversations start together, and one GET is enough for all of them.
        async with self._verify_lock:
            if self._verified:
                return None
            try:
                await self._client.verify_subscription(self._verify_token)
            except WebhookError as exc:
                # Every turn retries the handshake, so only the first failure is a warning.
                logger.log(logging.DEBUG if self._handshake_failed else logging.WARNING, "instagram: %s", exc)
                self._handshake_failed = True
                return str(exc)
        self._verified = True
        logger.info("instagram: subscription verified at %s", self.options.webhook_url)
        return None

    def _inbox_for(self, conversation: ConversationState) -> Inbox:
        inbox = self._inboxes.get(conversation.id)
        if inbox is None:
            clock = SimulatedClock(self.options.clock_start)
            inbox = self._server.open_inbox(conversation.user_id, conversation.id, clock)
            self._inboxes[conversation.id] = inbox
        return inbox

    def _post_echo(self, inbox: Inbox, capture: Capture, message_id: str) -> None:
        if capture.message is None:
            return
        body = echo_body(
            capture.message,
            user_id=inbox.user_id,
            account_id=self.options.account_id,
            timestamp_ms=capture.sent_ms,
            mid=message_id,
        )
        task = asyncio.create_task(self._deliver_echo(encode_body(body), inbox.conversation_id))
        self._echo_tasks.add(task)
        task.add_done_callback(self._echo_tasks.discard)

    async def _deliver_echo(self, body: bytes, conversation_id: str) -> None:
        # An echo is a courtesy copy: a failed echo delivery does not fail the turn.
        try:
            response = await self._client.post(body)
        except (TransportError, WebhookError) as exc:
            logger.debug("instagram: echo for %s not delivered: %s", conversation_id, exc)
            return
        if response.status != 200:
            logger.debug("instagram: echo for %s got HTTP %d", conversation_id, response.status)

    def _report_unclaimed(self, inbox: Inbox) -> None:
        late = len(inbox.captures) - inbox.consumed
        if late:
            logger.warning(
                "instagram: conversation %s: the bot sent %d message(s) after its last turn was complete; "
                "they are in no reply",
                inbox.conversation_id,
                late,
            )
            inbox.consumed = len(inbox.captures)

    def _log_turn(self, conversation: ConversationState, reply: Reply) -> None:
        latency = f"{reply.latency_ms:.0f} ms" if reply.latency_ms is not None else "no latency"
        logger.info(
            "instagram: %s turn %d: %d message(s), handover=%s, flags=%s, %s%s",
            conversation.id,
            conversation.turn_index,
            len(reply.messages),
            reply.handover,
            ",".join(reply.flags) or "none",
            latency,
            f", error: {reply.error}" if reply.error else "",
        )
