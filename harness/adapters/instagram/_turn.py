"""One turn through an Instagram bot: deliver the webhook event, collect the bubbles, judge them.

A turn is complete when the bot's webhook has responded to the POST and ``quiet_s`` has passed
since its last Send API call. Bubbles that arrive later are *late sends*: they are not added
to the next turn's reply, because scoring them as the reply to the next user message would
be wrong. The next turn of the conversation carries the flag ``late_send`` instead, and the
adapter logs how many there were. Raise the quiet period for a bot that paces its bubbles.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from harness.adapters.instagram._events import encode_body, new_mid, turn_body
from harness.adapters.instagram._inbox import Capture, Inbox, Rejection
from harness.adapters.instagram._send_api import SendApiServer
from harness.adapters.instagram._webhook import WebhookClient, WebhookError, WebhookResponse
from harness.conversations import Reply, Turn

__all__ = ["TurnSettings", "late_flags", "replay_turn"]

logger = logging.getLogger(__name__)

WINDOW_MS = 24 * 60 * 60 * 1000
"""How long after the user's last message a business may send without a message tag."""

HUMAN_AGENT = "HUMAN_AGENT"


@dataclass(frozen=True)
class TurnSettings:
    """The adapter options a turn needs."""

    account_id: str
    quiet_s: float
    timeout_s: float
    max_messages: int


@dataclass
class _Collected:
    end: int
    flags: list[str]
    error: str | None = None


async def replay_turn(
    turn: Turn,
    *,
    inbox: Inbox,
    client: WebhookClient,
    server: SendApiServer,
    settings: TurnSettings,
    duplicate: bool,
    flags: Sequence[str] = (),
) -> Reply:
    """Deliver ``turn`` to the bot and return what it sent through the Send API.

    Args:
        turn: The user turn.
        inbox: The conversation's inbox; captures past ``inbox.consumed`` must already be
            accounted for (see :func:`late_flags`).
        client: Posts to the bot's webhook.
        server: The local Send API, for the calls it rejected during the turn.
        settings: Timing and limits.
        duplicate: Deliver the same event a second time once the first reply is complete.
        flags: Flags already found for this turn, such as ``late_send``.

    Raises:
        TransportError: The bot's webhook refused or reset the connection.
    """
    mark = inbox.consumed
    started = time.monotonic()
    body = _turn_bytes(turn, inbox, settings.account_id)
    logger.debug("instagram: webhook event for %s: %s", inbox.conversation_id, body[:2000].decode("utf-8", "replace"))

    rejected = await _deliver(client, body)
    if rejected:
        # Whatever the bot sent while rejecting the event belongs to this failed turn.
        inbox.consumed = len(inbox.captures)
        sent = [capture.message for capture in inbox.captures[mark:] if capture.message is not None]
        return Reply(messages=sent, error=rejected, latency_ms=_elapsed_ms(started), flags=list(flags))
    collected = await _collect(inbox, mark, started + settings.timeout_s, settings)
    if duplicate and collected.end > mark and collected.error is None:
        collected = await _redeliver(client, body, inbox, mark, started, collected, settings)
    inbox.consumed = collected.end

    captures = inbox.captures[mark : collected.end]
    rejections = server.rejections_between(started, time.monotonic(), inbox.user_id)
    return _assemble(captures, rejections, inbox, started, settings, [*flags, *collected.flags], collected.error)


def late_flags(inbox: Inbox) -> list[str]:
    """Take the captures that arrived after the last turn was complete and return their flags.

    The captures are marked consumed and left out of every reply.
    """
    late = inbox.captures[inbox.consumed :]
    if not late:
        return []
    inbox.consumed = len(inbox.captures)
    logger.warning(
        "instagram: conversation %s: the bot sent %d message(s) after the previous turn was complete "
        "(late_send); raise quiet_period_ms if it paces its bubbles",
        inbox.conversation_id,
        len(late),
    )
    return ["late_send", *_capture_flags(late, inbox)]


def _turn_bytes(turn: Turn, inbox: Inbox, account_id: str) -> bytes:
    timestamp_ms = inbox.clock.now_ms()
    inbox.last_user_ms = timestamp_ms
    body = turn_body(turn, user_id=inbox.user_id, account_id=account_id, timestamp_ms=timestamp_ms, mid=new_mid())
    return encode_body(body)


async def _deliver(client: WebhookClient, body: bytes) -> str | None:
    """POST the event; return why the delivery failed, or ``None`` on HTTP 200."""
    try:
        response = await client.post(body)
    except WebhookError as exc:
        return str(exc)
    return None if response.status == 200 else _rejected_reason(response)


def _rejected_reason(response: WebhookResponse) -> str:
    reason = f"bot rejected the webhook: HTTP {response.status} {response.reason}".rstrip()
    if response.text.strip():
        reason += f" ({response.text.strip()!r})"
    if response.status in (401, 403):
        reason += (
            "; the bot probably rejected the X-Hub-Signature-256 signature: check that app_secret "
            "is the bot's app secret"
        )
    return reason


async def _collect(inbox: Inbox, mark: int, first_deadline: float, settings: TurnSettings) -> _Collected:
    """Wait for the first capture, then until ``quiet_s`` passes without another."""
    if not await inbox.wait_beyond(mark, first_deadline):
        return _Collected(end=mark, flags=[])
    while True:
        count = len(inbox.captures)
        if count - mark > settings.max_messages:
            error = (
                f"the bot sent more than {settings.max_messages} messages for one turn; "
                "it may be answering its own echo events (is_echo: true)"
            )
            return _Collected(end=count, flags=[], error=error)
        quiet_deadline = inbox.captures[-1].received + settings.quiet_s
        if not await inbox.wait_beyond(count, quiet_deadline):
            return _Collected(end=len(inbox.captures), flags=[])


async def _redeliver(
    client: WebhookClient,
    body: bytes,
    inbox: Inbox,
    mark: int,
    started: float,
    first: _Collected,
    settings: TurnSettings,
) -> _Collected:
    """Deliver the same event again, as Meta does after a failed delivery, and watch for replies.

    A bot that replies to the duplicate is given twice its first-bubble latency plus the quiet
    period to do so, capped by the reply timeout.
    """
    first_latency = inbox.captures[mark].received - started
    flags = list(first.flags)
    if await _deliver(client, body) is not None:
        logger.warning("instagram: conversation %s: the bot did not return HTTP 200 for a duplicate delivery", inbox.conversation_id)
        flags.append("duplicate_rejected")

    window = min(settings.timeout_s, 2 * first_latency + settings.quiet_s)
    second = await _collect(inbox, first.end, time.monotonic() + window, settings)
    if second.end > first.end:
        flags.append("duplicate_send")
    return _Collected(end=second.end, flags=flags, error=second.error)


def _assemble(
    captures: list[Capture],
    rejections: list[Rejection],
    inbox: Inbox,
    started: float,
    settings: TurnSettings,
    flags: list[str],
    error: str | None,
) -> Reply:
    flags = [*flags, *_capture_flags(captures, inbox)]
    if any(item.wrong_recipient for item in rejections):
        flags.append("wrong_recipient")
    if not captures and error is None:
        error = _no_reply_reason(rejections, inbox.user_id, settings.timeout_s)

    latency_ms = (captures[-1].received - started) * 1000 if captures else None
    return Reply(
        messages=[capture.message for capture in captures if capture.message is not None],
        handover=any(capture.handover or _tag(capture) == HUMAN_AGENT for capture in captures),
        latency_ms=latency_ms,
        error=error,
        flags=list(dict.fromkeys(flags)),
    )


def _capture_flags(captures: list[Capture], inbox: Inbox) -> list[str]:
    flags = []
    if any(_tag(capture) == HUMAN_AGENT for capture in captures):
        # The tag is reserved for messages a person writes; every capture here is the bot's.
        flags.append("human_agent_tag_by_bot")
    last_user_ms = inbox.last_user_ms
    if last_user_ms is not None and any(capture.sent_ms - last_user_ms > WINDOW_MS for capture in captures):
        flags.append("outside_24h_window")
    return flags


def _tag(capture: Capture) -> str | None:
    tag = capture.message.tag if capture.message is not None else None
    return tag.upper() if tag else None


def _no_reply_reason(rejections: list[Rejection], user_id: str, timeout_s: float) -> str:
    reason = f"no reply: the bot did not call the Send API within {timeout_s * 1000:.0f} ms"
    wrong = sorted({item.recipient_id or "" for item in rejections if item.wrong_recipient})
    if wrong:
        reason += f"; it sent to recipient id {', '.join(wrong)}, which is not this conversation's user {user_id!r}"
    others = list(dict.fromkeys(item.reason for item in rejections if not item.wrong_recipient))
    if others:
        reason += f"; the local Send API rejected its calls: {'; '.join(others)}"
    return reason


def _elapsed_ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
