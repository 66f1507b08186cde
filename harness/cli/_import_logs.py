"""``dm-harness import instagram|webhooks|csv``: turn real DM logs into redacted scenario files."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from harness.errors import ConfigError, ExitCode

if TYPE_CHECKING:
    from harness.importers._threads import ImportResult

__all__ = ["register_import"]

_OUTPUT_NOTE = (
    "Personal data is redacted before anything is written. Scenarios are written to "
    "<OUT>/unlabelled.yaml with intent 'unlabelled' and the placeholder policy 'answer' until "
    "`dm-harness label` sets both; reactions, likes and other non-message events go to "
    "<OUT>/events.ndjson."
)

SALT_ENV = "DMH_ID_SALT"
"""Environment variable that sets --salt, so that the salt stays out of shell history."""


def register_import(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``instagram``, ``webhooks`` and ``csv`` sources under ``dm-harness import``."""
    instagram = subparsers.add_parser(
        "instagram",
        help="an Instagram 'Download your information' export (JSON format), folder or zip",
        description="Import the direct messages of an Instagram export. " + _OUTPUT_NOTE,
    )
    instagram.add_argument("export", metavar="EXPORT", help="the export folder or zip file")
    instagram.add_argument("--account", required=True, help="the business account's display name, as in the export")
    _add_common(instagram, _handle_instagram)

    webhooks = subparsers.add_parser(
        "webhooks",
        help="a log of Instagram Messaging webhook POST bodies, one JSON body per line",
        description="Import logged webhook deliveries, deduplicated by message id. " + _OUTPUT_NOTE,
    )
    webhooks.add_argument("file", metavar="FILE", help="JSON lines file, one POST body per line")
    _add_common(webhooks, _handle_webhooks)

    table = subparsers.add_parser(
        "csv",
        help="a CSV or JSON lines table with one row per message",
        description="Import a message table through a column mapping. " + _OUTPUT_NOTE,
    )
    table.add_argument("file", metavar="FILE", help="a .csv file, or a .jsonl/.ndjson file of flat objects")
    table.add_argument(
        "--map",
        required=True,
        metavar="FIELD=COLUMN,...",
        help="columns of the fields conversation_id, timestamp, sender, text (required) and "
        "message_id, sender_name, source, campaign, attachment_url (optional)",
    )
    table.add_argument(
        "--business",
        default="business,agent,bot,page,outbound,human_agent",
        metavar="VALUE,...",
        help="sender values that mark the business's messages (default: %(default)s)",
    )
    table.add_argument(
        "--timezone",
        default="UTC",
        help="IANA time zone of timestamps without an offset (default: %(default)s)",
    )
    table.add_argument(
        "--delimiter",
        help="CSV field delimiter (default: detected from the header line among , ; tab and |)",
    )
    _add_common(table, _handle_table)


def _add_common(parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], ImportResult]) -> None:
    parser.add_argument("--out", default="imported", help="folder for the scenario files (default: %(default)s)")
    parser.add_argument(
        "--gap-hours",
        type=float,
        default=24.0,
        help="hours of silence that start a new conversation (default: %(default)s, the messaging window)",
    )
    parser.add_argument("--format", choices=("yaml", "jsonl"), default="yaml", help="scenario file format")
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.add_argument(
        "--salt",
        default=os.environ.get(SALT_ENV),
        help=f"secret key for the thread digests in scenario ids (HMAC-SHA256); default: ${SALT_ENV}. "
        "Without a salt the ids are plain SHA-256 digests of the user's handle or id, which anyone "
        "who can guess candidate handles can reverse. Prefer the variable: an option shows in "
        "shell history and process lists",
    )
    parser.set_defaults(handler=lambda args: _run(args, handler))


def _gap(args: argparse.Namespace) -> timedelta:
    hours = args.gap_hours
    if not math.isfinite(hours) or hours <= 0:
        raise ConfigError(f"invalid gap {hours}", field="--gap-hours", fix="use a positive, finite number of hours")
    try:
        return timedelta(hours=hours)
    except OverflowError:
        raise ConfigError(f"gap {hours} hours is too long", field="--gap-hours", fix="use a smaller number of hours") from None


def _handle_instagram(args: argparse.Namespace) -> ImportResult:
    from harness.importers.instagram_export import import_instagram_export

    return import_instagram_export(args.export, args.account, gap=_gap(args), salt=args.salt)


def _handle_webhooks(args: argparse.Namespace) -> ImportResult:
    from harness.importers.webhooks import import_webhook_log

    return import_webhook_log(args.file, gap=_gap(args), salt=args.salt)


def _handle_table(args: argparse.Namespace) -> ImportResult:
    from harness.importers.csv_log import import_message_table, parse_mapping

    business = [value.strip() for value in args.business.split(",") if value.strip()]
    delimiter = _delimiter(args.delimiter)
    return import_message_table(
        args.file,
        parse_mapping(args.map),
        business_senders=business,
        local_timezone=args.timezone,
        gap=_gap(args),
        delimiter=delimiter,
        salt=args.salt,
    )


def _delimiter(value: str | None) -> str | None:
    # "\t" typed in a shell arrives as backslash and t.
    if value in ("\\t", "tab"):
        return "\t"
    if value is not None and len(value) != 1:
        raise ConfigError(f"invalid delimiter {value!r}", field="--delimiter", fix="give one character, or 'tab'")
    return value


def _run(args: argparse.Namespace, importer: Callable[[argparse.Namespace], ImportResult]) -> int:
    from rich.table import Table

    from harness.cli._console import console
    from harness.importers._writing import write_scenarios

    result = importer(args)
    if not result.scenarios:
        raise ConfigError("no conversation with a user message found", path=getattr(args, "export", None) or args.file)
    written = write_scenarios(result.scenarios, args.out, events=result.events, fmt=args.format, overwrite=args.force)

    table = Table("count", "value", title=f"Imported into {args.out}")
    for name, value in sorted(result.counts.items()):
        table.add_row(name.replace("_", " "), str(value))
    table.add_row("files written", ", ".join(path.name for path in written))
    console().print(table)
    return ExitCode.OK
