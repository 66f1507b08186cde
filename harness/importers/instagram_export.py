"""Importer for the JSON format of Instagram's "Download your information" export.

Facts about the format that this module relies on (exports from 2022 to 2024):

- Threads are folders ``messages/inbox/<thread>/`` in older exports and
  ``your_instagram_activity/messages/inbox/<thread>/`` in newer ones; message requests sit in
  ``message_requests/`` next to ``inbox/``. The folder name is ``<username>_<number>``.
- A thread is split into ``message_1.json``, ``message_2.json`` and so on. Each file lists its
  messages newest first and ``message_1.json`` contains the newest chunk, so only
  ``timestamp_ms`` orders a thread.
- Meta writes each UTF-8 byte of a string as its own ``\\u00XX`` escape, so JSON decoding
  yields mojibake (``"\\u00f0\\u009f\\u0098\\u00a0"`` is one emoji).
- ``content`` is missing for photos, videos, audio, stickers, shares and unsent messages.
  Likes, reactions and story mentions also appear as messages whose ``content`` is a notice
  ("Liked a message", "Reacted ❤ to your message"); they are kept as events, never as text.
- Older files give every message a ``type`` (``Generic``, ``Share``, ``Call``); newer ones do not.
- Asking for the HTML format yields ``message_1.html`` files, which this importer cannot read.
"""

from __future__ import annotations

import difflib
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from harness.conversations import Attachment
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
)

__all__ = ["IMPORTER", "import_instagram_export", "repair_mojibake"]

logger = logging.getLogger(__name__)

IMPORTER = "ig"
"""Prefix of the scenario ids this importer writes."""

EDIT_WINDOW = timedelta(minutes=15)
"""Time after sending during which Instagram lets a user edit a direct message."""
# NOTE: the 15 minutes and the " (edited)" marker come from Instagram's description of the
# feature; no real export with an edited message was available to check them against.

_THREAD_FILE = re.compile(
    r"(?:^|/)messages/(?P<folder>inbox|message_requests)/(?P<thread>[^/]+)/message_(?P<number>\d+)\.(?P<ext>json|html)$"
)
_EDITED = re.compile(r"\s*\(edited\)\s*$")
_NOTICES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:.+ )?liked a message\.?$", re.IGNORECASE), "like"),
    (re.compile(r"^(?:.+ )?reacted .{1,12} to (?:your|their|his|her|a) message\s*\.?$", re.IGNORECASE), "reaction"),
    (re.compile(r"^(?:.+ )?sent an attachment\.?$", re.IGNORECASE), "attachment_notice"),
    (re.compile(r"^(?:.+ )?(?:mentioned you in (?:their|his|her) story|shared a story|sent a story)\.?$", re.IGNORECASE), "story_mention"),
    (re.compile(r"^(?:.+ )?(?:started|ended|missed) (?:a |an )?(?:video|audio) (?:chat|call)\.?$", re.IGNORECASE), "call"),
    (re.compile(r"^(?:.+ )?(?:unsent a message|this message was unsent)\.?$", re.IGNORECASE), "unsent"),
)
_MEDIA_FIELDS = (("photos", "image"), ("videos", "video"), ("audio_files", "audio"), ("gifs", "image"), ("files", "file"))


class _Record(BaseModel):
    # Meta adds fields to its export without notice, so unknown fields are ignored here,
    # unlike in the files users write.
    model_config = ConfigDict(extra="ignore")


class _Participant(_Record):
    name: str


class _Media(_Record):
    uri: str | None = None


class _Share(_Record):
    link: str | None = None


class _Reaction(_Record):
    reaction: str
    actor: str
    timestamp: EpochTimestamp | None = None


class _ExportMessage(_Record):
    sender_name: str
    timestamp_ms: EpochTimestamp
    content: str | None = None
    type: str | None = None
    photos: list[_Media] = []
    videos: list[_Media] = []
    audio_files: list[_Media] = []
    gifs: list[_Media] = []
    files: list[_Media] = []
    sticker: _Media | None = None
    share: _Share | None = None
    reactions: list[_Reaction] = []
    is_unsent: bool = False
    call_duration: int | None = None


class _ExportFile(_Record):
    participants: list[_Participant]
    messages: list[_ExportMessage]


@dataclass
class _ThreadFiles:
    folder: str
    name: str
    json_files: list[str] = field(default_factory=list)
    html_files: list[str] = field(default_factory=list)


def repair_mojibake(text: str) -> str:
    """Undo Meta's escaping of UTF-8 bytes as Latin-1 characters, leaving correct text unchanged.

    A string that contains a character above U+00FF (such as ``“``) cannot be mojibake, and
    neither can one whose Latin-1 bytes are not valid UTF-8 (such as ``café`` written
    correctly). Both come back as they were.
    """
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def import_instagram_export(
    export: str | Path, account: str, *, gap: timedelta = DEFAULT_GAP, salt: str | None = None
) -> ImportResult:
    """Import every one-to-one thread of an export folder or zip file.

    Args:
        export: The export folder, or the zip file as downloaded.
        account: The business account's display name, as ``sender_name`` spells it.
        gap: Inactivity gap that splits a thread into conversations.
        salt: Key of the HMAC that turns thread folder names into scenario ids; without it
            the ids are plain SHA-256 digests.

    Raises:
        ImportDataError: The export is missing, is in HTML format or contains malformed JSON,
            or the account is not a participant of any thread.
    """
    source = _ExportSource.open(Path(export))
    result = ImportResult()
    threads = _find_threads(source)
    matched_account = False
    for files in threads:
        parsed = _read_thread(source, files)
        if len(parsed.participants) > 2:
            result.count("group_threads_skipped")
            continue
        matched_account |= _is_account(account, [p.name for p in parsed.participants])
        thread = _thread(files, parsed, account, result)
        build_scenarios(thread, importer=IMPORTER, gap=gap, result=result, salt=salt)
        result.count("threads")
    if threads and not matched_account and result.counts.get("threads"):
        raise _unknown_account(source, threads, account)
    return result


# --- finding files ------------------------------------------------------------------------


class _ExportSource:
    """Files of an export, from a folder or a zip file, addressed by POSIX relative paths."""

    def __init__(self, root: Path, archive: zipfile.ZipFile | None, names: list[str]) -> None:
        self.root = root
        self.archive = archive
        self.names = names

    @classmethod
    def open(cls, path: Path) -> _ExportSource:
        if path.is_dir():
            names = [p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()]
            return cls(path, None, sorted(names))
        if not path.exists():
            raise ImportDataError("export not found", path=path, fix="pass the export folder or zip file")
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ImportDataError(
                "not a folder or a zip file", path=path, fix="pass the export folder or the zip file as downloaded"
            ) from None
        return cls(path, archive, sorted(archive.namelist()))

    def read(self, name: str) -> bytes:
        if self.archive is not None:
            return self.archive.read(name)
        return (self.root / name).read_bytes()

    def display(self, name: str) -> str:
        return f"{self.root}:{name}" if self.archive is not None else str(self.root / name)


def _find_threads(source: _ExportSource) -> list[_ThreadFiles]:
    threads: dict[str, _ThreadFiles] = {}
    for name in source.names:
        match = _THREAD_FILE.search(name)
        if not match:
            continue
        directory = str(PurePosixPath(name).parent)
        files = threads.setdefault(directory, _ThreadFiles(match["folder"], match["thread"]))
        (files.json_files if match["ext"] == "json" else files.html_files).append(name)

    html_only = [files for files in threads.values() if files.html_files and not files.json_files]
    if html_only:
        raise ImportDataError(
            "this is an HTML export, which cannot be imported",
            path=source.display(html_only[0].html_files[0]),
            fix='request a new export from Instagram with "Format: JSON"',
        )
    if not threads:
        raise ImportDataError(
            "no message threads found (expected messages/inbox/<thread>/message_1.json)",
            path=source.root,
            fix="pass the root folder or zip file of an Instagram export that includes messages",
        )
    return sorted(threads.values(), key=lambda files: (files.folder, files.name))


# --- reading a thread ---------------------------------------------------------------------


def _read_thread(source: _ExportSource, files: _ThreadFiles) -> _ExportFile:
    participants: list[_Participant] = []
    messages: list[_ExportMessage] = []
    for name in sorted(files.json_files, key=_file_number):
        parsed = _read_file(source, name)
        participants = participants or parsed.participants
        messages.extend(parsed.messages)
    return _ExportFile(participants=participants, messages=messages)


def _file_number(name: str) -> int:
    match = _THREAD_FILE.search(name)
    return int(match["number"]) if match else 0


def _read_file(source: _ExportSource, name: str) -> _ExportFile:
    display = source.display(name)
    data = load_json_document(source.read(name), display)
    try:
        return _ExportFile.model_validate(_repair_strings(data))
    except ValidationError as exc:
        raise data_error(exc, model=_ExportFile, path=display, fix="re-download the export") from None


def _repair_strings(value: Any) -> Any:
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [_repair_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _repair_strings(item) for key, item in value.items()}
    return value


# --- building the thread ------------------------------------------------------------------


def _is_account(account: str, names: list[str]) -> bool:
    return any(name.casefold() == account.casefold() for name in names)


def _thread(files: _ThreadFiles, parsed: _ExportFile, account: str, result: ImportResult) -> Thread:
    user_names = [p.name for p in parsed.participants if p.name.casefold() != account.casefold()]
    handle = re.sub(r"_\d+$", "", files.name)
    thread = Thread(
        key=f"{files.folder}/{files.name}",
        names=(*user_names, handle),
        business_names=(account,),
        source="dm" if files.folder == "inbox" else "message_request",
        metadata={"folder": files.folder},
    )
    for message in parsed.messages:
        role: Role = "business" if message.sender_name.casefold() == account.casefold() else "user"
        _add_message(thread, message, role, files.name, account, result)
    thread.messages = _merge_edits(thread.messages, result)
    result.count("messages", len(thread.messages))
    result.count("events", len(thread.events))
    return thread


def _add_message(
    thread: Thread, message: _ExportMessage, role: Role, folder: str, account: str, result: ImportResult
) -> None:
    moment = datetime.fromtimestamp(message.timestamp_ms / 1000, tz=timezone.utc)
    thread.events.extend(_reactions(message, moment, account))
    text = (message.content or "").strip()
    attachments = tuple(_attachments(message, folder))
    event = _event_kind(message, text)
    if event and attachments:
        # "Jane sent an attachment." only describes the attachment that the turn carries.
        result.count("notices_dropped")
        text = ""
    elif event:
        thread.events.append(LogEvent(timestamp=moment, event=event, actor=role))
        result.count("notices_kept_as_events")
        return
    if not text and not attachments:
        result.count("messages_without_content")
        return
    kind = "text" if text else "attachment"
    thread.messages.append(
        LogMessage(role=role, timestamp=moment, text=text, kind=kind, attachments=attachments)
    )


def _event_kind(message: _ExportMessage, text: str) -> str | None:
    """Return the event a message stands for (a notice, an unsent message, a call), if any."""
    if message.is_unsent:
        return "unsent"
    if message.type == "Call" or message.call_duration is not None:
        return "call"
    for pattern, kind in _NOTICES:
        if pattern.match(text):
            return kind
    return None


def _reactions(message: _ExportMessage, moment: datetime, account: str) -> Iterator[LogEvent]:
    for reaction in message.reactions:
        actor: Role = "business" if reaction.actor.casefold() == account.casefold() else "user"
        when = moment
        if reaction.timestamp is not None:
            seconds = reaction.timestamp / 1000 if reaction.timestamp > 10**11 else reaction.timestamp
            when = datetime.fromtimestamp(seconds, tz=timezone.utc)
        yield LogEvent(timestamp=when, event="reaction", actor=actor, detail=reaction.reaction)


def _attachments(message: _ExportMessage, folder: str) -> Iterator[Attachment]:
    for name, kind in _MEDIA_FIELDS:
        for media in getattr(message, name):
            yield Attachment(type=kind, url=_local_uri(media.uri, folder))
    if message.sticker is not None:
        yield Attachment(type="sticker", url=_local_uri(message.sticker.uri, folder))
    if message.share is not None and message.share.link:
        yield Attachment(type="share", url=message.share.link)


def _local_uri(uri: str | None, folder: str) -> str | None:
    # Export paths start with messages/inbox/<username>_<number>/, which contains the user's
    # handle, so only the part inside the thread folder is kept.
    if not uri or uri.startswith(("http://", "https://")):
        return uri
    parts = PurePosixPath(uri).parts
    if folder in parts:
        return "/".join(parts[parts.index(folder) + 1 :])
    return PurePosixPath(uri).name


def _merge_edits(messages: list[LogMessage], result: ImportResult) -> list[LogMessage]:
    """Fold each " (edited)" copy of a message into the original, keeping the edited text.

    The original is the latest earlier message of the same sender within the edit window
    whose text is similar. When there is none, the edited copy stays, without its marker.
    """
    ordered = sorted(messages, key=lambda message: message.timestamp)
    kept: list[LogMessage] = []
    for message in ordered:
        if not _EDITED.search(message.text):
            kept.append(message)
            continue
        text = _EDITED.sub("", message.text)
        original = _find_original(kept, message, text)
        if original is None:
            kept.append(replace(message, text=text))
        else:
            kept[original] = replace(kept[original], text=text)
            result.count("edits_merged")
    return kept


def _find_original(kept: list[LogMessage], edited: LogMessage, text: str) -> int | None:
    for index in range(len(kept) - 1, -1, -1):
        candidate = kept[index]
        if edited.timestamp - candidate.timestamp > EDIT_WINDOW:
            return None
        if candidate.role != edited.role or not candidate.text:
            continue
        same_time = candidate.timestamp == edited.timestamp
        if same_time or difflib.SequenceMatcher(None, candidate.text, text).ratio() >= 0.6:
            return index
    return None


def _unknown_account(source: _ExportSource, threads: list[_ThreadFiles], account: str) -> ImportDataError:
    names: Counter[str] = Counter()
    for files in threads[:50]:
        names.update(p.name for p in _read_thread(source, files).participants)
    suggestion = names.most_common(1)[0][0] if names else None
    fix = f"pass the name that appears in every thread, probably --account {suggestion!r}" if suggestion else None
    return ImportDataError(
        f"account {account!r} is not a participant of any thread", path=source.root, field="--account", fix=fix
    )
