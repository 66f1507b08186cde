"""Threads of logged messages, split into conversations and turned into scenarios.

Every importer reads its format into :class:`Thread` records (one per pair of user and
business account) and hands them to :func:`build_scenarios`. That function orders the messages
by time, splits the thread wherever the user and the business were silent for longer than the
inactivity gap, redacts every text, and builds one :class:`~harness.conversations.Scenario` per
conversation. Imported scenarios carry the intent ``unlabelled`` and the placeholder policy
``answer`` until ``dm-harness label`` or a person sets both.
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from harness.conversations import Attachment, Scenario, StoryRef, Turn, TurnKind
from harness.errors import ImportDataError
from harness.importers.redaction import Redactor, redacted_preview
from harness.yamlfile import validation_error

__all__ = [
    "DEFAULT_GAP",
    "MAX_EPOCH_MS",
    "UNLABELLED",
    "PLACEHOLDER_POLICY",
    "ImportResult",
    "LogEvent",
    "LogMessage",
    "Role",
    "Thread",
    "build_scenarios",
    "EpochTimestamp",
    "data_error",
    "load_json_document",
    "read_input",
    "split_conversations",
    "thread_digest",
]

Role = Literal["user", "business"]

MAX_EPOCH_MS = 253_402_300_799_999
"""The last millisecond of the year 9999, the largest moment a ``datetime`` can hold."""

EpochTimestamp = Annotated[int, Field(ge=0, le=MAX_EPOCH_MS)]
"""An epoch timestamp in seconds or milliseconds that converts to a ``datetime``."""

DEFAULT_GAP = timedelta(hours=24)
"""Default inactivity gap: the 24-hour window in which a business may reply to a user."""

UNLABELLED = "unlabelled"
"""Intent of an imported conversation until a labeller or a person sets it."""

PLACEHOLDER_POLICY = "answer"
"""Policy of an unlabelled scenario: a placeholder, because the policy follows the intent."""


@dataclass(frozen=True)
class LogMessage:
    """One message of a thread, as an importer read it.

    ``timestamp`` is timezone-aware and in UTC, so durations between messages are exact even
    across a daylight saving change of the place where the log was written.
    """

    role: Role
    timestamp: datetime
    text: str = ""
    kind: TurnKind = "text"
    payload: str | None = None
    title: str | None = None
    story: StoryRef | None = None
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    source: str | None = None
    """Traffic source this message shows (an ad referral, a story reply), if any."""

    campaign: str | None = None


@dataclass(frozen=True)
class LogEvent:
    """Something that happened in a thread but is not a message to replay (a reaction, a like)."""

    timestamp: datetime
    event: str
    """Kind of event: ``reaction``, ``like``, ``unsent``, ``call``, ``story_mention``, ``notice``."""

    actor: Role
    detail: str = ""
    """Short payload of the event, such as the reaction emoji; redacted before it is written."""


@dataclass
class Thread:
    """All messages between one user and the business account, in any order."""

    key: str
    """The thread's key in the input (folder name, user id); only its digest is written."""

    messages: list[LogMessage] = field(default_factory=list)
    events: list[LogEvent] = field(default_factory=list)
    names: tuple[str, ...] = ()
    """Names and handles of the user, redacted as a whole and by their parts."""

    business_names: tuple[str, ...] = ()
    """Names of the business account, redacted only as a whole."""

    source: str | None = None
    campaign: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    """Provenance copied into every scenario of the thread; must not hold personal data."""


@dataclass(frozen=True)
class ImportedEvent:
    """An event of an imported conversation, as written to the side events file."""

    scenario_id: str
    timestamp: str
    event: str
    actor: Role
    detail: str


@dataclass
class ImportResult:
    """Output of an importer: scenarios, events, and counts for the summary."""

    scenarios: list[Scenario] = field(default_factory=list)
    events: list[ImportedEvent] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, amount: int = 1) -> None:
        """Add ``amount`` to the counter ``name``."""
        self.counts[name] = self.counts.get(name, 0) + amount


def thread_digest(importer: str, key: str, salt: str | None = None) -> str:
    """Return a short stable digest of a thread key, which may hold a user's handle or id.

    Without ``salt`` the digest is a plain SHA-256, which anyone who can guess candidate handles
    can reverse by hashing each candidate. With ``salt`` it is an HMAC-SHA256 keyed by the salt,
    which cannot be reversed without the salt.
    """
    message = f"{importer}\0{key}".encode()
    if salt:
        return hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()[:10]
    return hashlib.sha256(message).hexdigest()[:10]


def split_conversations(
    messages: Sequence[LogMessage], gap: timedelta = DEFAULT_GAP
) -> list[list[LogMessage]]:
    """Order messages by time and split them wherever the silence is longer than ``gap``.

    The sort is stable, so messages with the same timestamp keep their input order.
    """
    ordered = sorted(messages, key=lambda message: message.timestamp)
    conversations: list[list[LogMessage]] = []
    for message in ordered:
        if conversations and message.timestamp - conversations[-1][-1].timestamp <= gap:
            conversations[-1].append(message)
        else:
            conversations.append([message])
    return conversations


def build_scenarios(
    thread: Thread, *, importer: str, gap: timedelta, result: ImportResult, salt: str | None = None
) -> None:
    """Split one thread into conversations and add their scenarios and events to ``result``.

    A conversation without any user message (the business wrote and the user never replied)
    has nothing to replay, so it is counted as ``conversations_without_user`` and left out.
    ``salt`` keys the digest of the thread key in the scenario ids (see :func:`thread_digest`).
    """
    digest = thread_digest(importer, thread.key, salt)
    conversations = split_conversations(thread.messages, gap)
    events = sorted(thread.events, key=lambda event: event.timestamp)
    for index, messages in enumerate(conversations, start=1):
        if not any(message.role == "user" for message in messages):
            result.count("conversations_without_user")
            continue
        redactor = Redactor(names=thread.names, whole_names=thread.business_names)
        scenario_id = f"{importer}-{digest}-{index:02d}"
        own_events = _events_of(events, conversations, index - 1)
        scenario = _scenario(scenario_id, messages, redactor, thread, own_events, importer, digest)
        result.scenarios.append(scenario)
        result.events.extend(_imported_events(scenario_id, own_events, redactor))
        result.count("conversations")


def _events_of(
    events: list[LogEvent], conversations: list[list[LogMessage]], index: int
) -> list[LogEvent]:
    # An event belongs to the last conversation that started at or before it, so a reaction
    # that came a day after the last message still lands in that conversation.
    start = conversations[index][0].timestamp
    end = conversations[index + 1][0].timestamp if index + 1 < len(conversations) else None
    if index == 0:
        return [event for event in events if end is None or event.timestamp < end]
    return [event for event in events if event.timestamp >= start and (end is None or event.timestamp < end)]


def _scenario(
    scenario_id: str,
    messages: list[LogMessage],
    redactor: Redactor,
    thread: Thread,
    events: list[LogEvent],
    importer: str,
    digest: str,
) -> Scenario:
    turns, opening = _turns(messages, redactor)
    metadata = {
        **thread.metadata,
        "importer": importer,
        "thread": digest,
        "started_at": _iso(messages[0].timestamp),
        "ended_at": _iso(messages[-1].timestamp),
        "messages": str(len(messages)),
    }
    if opening:
        metadata["business_opening"] = opening
    if events:
        metadata["events"] = str(len(events))
    if turns[-1].reference is None:
        metadata["last_reply_missing"] = "true"
    return Scenario(
        id=scenario_id,
        intent=UNLABELLED,
        policy=PLACEHOLDER_POLICY,
        source=next((m.source for m in messages if m.source), thread.source),
        campaign=next((m.campaign for m in messages if m.campaign), thread.campaign),
        turns=turns,
        metadata=metadata,
    )


def _turns(messages: list[LogMessage], redactor: Redactor) -> tuple[list[Turn], str]:
    """Build user turns; business messages become the ``reference`` of the turn before them.

    Business messages sent before the user's first message are returned as the opening text.
    """
    pending: list[dict[str, object]] = []
    opening: list[str] = []
    for message in messages:
        if message.role == "user":
            pending.append(_user_turn(message, redactor))
        elif pending:
            _add_reference(pending[-1], _business_text(message, redactor))
        else:
            opening.append(_business_text(message, redactor))
    turns = [Turn(**fields) for fields in pending]  # type: ignore[arg-type]
    return turns, "\n".join(text for text in opening if text)


def _user_turn(message: LogMessage, redactor: Redactor) -> dict[str, object]:
    fields: dict[str, object] = {"user": redactor.redact(message.text), "kind": message.kind}
    if message.payload is not None:
        fields["payload"] = redactor.redact(message.payload)
    if message.title is not None:
        fields["title"] = redactor.redact(message.title)
    if message.story is not None:
        url = redactor.redact_url(message.story.url) if message.story.url else None
        fields["story"] = StoryRef(id=message.story.id, url=url)
    if message.attachments:
        fields["attachments"] = [_redacted_attachment(item, redactor) for item in message.attachments]
    return fields


def _redacted_attachment(attachment: Attachment, redactor: Redactor) -> Attachment:
    if attachment.url is None:
        return attachment
    return Attachment(type=attachment.type, url=redactor.redact_url(attachment.url))


def _business_text(message: LogMessage, redactor: Redactor) -> str:
    parts = [redactor.redact(message.text)] if message.text else []
    for attachment in message.attachments:
        url = redactor.redact_url(attachment.url) if attachment.url else None
        parts.append(url if attachment.type == "share" and url else f"[{attachment.type}]")
    return "\n".join(part for part in parts if part)


def _add_reference(turn: dict[str, object], text: str) -> None:
    if not text:
        return
    previous = turn.get("reference")
    turn["reference"] = f"{previous}\n{text}" if previous else text


def _imported_events(
    scenario_id: str, events: Iterable[LogEvent], redactor: Redactor
) -> list[ImportedEvent]:
    return [
        ImportedEvent(
            scenario_id=scenario_id,
            timestamp=_iso(event.timestamp),
            event=event.event,
            actor=event.actor,
            detail=redactor.redact(event.detail),
        )
        for event in events
    ]


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def data_error(
    exc: ValidationError,
    *,
    model: type[BaseModel],
    path: str | Path,
    line: int | None = None,
    fix: str | None = None,
) -> ImportDataError:
    """Turn a pydantic error about an input record into an error naming the file, line and key."""
    error = validation_error(exc, model=model, path=path, lines=None, line=line)
    return ImportDataError(
        _redact_found(error.message, exc), path=error.path, line=error.line, field=error.field, fix=fix or error.fix
    )


def _redact_found(message: str, exc: ValidationError) -> str:
    # The message may quote the invalid input, which can be a user's message text.
    found = exc.errors()[0].get("input")
    if not isinstance(found, str) or repr(found) not in message:
        return message
    return message.replace(repr(found), repr(redacted_preview(found)))


def read_input(path: Path) -> bytes:
    """Read an input file, raising an error that names it when it cannot be read.

    Raises:
        ImportDataError: The path does not exist, is a folder, or cannot be read.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportDataError("file not found", path=path, fix="check the path") from None
    except IsADirectoryError:
        raise ImportDataError("expected a file, found a folder", path=path, fix="pass the log file itself") from None
    except OSError as exc:
        raise ImportDataError(f"cannot read the file: {exc.strerror}", path=path) from None


def load_json_document(data: bytes, path: str | Path) -> Any:
    """Decode one UTF-8 JSON document, raising an error that names the file and line.

    A leading byte order mark, which some Windows editors write, is skipped.

    Raises:
        ImportDataError: The bytes are not UTF-8 or not valid JSON (for example truncated).
    """
    offset = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = offset + exc.start
        line = data[:position].count(b"\n") + 1
        raise ImportDataError(
            f"file is not valid UTF-8 (byte {position})", path=path, line=line, fix="save it as UTF-8"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportDataError(
            f"invalid JSON at column {exc.colno}: {exc.msg}",
            path=path,
            line=exc.lineno,
            fix="the file is truncated or damaged: export it again",
        ) from None
