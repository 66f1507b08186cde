"""Importer for message tables: CSV, or JSON lines, with one row per message.

A column mapping names the columns that hold each field, for example
``conversation_id=thread,timestamp=sent_at,sender=from,text=body``. Rows whose sender is one of
the business values (``business``, ``agent``, ``bot`` by default) are the business's replies;
every other row is a user message. Timestamps are ISO 8601 (with an offset, or local time in
the given time zone) or epoch seconds or milliseconds. They are converted to UTC before any
duration is computed, so a daylight saving change never stretches or shrinks a gap.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from harness.conversations import Attachment
from harness.errors import ConfigError, ImportDataError
from harness.importers._threads import DEFAULT_GAP, ImportResult, LogMessage, Thread, build_scenarios

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
) -> ImportResult:
    """Import a CSV or JSON lines table of messages, one row per message.

    Args:
        path: The CSV file, or a ``.jsonl``/``.ndjson`` file of flat JSON objects.
        mapping: The input column of each field.
        business_senders: Sender values that mark the business's messages (any letter case).
        local_timezone: IANA time zone of timestamps written without an offset.
        gap: Inactivity gap that splits a conversation id into conversations.

    Raises:
        ImportDataError: The file is not UTF-8, a mapped column is missing, or a row has an
            empty required field or an invalid timestamp; the error names the file and line.
    """
    path = Path(path)
    zone = _zone(local_timezone)
    business = {value.casefold() for value in business_senders}
    threads: dict[str, Thread] = {}
    seen_ids: set[str] = set()
    result = ImportResult()
    for row in _rows(path, mapping):
        _add_row(row, path, mapping, zone, business, threads, seen_ids, result)
    for thread in threads.values():
        build_scenarios(thread, importer=IMPORTER, gap=gap, result=result)
    result.count("threads", len(threads))
    return result


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}", field="--timezone", fix="use an IANA name such as Europe/London") from None


# --- reading rows -------------------------------------------------------------------------


def _rows(path: Path, mapping: ColumnMapping) -> Iterator[_Row]:
    text = _read_text(path)
    if path.suffix.lower() in JSON_SUFFIXES:
        yield from _json_rows(text, path, mapping)
    else:
        yield from _csv_rows(text, path, mapping)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportDataError("file not found", path=path, fix="check the path") from None
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


def _csv_rows(text: str, path: Path, mapping: ColumnMapping) -> Iterator[_Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
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
    for number, line in enumerate(text.splitlines(), start=1):
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
        seconds = number / 1000 if number > 10**11 else number
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ImportDataError(
            f"invalid timestamp {value!r}",
            path=path,
            line=row.line,
            field=mapping.column("timestamp"),
            fix="use ISO 8601 (2024-03-31T14:05:00+01:00) or epoch seconds or milliseconds",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(timezone.utc)
