"""Importer for message tables: CSV, or JSON lines, with one row per message.

A column mapping names the columns that hold each field, for example
``conversation_id=thread,timestamp=sent_at,sender=from,text=body``. Rows whose sender is one of
the business values (``business``, ``agent``, ``bot`` by default) are the business's replies;
every other row is a user message. Timestamps are ISO 8601 (with an offset, or local time in
the given time zone) or epoch seconds or milliseconds. They are converted to UTC before any
duration is computed, so a daylight saving change never stretches or shrinks a gap.

A sender value outside the business list is taken as the user. That looks wrong when the value
is a staff role such as ``support`` or ``admin``, or when one conversation has two such values
and so two users. The importer then logs a warning with those values, so that they can be added
to the business list.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from harness.conversations import Attachment
from harness.errors import ConfigError, ImportDataError
from harness.importers._threads import (
    DEFAULT_GAP,
    MAX_EPOCH_MS,
    ImportResult,
    LogMessage,
    Thread,
    build_scenarios,
    read_input,
)
from harness.importers.redaction import redacted_preview

__all__ = [
    "DEFAULT_BUSINESS_SENDERS",
    "IMPORTER",
    "OPTIONAL_FIELDS",
    "REQUIRED_FIELDS",
    "ColumnMapping",
    "import_message_table",
    "parse_mapping",
]

logger = logging.getLogger(__name__)

IMPORTER = "csv"
"""Prefix of the scenario ids this importer writes."""

REQUIRED_FIELDS: tuple[str, ...] = ("conversation_id", "timestamp", "sender", "text")
OPTIONAL_FIELDS: tuple[str, ...] = ("message_id", "sender_name", "source", "campaign", "attachment_url")
DEFAULT_BUSINESS_SENDERS: tuple[str, ...] = ("business", "agent", "bot", "page", "outbound", "human_agent")
JSON_SUFFIXES = (".jsonl", ".ndjson")
DELIMITERS = ",;\t|"
"""Delimiters the header line is sniffed for when none is given."""

_STAFF_SENDER = re.compile(r"(?<![a-z])(?:support|admin|administrator|staff|operator|team|assistant)(?![a-z])")


@dataclass(frozen=True)
class ColumnMapping:
    """Input column of each message field."""

    columns: dict[str, str]

    def column(self, name: str) -> str | None:
        """Return the input column of field ``name``, or ``None`` when it is not mapped."""
        return self.columns.get(name)


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, Any]


@dataclass
class _Senders:
    """Sender values taken as the user, per conversation id, to spot staff values among them."""

    by_conversation: dict[str, Counter[str]] = field(default_factory=dict)
    as_user: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, sender: str, role: str) -> None:
        if role == "user":
            self.by_conversation.setdefault(key, Counter())[sender] += 1
            self.as_user[sender] += 1


def parse_mapping(text: str) -> ColumnMapping:
    """Parse ``field=column,field=column`` into a mapping.

    Raises:
        ConfigError: A pair has no ``=``, a field name is unknown, or a required field is missing.
    """
    columns: dict[str, str] = {}
    for pair in (part.strip() for part in text.split(",") if part.strip()):
        name, sep, column = (piece.strip() for piece in pair.partition("="))
        if not sep or not column:
            raise ConfigError(f"invalid mapping {pair!r}", field="--map", fix="write field=column pairs separated by commas")
        if name not in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS):
            valid = ", ".join((*REQUIRED_FIELDS, *OPTIONAL_FIELDS))
            raise ConfigError(f"unknown field {name!r}", field="--map", fix=f"use one of: {valid}")
        columns[name] = column
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ConfigError(
            f"required fields not mapped: {', '.join(missing)}",
            field="--map",
            fix=f"add {','.join(f'{name}=COLUMN' for name in missing)}",
        )
    return ColumnMapping(columns)


def import_message_table(
    path: str | Path,
    mapping: ColumnMapping,
    *,
    business_senders: Sequence[str] = DEFAULT_BUSINESS_SENDERS,
    local_timezone: str = "UTC",
    gap: timedelta = DEFAULT_GAP,
    delimiter: str | None = None,
    salt: str | None = None,
) -> ImportResult:
    """Import a CSV or JSON lines table of messages, one row per message.

    Args:
        path: The CSV file, or a ``.jsonl``/``.ndjson`` file of flat JSON objects.
        mapping: The input column of each field.
        business_senders: Sender values that mark the business's messages (any letter case).
        local_timezone: IANA time zone of timestamps written without an offset.
        gap: Inactivity gap that splits a conversation id into conversations.
        delimiter: CSV field delimiter; by default it is sniffed from the header line among
            comma, semicolon, tab and ``|``, falling back to a comma.
        salt: Key of the HMAC that turns conversation ids into scenario ids; without it the
            ids are plain SHA-256 digests.

    Raises:
        ImportDataError: The file is not UTF-8, a mapped column is missing, or a row has an
            empty required field or an invalid timestamp; the error names the file and line.
    """
    path = Path(path)
    zone = _zone(local_timezone)
    business = {value.casefold() for value in business_senders}
    threads: dict[str, Thread] = {}
    seen_ids: set[str] = set()
    senders = _Senders()
    result = ImportResult()
    for row in _rows(path, mapping, delimiter):
        _add_row(row, path, mapping, zone, business, threads, seen_ids, senders, result)
    _warn_about_senders(senders, path)
    for thread in threads.values():
        build_scenarios(thread, importer=IMPORTER, gap=gap, result=result, salt=salt)
    result.count("threads", len(threads))
    return result


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}", field="--timezone", fix="use an IANA name such as Europe/London") from None


# --- reading rows -------------------------------------------------------------------------


def _rows(path: Path, mapping: ColumnMapping, delimiter: str | None) -> Iterator[_Row]:
    text = _read_text(path)
    if path.suffix.lower() in JSON_SUFFIXES:
        yield from _json_rows(text, path, mapping)
    else:
        yield from _csv_rows(text, path, mapping, delimiter or _sniff_delimiter(text))


def _read_text(path: Path) -> str:
    data = read_input(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportDataError(
            f"file is not valid UTF-8 (byte {exc.start})",
            path=path,
            line=line,
            fix="save the file as UTF-8 (for example: iconv -f cp1252 -t utf-8)",
        ) from None


def _sniff_delimiter(text: str) -> str:
    # Only the header line is sniffed: message bodies are full of commas and semicolons.
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _csv_rows(text: str, path: Path, mapping: ColumnMapping, delimiter: str) -> Iterator[_Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    _check_columns(reader.fieldnames or [], path, mapping, line=1)
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportDataError(f"invalid CSV: {exc}", path=path, line=start) from None
        yield _Row(start, values)


def _json_rows(text: str, path: Path, mapping: ColumnMapping) -> Iterator[_Row]:
    # str.splitlines() would also split at U+2028 and U+2029, which JSON allows raw inside a
    # string, so lines end at "\n" only (a "\r" before it is JSON whitespace).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportDataError(f"invalid JSON at column {exc.colno}: {exc.msg}", path=path, line=number) from None
        if not isinstance(values, dict):
            raise ImportDataError("expected a JSON object", path=path, line=number, fix="write one object per line")
        _check_columns(list(values), path, mapping, line=number)
        yield _Row(number, values)


def _check_columns(columns: list[str], path: Path, mapping: ColumnMapping, *, line: int) -> None:
    for name in REQUIRED_FIELDS:
        column = mapping.column(name)
        if column not in columns:
            raise ImportDataError(
                f"column {column!r} (mapped to {name}) not found; the columns are: {', '.join(columns)}",
                path=path,
                line=line,
                field=f"--map {name}",
                fix=f"map {name} to one of the columns",
            )


# --- rows into threads --------------------------------------------------------------------


def _add_row(
    row: _Row,
    path: Path,
    mapping: ColumnMapping,
    zone: tzinfo,
    business: set[str],
    threads: dict[str, Thread],
    seen_ids: set[str],
    senders: _Senders,
    result: ImportResult,
) -> None:
    key, stamp, sender = (_required(row, path, mapping, name) for name in ("conversation_id", "timestamp", "sender"))
    message_id = _optional(row, mapping, "message_id")
    if message_id is not None:
        if message_id in seen_ids:
            result.count("duplicates_skipped")
            return
        seen_ids.add(message_id)

    role = "business" if sender.casefold() in business else "user"
    senders.add(key, sender, role)
    thread = threads.setdefault(key, Thread(key=key))
    _add_names(thread, row, mapping, sender, role)
    attachment = _optional(row, mapping, "attachment_url")
    text = _optional(row, mapping, "text") or ""
    if not text and attachment is None:
        result.count("rows_without_text")
        return
    thread.messages.append(
        LogMessage(
            role=role,
            timestamp=_timestamp(stamp, zone, row, path, mapping),
            text=text,
            kind="text" if text else "attachment",
            attachments=(Attachment(type="file", url=attachment),) if attachment else (),
            message_id=message_id,
            source=_optional(row, mapping, "source"),
            campaign=_optional(row, mapping, "campaign"),
        )
    )
    result.count("messages")


def _add_names(thread: Thread, row: _Row, mapping: ColumnMapping, sender: str, role: str) -> None:
    name = _optional(row, mapping, "sender_name")
    if role == "user":
        new = [value for value in (name, sender) if value and value not in thread.names]
        thread.names = (*thread.names, *new)
    elif name and name not in thread.business_names:
        thread.business_names = (*thread.business_names, name)


def _required(row: _Row, path: Path, mapping: ColumnMapping, name: str) -> str:
    value = _optional(row, mapping, name)
    if value is None:
        raise ImportDataError(
            f"empty {name} (column {mapping.column(name)!r})", path=path, line=row.line, field=mapping.column(name)
        )
    return value


def _optional(row: _Row, mapping: ColumnMapping, name: str) -> str | None:
    column = mapping.column(name)
    if column is None:
        return None
    value = row.values.get(column)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _timestamp(value: str, zone: tzinfo, row: _Row, path: Path, mapping: ColumnMapping) -> datetime:
    """Parse epoch seconds or milliseconds, or ISO 8601, into an aware UTC datetime."""
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number) or not 0 <= number <= MAX_EPOCH_MS:
            raise _timestamp_error(value, row, path, mapping)
        seconds = number / 1000 if number > 10**11 else number
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _timestamp_error(value, row, path, mapping) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)


def _timestamp_error(value: str, row: _Row, path: Path, mapping: ColumnMapping) -> ImportDataError:
    # A wrong --map can put message text in the timestamp column, so the value is redacted.
    return ImportDataError(
        f"invalid timestamp {redacted_preview(value)!r}",
        path=path,
        line=row.line,
        field=mapping.column("timestamp"),
        fix="use ISO 8601 (2024-03-31T14:05:00+01:00) or epoch seconds or milliseconds",
    )


# --- checks on the sender values ----------------------------------------------------------


def _warn_about_senders(senders: _Senders, path: Path) -> None:
    """Log a warning when sender values taken as the user look like the business's staff.

    A conversation has one user, so two user values in one conversation (with the business's
    value, three sender values) mean that one of them is probably staff.
    """
    crowded = [key for key, counts in senders.by_conversation.items() if len(counts) > 1]
    staff = [value for value in senders.as_user if _STAFF_SENDER.search(value.casefold())]
    if not crowded and not staff:
        return
    reason = (
        f"more than one of them appear in {_plural(len(crowded), 'conversation')}" if crowded else "some look like staff roles"
    )
    logger.warning(
        "%s: these sender values were treated as the user, but %s: %s. "
        "If they are the business's, add them to --business",
        path,
        reason,
        _describe_user_senders(senders),
    )


def _describe_user_senders(senders: _Senders) -> str:
    """List each sender value taken as the user with its message count.

    A value seen in one conversation only is usually a person's id or handle, so those are
    counted together instead of printed, unless they look like a staff role.
    """
    spread = Counter(value for counts in senders.by_conversation.values() for value in counts)
    listed: list[str] = []
    hidden_values, hidden_messages = 0, 0
    for value, count in senders.as_user.most_common():
        if spread[value] > 1 or _STAFF_SENDER.search(value.casefold()):
            listed.append(f"{redacted_preview(value)!r} ({_plural(count, 'message')})")
        else:
            hidden_values += 1
            hidden_messages += count
    if hidden_values:
        listed.append(
            f"{_plural(hidden_values, 'other value')} seen in one conversation each ({_plural(hidden_messages, 'message')})"
        )
    return ", ".join(listed)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
