"""Importer for logs of Instagram Messaging webhook deliveries (one POST body per line).

Facts about the webhooks that this module relies on (Instagram Messaging API, Graph API v18+):

- A body is ``{"object": "instagram", "entry": [{"id", "time", "messaging": [...]}]}``; one body
  can carry several entries and one entry several ``messaging`` items.
- ``entry.id`` is the business account; a message with ``is_echo: true`` is the account's own
  message (its reply), sent from the account to the user.
- Meta retries a delivery that did not get a 200, so the same ``mid`` can appear more than once.
- ``reply_to.story`` marks a reply to a story, ``quick_reply.payload`` a tapped quick reply,
  ``postback`` a tapped button; ``reaction``, ``read`` and ``is_deleted`` are not messages.
- ``referral`` (alone or inside a message) means the user came from an ad or a link, and its
  ``ref`` is the campaign.
- Comments and mentions arrive as ``changes`` and are not direct messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from harness.conversations import Attachment, StoryRef
from harness.errors import ImportDataError
from harness.importers._threads import (
    DEFAULT_GAP,
    EpochTimestamp,
    ImportResult,
    LogEvent,
    LogMessage,
    Role,
    Thread,
    build_scenarios,
    data_error,
    load_json_document,
    read_input,
)

__all__ = ["IMPORTER", "import_webhook_log"]

logger = logging.getLogger(__name__)

IMPORTER = "wh"
"""Prefix of the scenario ids this importer writes."""


class _Record(BaseModel):
    # Meta adds fields to webhook payloads over API versions, so unknown fields are ignored.
    model_config = ConfigDict(extra="ignore")


class _Party(_Record):
    id: str


class _Story(_Record):
    id: str
    url: str | None = None


class _ReplyTo(_Record):
    mid: str | None = None
    story: _Story | None = None


class _QuickReply(_Record):
    payload: str


class _AttachmentPayload(_Record):
    url: str | None = None


class _Attachment(_Record):
    type: str
    payload: _AttachmentPayload | None = None


class _Referral(_Record):
    ref: str | None = None
    source: str | None = None
    type: str | None = None
    ad_id: str | None = None


class _Message(_Record):
    mid: str
    text: str | None = None
    quick_reply: _QuickReply | None = None
    attachments: list[_Attachment] = []
    reply_to: _ReplyTo | None = None
    referral: _Referral | None = None
    is_echo: bool = False
    is_deleted: bool = False
    is_unsupported: bool = False


class _Postback(_Record):
    mid: str | None = None
    title: str | None = None
    payload: str


class _Reaction(_Record):
    mid: str
    action: str
    reaction: str | None = None
    emoji: str | None = None


class _Messaging(_Record):
    sender: _Party
    recipient: _Party
    timestamp: EpochTimestamp
    message: _Message | None = None
    postback: _Postback | None = None
    reaction: _Reaction | None = None
    read: dict[str, Any] | None = None
    referral: _Referral | None = None


class _Entry(_Record):
    id: str
    time: int | None = None
    messaging: list[_Messaging] = []
    changes: list[dict[str, Any]] = []


class _Body(_Record):
    object: str
    entry: list[_Entry]


@dataclass
class _LogState:
    """State of the reader: threads by user id, message ids seen so far, pending referrals."""

    threads: dict[str, Thread] = field(default_factory=dict)
    seen_mids: set[str] = field(default_factory=set)
    referrals: dict[str, _Referral] = field(default_factory=dict)


def import_webhook_log(path: str | Path, *, gap: timedelta = DEFAULT_GAP, salt: str | None = None) -> ImportResult:
    """Import a JSON lines file of webhook POST bodies.

    Args:
        path: The log, one POST body per line; a leading byte order mark is skipped.
        gap: Inactivity gap that splits a thread into conversations.
        salt: Key of the HMAC that turns user ids into scenario ids; without it the ids are
            plain SHA-256 digests.

    Raises:
        ImportDataError: A line is not UTF-8, not JSON, or misses a required key; the error
            names the file, the line and the key.
    """
    path = Path(path)
    result = ImportResult()
    state = _LogState()
    for number, raw in _lines(path):
        body = _parse_body(raw, path, number)
        for entry in body.entry:
            _read_entry(entry, state, result)
    for thread in state.threads.values():
        build_scenarios(thread, importer=IMPORTER, gap=gap, result=result, salt=salt)
    result.count("threads", len(state.threads))
    return result


def _lines(path: Path) -> list[tuple[int, bytes]]:
    # Split on b"\n" only: U+2028 and U+2029 may appear raw inside a JSON string.
    lines = read_input(path).split(b"\n")
    return [(number, raw) for number, raw in enumerate(lines, start=1) if raw.strip()]


def _parse_body(raw: bytes, path: Path, number: int) -> _Body:
    # The JSON error reports line 1 of the one-line document; the file line is ``number``.
    try:
        data = load_json_document(raw, path)
    except ImportDataError as exc:
        raise ImportDataError(exc.message, path=path, line=number, fix="write one POST body per line") from None
    try:
        return _Body.model_validate(data)
    except ValidationError as exc:
        raise data_error(exc, model=_Body, path=path, line=number) from None


def _read_entry(entry: _Entry, state: _LogState, result: ImportResult) -> None:
    if entry.changes:
        result.count("changes_skipped", len(entry.changes))
    for item in entry.messaging:
        _read_item(item, entry.id, state, result)


def _read_item(item: _Messaging, account: str, state: _LogState, result: ImportResult) -> None:
    echo = bool(item.message and item.message.is_echo) or item.sender.id == account
    role: Role = "business" if echo else "user"
    user_id = item.recipient.id if echo else item.sender.id
    thread = state.threads.setdefault(user_id, Thread(key=user_id, source="dm"))
    moment = _moment(item.timestamp)

    if item.message is not None:
        _read_message(item.message, thread, role, moment, state, result)
    elif item.postback is not None:
        _read_postback(item.postback, thread, role, moment, state, result)
    elif item.reaction is not None:
        detail = item.reaction.emoji or item.reaction.reaction or ""
        thread.events.append(LogEvent(moment, item.reaction.action, role, detail))
    elif item.referral is not None:
        state.referrals[user_id] = item.referral
    elif item.read is not None:
        result.count("reads_skipped")


def _read_message(
    message: _Message, thread: Thread, role: Role, moment: datetime, state: _LogState, result: ImportResult
) -> None:
    if _is_duplicate(message.mid, state, result):
        return
    if message.is_deleted or message.is_unsupported:
        event = "unsent" if message.is_deleted else "unsupported"
        thread.events.append(LogEvent(moment, event, role))
        return

    attachments = tuple(_attachment(item) for item in message.attachments)
    fields: dict[str, Any] = {"kind": "attachment" if attachments and not message.text else "text"}
    if message.quick_reply is not None:
        fields.update(kind="quick_reply", payload=message.quick_reply.payload, title=message.text)
    story = message.reply_to.story if message.reply_to else None
    if story is not None:
        fields.update(kind="story_reply", story=StoryRef(id=story.id, url=story.url), source="story_reply")
    if role == "user":
        fields.update(_referral_fields(message.referral or state.referrals.pop(thread.key, None)))
    thread.messages.append(
        LogMessage(role=role, timestamp=moment, text=message.text or "", attachments=attachments,
                   message_id=message.mid, **fields)
    )


def _read_postback(
    postback: _Postback, thread: Thread, role: Role, moment: datetime, state: _LogState, result: ImportResult
) -> None:
    if postback.mid and _is_duplicate(postback.mid, state, result):
        return
    referral = state.referrals.pop(thread.key, None) if role == "user" else None
    thread.messages.append(
        LogMessage(role=role, timestamp=moment, kind="postback", payload=postback.payload,
                   title=postback.title, message_id=postback.mid, **_referral_fields(referral))
    )


def _is_duplicate(mid: str, state: _LogState, result: ImportResult) -> bool:
    if mid in state.seen_mids:
        result.count("duplicates_skipped")
        return True
    state.seen_mids.add(mid)
    return False


def _referral_fields(referral: _Referral | None) -> dict[str, str | None]:
    if referral is None:
        return {}
    source = "ad" if (referral.source or "").upper() == "ADS" or referral.ad_id else "referral"
    return {"source": source, "campaign": referral.ref or referral.ad_id}


def _attachment(item: _Attachment) -> Attachment:
    return Attachment(type=item.type, url=item.payload.url if item.payload else None)


def _moment(timestamp: int) -> datetime:
    # Instagram sends epoch milliseconds; a value below 10^11 can only be seconds.
    seconds = timestamp / 1000 if timestamp > 10**11 else timestamp
    return datetime.fromtimestamp(seconds, tz=timezone.utc)
