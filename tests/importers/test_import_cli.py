"""Tests of ``dm-harness import instagram|webhooks|csv``: outputs, privacy and failed imports."""

from __future__ import annotations

import hashlib
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


def scenario_ids(folder: Path) -> list[str]:
    return sorted(scenario.id for scenario in load_suite([folder]).scenarios)


def test_import_salt_changes_ids(tmp_path):
    run_csv(tmp_path, tmp_path / "plain")
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    main(["import", "csv", str(path), "--map", MAPPING, "--salt", "s3cret", "--out", str(tmp_path / "salted")])
    plain, salted = scenario_ids(tmp_path / "plain"), scenario_ids(tmp_path / "salted")
    assert len(salted) == len(plain)
    assert not set(salted) & set(plain)


def test_import_salt_from_environment(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    main(["import", "csv", str(path), "--map", MAPPING, "--salt", "s3cret", "--out", str(tmp_path / "option")])
    monkeypatch.setenv("DMH_ID_SALT", "s3cret")
    main(["import", "csv", str(path), "--map", MAPPING, "--out", str(tmp_path / "environment")])
    assert scenario_ids(tmp_path / "environment") == scenario_ids(tmp_path / "option")


def test_import_ids_without_salt_unchanged(tmp_path):
    run_csv(tmp_path, tmp_path / "out")
    digest = hashlib.sha256(b"csv\0t-100").hexdigest()[:10]
    assert f"csv-{digest}-01" in scenario_ids(tmp_path / "out")


@pytest.mark.parametrize("source", ["instagram", "webhooks", "csv"])
def test_import_help_says_ids_reversible(capsys, source):
    with pytest.raises(SystemExit):
        main(["import", source, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "DMH_ID_SALT" in help_text
    assert "can reverse" in help_text


@pytest.mark.parametrize("hours", ["nan", "inf", "-inf", "0", "1e300"])
def test_import_gap_invalid(tmp_path, capsys, hours):
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    code = main(["import", "csv", str(path), "--map", MAPPING, f"--gap-hours={hours}", "--out", str(tmp_path / "out")])
    assert code == 2
    assert "--gap-hours" in capsys.readouterr().err


@pytest.mark.parametrize("source", ["webhooks", "csv"])
def test_import_folder_as_file(tmp_path, capsys, source):
    extra = ["--map", MAPPING] if source == "csv" else []
    code = main(["import", source, str(tmp_path), *extra, "--out", str(tmp_path / "out")])
    assert code == 2
    assert "expected a file, found a folder" in capsys.readouterr().err


def test_import_timestamp_error_hides_text(tmp_path, capsys):
    rows = [["1", "t", "2024-05-02T10:00:00Z", "customer", "", "Hi, this is Priya Patel, priya.patel@corp.co.in / +91 98765 43210", ""]]
    path = write_csv(tmp_path / "messages.csv", HEADER, rows)
    mapping = "conversation_id=thread,timestamp=body,sender=from,text=sent_at"
    code = main(["import", "csv", str(path), "--map", mapping, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "invalid timestamp" in err
    assert "Priya" not in err
    assert "corp.co.in" not in err
    assert "98765" not in err


def test_import_semicolon_csv(tmp_path):
    path = tmp_path / "messages.csv"
    path.write_text("\n".join(";".join(row) for row in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    assert main(["import", "csv", str(path), "--map", MAPPING, "--out", str(tmp_path / "out")]) == 0
    assert len(load_suite([tmp_path / "out"]).scenarios) == 3


def test_import_delimiter_option(tmp_path):
    path = tmp_path / "messages.csv"
    path.write_text("\n".join("\t".join(row) for row in [HEADER, *ROWS]) + "\n", encoding="utf-8")
    out = str(tmp_path / "out")
    assert main(["import", "csv", str(path), "--map", MAPPING, "--delimiter", "\\t", "--out", out]) == 0
    assert len(load_suite([tmp_path / "out"]).scenarios) == 3


def test_import_delimiter_invalid(tmp_path, capsys):
    path = write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    assert main(["import", "csv", str(path), "--map", MAPPING, "--delimiter", ";;", "--out", str(tmp_path / "out")]) == 2
    assert "--delimiter" in capsys.readouterr().err


def test_import_webhooks_byte_order_mark(tmp_path):
    path = tmp_path / "hooks.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(item) + "\n" for item in LOG).encode())
    assert main(["import", "webhooks", str(path), "--out", str(tmp_path / "out")]) == 0


def test_import_staff_sender_warning(tmp_path, caplog):
    rows = [["1", "t", "2024-05-02T10:00:00Z", "customer", "", "hello", ""],
            ["2", "t", "2024-05-02T10:01:00Z", "admin", "", "hi, how can I help?", ""]]
    path = write_csv(tmp_path / "messages.csv", HEADER, rows)
    assert main(["import", "csv", str(path), "--map", MAPPING, "--out", str(tmp_path / "out")]) == 0
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "'admin' (1 message)" in warnings[0]
