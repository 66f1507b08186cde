"""Tests of ``dm-harness import instagram|webhooks|csv``: outputs, privacy and failed imports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_csv_log import HEADER, MAPPING, ROWS, write_csv
from test_instagram_export import ACCOUNT, build_export, zip_folder
from test_webhooks import LOG

from harness.cli import main
from harness.conversations import load_suite

EMAILS = ["jane.doe@example.com", "omar.k@example.org", "maria.lopez@mail.es"]
PHONES = ["07700 900123", "+1 415 555 0132", "07700 900456", "+81 90 1234 5678"]
NAMES = ["Jane", "Doe", "Bob Smith", "Maria", "Lopez", "Ken Ito", "Emma", "janedoe", "bob.smith", ACCOUNT]


def run_instagram(tmp_path: Path, out: Path) -> int:
    export = zip_folder(build_export(tmp_path / "export", "", with_type=True), tmp_path / "export.zip")
    return main(["import", "instagram", str(export), "--account", ACCOUNT, "--out", str(out)])


def run_webhooks(tmp_path: Path, out: Path) -> int:
    path = tmp_path / "hooks.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in LOG), encoding="utf-8")
    return main(["import", "webhooks", str(path), "--out", str(out)])


def run_csv(tmp_path: Path, out: Path) -> int:
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    return main(["import", "csv", str(path), "--map", MAPPING, "--business", "agent,bot", "--out", str(out)])


RUNNERS = {"instagram": run_instagram, "webhooks": run_webhooks, "csv": run_csv}


def output_text(folder: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()))


@pytest.mark.parametrize("source", RUNNERS)
def test_import_exit_code(tmp_path, source):
    assert RUNNERS[source](tmp_path, tmp_path / "out") == 0


@pytest.mark.parametrize("source", RUNNERS)
def test_import_output_loads(tmp_path, source):
    RUNNERS[source](tmp_path, tmp_path / "out")
    suite = load_suite([tmp_path / "out"])
    assert suite.intents == ["unlabelled"]


@pytest.mark.parametrize("source", RUNNERS)
def test_import_no_personal_data(tmp_path, source):
    RUNNERS[source](tmp_path, tmp_path / "out")
    text = output_text(tmp_path / "out")
    digits = re.sub(r"\D", "", text)
    for email in EMAILS:
        assert email not in text
    for phone in PHONES:
        assert re.sub(r"\D", "", phone) not in digits
    for name in NAMES:
        assert name.casefold() not in text.casefold()


def test_import_events_file(tmp_path):
    run_instagram(tmp_path, tmp_path / "out")
    events = [json.loads(line) for line in (tmp_path / "out" / "events.ndjson").read_text().splitlines()]
    assert {event["event"] for event in events} == {"like", "reaction", "unsent"}


def test_import_jsonl_format(tmp_path):
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    main(["import", "csv", str(path), "--map", MAPPING, "--out", str(tmp_path / "out"), "--format", "jsonl"])
    assert len(load_suite([tmp_path / "out" / "unlabelled.jsonl"]).scenarios) == 3


def test_import_refuses_overwrite(tmp_path, capsys):
    run_csv(tmp_path, tmp_path / "out")
    assert run_csv(tmp_path, tmp_path / "out") == 2
    assert "--force" in capsys.readouterr().err


def test_import_force_overwrites(tmp_path):
    run_csv(tmp_path, tmp_path / "out")
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    out = str(tmp_path / "out")
    assert main(["import", "csv", str(path), "--map", MAPPING, "--out", out, "--force"]) == 0


def broken_instagram(tmp_path: Path) -> list[str]:
    export = build_export(tmp_path / "export", "", with_type=True)
    target = export / "messages" / "inbox" / "janedoe_1234567890" / "message_2.json"
    target.write_text(target.read_text()[:-25])
    return ["import", "instagram", str(export), "--account", ACCOUNT]


def broken_webhooks(tmp_path: Path) -> list[str]:
    path = tmp_path / "hooks.jsonl"
    lines = [json.dumps(item) for item in LOG]
    lines[5] = lines[5].replace('"sender"', '"from"')
    path.write_text("\n".join(lines) + "\n")
    return ["import", "webhooks", str(path)]


def broken_csv(tmp_path: Path) -> list[str]:
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    path.write_bytes(path.read_bytes() + b"8,t-300,2024-05-02T10:00:00Z,customer,,na\xefve,\n")
    return ["import", "csv", str(path), "--map", MAPPING]


@pytest.mark.parametrize(
    ("build", "location"),
    [
        (broken_instagram, r"message_2\.json:\d+: invalid JSON"),
        (broken_webhooks, r"hooks\.jsonl:6: entry\.0\.messaging\.0\.sender: required field is missing"),
        (broken_csv, r"messages\.csv:9: file is not valid UTF-8"),
    ],
)
def test_import_malformed_writes_nothing(tmp_path, capsys, build, location):
    out = tmp_path / "out"
    code = main([*build(tmp_path), "--out", str(out)])
    assert code == 2
    assert re.search(location, capsys.readouterr().err.replace("\n", ""))
    assert not out.exists() or not any(out.iterdir())
