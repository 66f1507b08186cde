"""Tests of the CSV and JSON lines importer: mapping, roles, time zones and errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from harness.errors import ConfigError, ImportDataError
from harness.importers.csv_log import import_message_table, parse_mapping

MAPPING = "conversation_id=thread,timestamp=sent_at,sender=from,text=body,sender_name=name,message_id=id,campaign=utm"
HEADER = ["id", "thread", "sent_at", "from", "name", "body", "utm"]
ROWS = [
    ["1", "t-100", "2024-05-02T10:00:00+02:00", "customer", "Maria Lopez", "Hola! Do you ship to Spain? I'm Maria", "summer"],
    ["2", "t-100", "2024-05-02T10:05:00+02:00", "agent", "Shop Team", "Hi Maria, yes we do! Shipping is €6.", ""],
    ["2", "t-100", "2024-05-02T10:05:00+02:00", "agent", "Shop Team", "Hi Maria, yes we do! Shipping is €6.", ""],
    ["3", "t-100", "2024-05-02T10:07:00+02:00", "customer", "Maria Lopez", "great, send the invoice to maria.lopez@mail.es", ""],
    ["4", "t-200", "1714644000000", "customer", "Ken Ito", "is the blue jacket back in stock?", ""],
    ["5", "t-200", "1714644060", "bot", "", "Not yet, want a restock alert?", ""],
    ["6", "t-200", "2024-05-09T08:00:00Z", "customer", "Ken Ito", "any news? my number is +81 90 1234 5678", ""],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(params=["csv", "jsonl"])
def table(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "csv":
        return write_csv(tmp_path / "messages.csv", HEADER, ROWS)
    path = tmp_path / "messages.jsonl"
    path.write_text("".join(json.dumps(dict(zip(HEADER, row))) + "\n" for row in ROWS), encoding="utf-8")
    return path


@pytest.fixture
def result(table: Path):
    return import_message_table(table, parse_mapping(MAPPING))


def by_thread_text(result, start: str):
    return next(s for s in result.scenarios if s.turns[0].user.startswith(start))


def test_table_conversations(result):
    assert result.counts["threads"] == 2
    assert len(result.scenarios) == 3


def test_table_turns_and_reference(result):
    maria = by_thread_text(result, "Hola")
    assert maria.turns[0].user == "Hola! Do you ship to Spain? I'm <NAME_1>"
    assert maria.turns[0].reference == "Hi <NAME_1>, yes we do! Shipping is €6."
    assert maria.turns[1].user == "great, send the invoice to <EMAIL_1>"
    assert maria.turns[1].reference is None


def test_table_duplicate_id(result):
    assert result.counts["duplicates_skipped"] == 1


def test_table_campaign(result):
    assert by_thread_text(result, "Hola").campaign == "summer"


def test_table_epoch_timestamps(result):
    ken = by_thread_text(result, "is the blue")
    assert ken.turns[0].reference == "Not yet, want a restock alert?"
    assert ken.metadata["started_at"] == "2024-05-02T10:00:00Z"


def test_table_gap_split(result):
    later = by_thread_text(result, "any news")
    assert later.turns[0].user == "any news? my number is <PHONE_1>"


@pytest.mark.parametrize(
    ("first", "second", "conversations"),
    [
        # Clocks in London go forward on 31 March 2024: 24.5 local hours are 23.5 real ones.
        ("2024-03-30T22:00:00", "2024-03-31T22:30:00", 1),
        # Clocks go back on 27 October 2024: 23.5 local hours are 24.5 real ones.
        ("2024-10-26T22:00:00", "2024-10-27T21:30:00", 2),
    ],
)
def test_table_gap_across_dst(tmp_path, first, second, conversations):
    rows = [["1", "t", first, "customer", "", "hello", ""], ["2", "t", second, "customer", "", "hello again", ""]]
    path = write_csv(tmp_path / "dst.csv", HEADER, rows)
    result = import_message_table(path, parse_mapping(MAPPING), local_timezone="Europe/London")
    assert len(result.scenarios) == conversations


def test_table_wrong_mapping(tmp_path):
    path = write_csv(tmp_path / "m.csv", HEADER, ROWS)
    mapping = parse_mapping(MAPPING.replace("sent_at", "created"))
    with pytest.raises(ImportDataError, match=r"m\.csv:1: --map timestamp: column 'created'.*sent_at"):
        import_message_table(path, mapping)


def test_table_not_utf8(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b"id,thread,sent_at,from,name,body,utm\n1,t,2024-05-02T10:00:00Z,c,,caf\xe9 au lait,\n")
    with pytest.raises(ImportDataError, match=r"m\.csv:2: file is not valid UTF-8"):
        import_message_table(path, parse_mapping(MAPPING))


def test_table_empty_required(tmp_path):
    rows = [ROWS[0], ["9", "", "2024-05-02T10:00:00Z", "customer", "", "hi", ""]]
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    with pytest.raises(ImportDataError, match=r"m\.csv:3: thread: empty conversation_id"):
        import_message_table(path, parse_mapping(MAPPING))


def test_table_bad_timestamp(tmp_path):
    rows = [["9", "t", "yesterday", "customer", "", "hi", ""]]
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    with pytest.raises(ImportDataError, match=r"m\.csv:2: sent_at: invalid timestamp 'yesterday'"):
        import_message_table(path, parse_mapping(MAPPING))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("conversation_id=a,timestamp=b,sender=c", "required fields not mapped: text"),
        ("conversation_id=a,timestamp=b,sender=c,text=d,colour=e", "unknown field 'colour'"),
        ("conversation_id", "invalid mapping"),
    ],
)
def test_mapping_invalid(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_mapping(text)


def test_table_timestamp_error_redacted(tmp_path):
    text = "Hi, this is Priya Patel, mail priya.patel@corp.co.in / +91 98765 43210"
    path = write_csv(tmp_path / "m.csv", HEADER, [["9", "t", "2024-05-02T10:00:00Z", "customer", "", text, ""]])
    mapping = parse_mapping(MAPPING.replace("timestamp=sent_at", "timestamp=body").replace("text=body", "text=sent_at"))
    with pytest.raises(ImportDataError) as caught:
        import_message_table(path, mapping)
    message = caught.value.render()
    assert "Priya" not in message
    assert "priya.patel" not in message
    assert "98765" not in message
    assert "invalid timestamp 'Hi, this is <NAME_1>" in message


@pytest.mark.parametrize("stamp", ["nan", "inf", "-5", "1e30"])
def test_table_timestamp_out_of_range(tmp_path, stamp):
    path = write_csv(tmp_path / "m.csv", HEADER, [["9", "t", stamp, "customer", "", "hi", ""]])
    with pytest.raises(ImportDataError, match=r"m\.csv:2: sent_at: invalid timestamp"):
        import_message_table(path, parse_mapping(MAPPING))


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_table_delimiter_sniffed(tmp_path, delimiter):
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    result = import_message_table(path, parse_mapping(MAPPING))
    assert len(result.scenarios) == 3


def test_table_delimiter_given(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id;thread;sent_at;from;name;body;utm\n1;t;2024-05-02T10:00:00Z;customer;;hi, there;\n", encoding="utf-8")
    result = import_message_table(path, parse_mapping(MAPPING), delimiter=";")
    assert result.scenarios[0].turns[0].user == "hi, there"


def test_table_jsonl_line_separator_in_text(tmp_path):
    path = tmp_path / "m.jsonl"
    rows = [dict(zip(HEADER, row)) for row in ROWS[:2]]
    rows[0]["body"] = "first line\u2028second line\u2029end"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    result = import_message_table(path, parse_mapping(MAPPING))
    assert result.scenarios[0].turns[0].user == "first line\u2028second line\u2029end"


def test_table_folder_is_error(tmp_path):
    with pytest.raises(ImportDataError, match="expected a file, found a folder"):
        import_message_table(tmp_path, parse_mapping(MAPPING))


def sender_rows(*senders: tuple[str, str]) -> list[list[str]]:
    return [
        [str(number), thread, f"2024-05-02T10:0{number}:00Z", sender, "", f"message {number}", ""]
        for number, (thread, sender) in enumerate(senders)
    ]


def test_table_staff_sender_warns(tmp_path, caplog):
    rows = sender_rows(("t1", "customer"), ("t1", "support"), ("t2", "customer"), ("t2", "agent"))
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    import_message_table(path, parse_mapping(MAPPING))
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "'support' (1 message)" in warnings[0]
    assert "'customer' (2 messages)" in warnings[0]
    assert "--business" in warnings[0]


def test_table_two_user_senders_warn(tmp_path, caplog):
    rows = sender_rows(("t1", "u-1001"), ("t1", "agent"), ("t1", "helpdesk"), ("t2", "u-1002"), ("t2", "helpdesk"))
    path = write_csv(tmp_path / "m.csv", HEADER, rows)
    import_message_table(path, parse_mapping(MAPPING))
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "'helpdesk' (2 messages)" in warnings[0]
    assert "2 other values seen in one conversation each (2 messages)" in warnings[0]
    assert "u-1001" not in warnings[0]


def test_table_usual_senders_no_warning(table, caplog):
    import_message_table(table, parse_mapping(MAPPING))
    assert not [record for record in caplog.records if record.levelname == "WARNING"]
