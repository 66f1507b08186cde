"""Time the importers on generated logs of 100,000 messages each.

Usage: python3 bench/import_speed.py [--messages 100000] [--formats instagram,webhooks,csv]

For each format the script writes a log of realistic DM messages into a temporary folder.
About one message in five contains an email, a phone number or a name to redact. The script
then times the import (parsing, splitting, redaction, scenario building) and the writing of
the scenario files separately. Threads have 20 messages, alternating user and business, with a two-day silence
in the middle, so each becomes two conversations.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from harness.importers._threads import ImportResult
from harness.importers._writing import write_scenarios
from harness.importers.csv_log import import_message_table, parse_mapping
from harness.importers.instagram_export import import_instagram_export
from harness.importers.webhooks import import_webhook_log

ACCOUNT = "Glow Studio"
PER_THREAD = 20
START_MS = 1_709_280_000_000
USER_TEXTS = [
    "hi! how much is a full set of gel nails?",
    "can I book for friday afternoon? my email is {first}.{last}@example.com",
    "do you have any slots tomorrow around 3pm",
    "my number is 07700 900{n:03d} if you need to call",
    "is the spring offer still on?",
    "I'm {first}, I booked last week but need to move it",
    "great, thank you so much! {first} x",
    "where are you based? is there parking",
    "can my friend come too?",
    "ok perfect see you then",
]
BUSINESS_TEXTS = [
    "Hi {first}! A full set is £35, want me to book you in?",
    "Sure, we have 2pm or 4pm on Friday. Which works?",
    "You're booked! See you soon.",
    "We're at 12 Baker Street, parking is on Dorset Street.",
    "Yes, the offer runs until the end of the month.",
]
FIRST = ["Emma", "Olivia", "Ava", "Mia", "Liam", "Noah", "Sofia", "Aisha", "Chloe", "Lucas"]
LAST = ["Smith", "Jones", "Patel", "Garcia", "Kim", "Brown", "Nguyen", "Silva", "Khan", "Ward"]


def messages(total: int, seed: int = 0) -> Iterator[tuple[int, str, str, str, int]]:
    """Yield ``(thread, user name, sender role, text, timestamp_ms)`` for ``total`` messages."""
    generator = random.Random(seed)
    for index in range(total):
        thread, position = divmod(index, PER_THREAD)
        first, last = FIRST[thread % len(FIRST)], LAST[(thread // len(FIRST)) % len(LAST)]
        role = "user" if position % 2 == 0 else "business"
        template = generator.choice(USER_TEXTS if role == "user" else BUSINESS_TEXTS)
        text = template.format(first=first, last=last.lower(), n=thread % 1000)
        pause = 2 * 86_400_000 if position == PER_THREAD // 2 else 90_000
        stamp = START_MS + thread * 600_000 + position * 90_000 + (pause if position >= PER_THREAD // 2 else 0)
        yield thread, f"{first} {last}", role, text, stamp


def write_webhooks(folder: Path, total: int) -> Path:
    path = folder / "hooks.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for index, (thread, _, role, text, stamp) in enumerate(messages(total)):
            user, account = f"62000{thread:08d}", "17841400000000001"
            sender, recipient = (user, account) if role == "user" else (account, user)
            message = {"mid": f"m{index}", "text": text, **({"is_echo": True} if role == "business" else {})}
            item = {"sender": {"id": sender}, "recipient": {"id": recipient}, "timestamp": stamp, "message": message}
            body = {"object": "instagram", "entry": [{"id": account, "time": stamp, "messaging": [item]}]}
            stream.write(json.dumps(body) + "\n")
    return path


def write_csv(folder: Path, total: int) -> Path:
    path = folder / "messages.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["thread", "sent_at", "from", "name", "body"])
        for thread, name, role, text, stamp in messages(total):
            writer.writerow([f"t{thread}", stamp, "agent" if role == "business" else "customer", name, text])
    return path


def write_export(folder: Path, total: int) -> Path:
    threads: dict[int, list[dict[str, object]]] = {}
    names: dict[int, str] = {}
    for thread, name, role, text, stamp in messages(total):
        sender = ACCOUNT if role == "business" else name
        escaped = text.encode("utf-8").decode("latin-1")
        threads.setdefault(thread, []).append({"sender_name": sender, "timestamp_ms": stamp, "content": escaped})
        names[thread] = name
    for thread, items in threads.items():
        target = folder / "export" / "messages" / "inbox" / f"user{thread}_{thread}"
        target.mkdir(parents=True)
        body = {"participants": [{"name": names[thread]}, {"name": ACCOUNT}], "messages": items[::-1]}
        (target / "message_1.json").write_text(json.dumps(body), encoding="utf-8")
    return folder / "export"


FORMATS: dict[str, tuple[Callable[[Path, int], Path], Callable[[Path], ImportResult]]] = {
    "instagram": (write_export, lambda path: import_instagram_export(path, ACCOUNT)),
    "webhooks": (write_webhooks, import_webhook_log),
    "csv": (
        write_csv,
        lambda path: import_message_table(path, parse_mapping("conversation_id=thread,timestamp=sent_at,sender=from,text=body,sender_name=name")),
    ),
}


def measure(name: str, total: int) -> dict[str, object]:
    """Generate one log, import it and write the scenarios, returning the timings."""
    generate, run = FORMATS[name]
    with tempfile.TemporaryDirectory() as raw:
        folder = Path(raw)
        path = generate(folder, total)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = run(path)
        imported = time.perf_counter() - started
        write_scenarios(result.scenarios, folder / "out", events=result.events)
        written = time.perf_counter() - started - imported
        cpu = time.process_time() - cpu_started
    return {
        "format": name,
        "messages": total,
        "conversations": len(result.scenarios),
        "import_seconds": round(imported, 1),
        "write_seconds": round(written, 1),
        "messages_per_second": round(total / (imported + written)),
        # CPU time is the steadier figure on a shared machine, where wall time includes waiting.
        "cpu_seconds": round(cpu, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000, help="messages per format (default: %(default)s)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats to time")
    args = parser.parse_args(argv)

    for name in args.formats.split(","):
        record = measure(name.strip(), args.messages)
        record["python"] = platform.python_version()
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
