"""Tests of the webhook log importer on a log with duplicates, echoes, story replies and postbacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ImportDataError
from harness.importers.webhooks import import_webhook_log

ACCOUNT = "17841400000000001"
JANE = "6200000000000001"
OMAR = "6200000000000002"
LENA = "6200000000000003"
T0 = 1_710_000_000_000
SECOND = 1000


def body(*items: dict[str, Any], changes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": ACCOUNT, "time": T0, "messaging": list(items)}
    if changes:
        entry["changes"] = changes
    return {"object": "instagram", "entry": [entry]}


def inbound(user: str, seconds: int, **event: Any) -> dict[str, Any]:
    return {"sender": {"id": user}, "recipient": {"id": ACCOUNT}, "timestamp": T0 + seconds * SECOND, **event}


def echo(user: str, seconds: int, mid: str, text: str) -> dict[str, Any]:
    message = {"mid": mid, "text": text, "is_echo": True}
    return {"sender": {"id": ACCOUNT}, "recipient": {"id": user}, "timestamp": T0 + seconds * SECOND, "message": message}


STORY_URL = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17890&signature=AbCdEf123456789xyzQ"

LOG = [
    body(inbound(JANE, 0, message={"mid": "m1", "text": "hi, how much are lash extensions?"})),
    body(inbound(JANE, 0, message={"mid": "m1", "text": "hi, how much are lash extensions?"})),
    body(echo(JANE, 30, "m2", "Hi! A full set is £45. Want to book?")),
    body(
        inbound(JANE, 60, message={"mid": "m3", "text": "Book now", "quick_reply": {"payload": "BOOK"}}),
        inbound(OMAR, 61, message={"mid": "m4", "text": "love this! email me at omar.k@example.org",
                                    "reply_to": {"story": {"id": "st1", "url": STORY_URL}}}),
    ),
    body(inbound(JANE, 90, postback={"mid": "m5", "title": "Tomorrow 10am", "payload": "SLOT_10"})),
    body(inbound(JANE, 95, reaction={"mid": "m2", "action": "react", "reaction": "love", "emoji": "❤"})),
    body(inbound(JANE, 96, read={"mid": "m2"})),
    body(echo(JANE, 120, "m6", "Booked! See you tomorrow at 10.")),
    body(inbound(JANE, 150, message={"mid": "m7", "attachments": [{"type": "image", "payload": {"url": "https://cdn.example.com/a.jpg"}}]})),
    body(inbound(JANE, 160, message={"mid": "m8", "is_deleted": True})),
    body(inbound(LENA, 200, referral={"ref": "spring-promo", "source": "ADS", "type": "OPEN_THREAD", "ad_id": "99"})),
    body(inbound(LENA, 201, message={"mid": "m9", "text": "Is the spring offer still on? call 07700 900456"})),
    body(changes=[{"field": "comments", "value": {"id": "c1", "text": "nice"}}]),
]


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "webhooks.jsonl"
    path.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in LOG) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def result(log_file: Path):
    return import_webhook_log(log_file)


def scenario_for(result, first_text: str):
    return next(s for s in result.scenarios if s.turns[0].user.startswith(first_text))


def test_webhooks_threads(result):
    assert result.counts["threads"] == 3
    assert len(result.scenarios) == 3


def test_webhooks_duplicate_mid(result):
    jane = scenario_for(result, "hi, how much")
    assert [turn.user for turn in jane.turns].count("hi, how much are lash extensions?") == 1
    assert result.counts["duplicates_skipped"] == 1


def test_webhooks_echo_is_reference(result):
    jane = scenario_for(result, "hi, how much")
    assert jane.turns[0].reference == "Hi! A full set is £45. Want to book?"
    assert "Hi! A full set" not in [turn.user for turn in jane.turns]


def test_webhooks_quick_reply(result):
    turn = scenario_for(result, "hi, how much").turns[1]
    assert turn.kind == "quick_reply"
    assert turn.payload == "BOOK"
    assert turn.user == "Book now"


def test_webhooks_postback(result):
    turn = scenario_for(result, "hi, how much").turns[2]
    assert turn.kind == "postback"
    assert turn.payload == "SLOT_10"
    assert turn.title == "Tomorrow 10am"
    assert turn.reference == "Booked! See you tomorrow at 10."


def test_webhooks_attachment(result):
    turn = scenario_for(result, "hi, how much").turns[3]
    assert turn.kind == "attachment"
    assert turn.attachments[0].type == "image"
    assert turn.attachments[0].url == "https://cdn.example.com/a.jpg"


def test_webhooks_story_reply(result):
    omar = scenario_for(result, "love this")
    assert omar.turns[0].kind == "story_reply"
    assert omar.turns[0].story.id == "st1"
    assert omar.turns[0].story.url == "<URL_1>"
    assert omar.turns[0].user == "love this! email me at <EMAIL_1>"
    assert omar.source == "story_reply"


def test_webhooks_two_items_one_body(result):
    assert scenario_for(result, "love this").turns[0].user.startswith("love this")
    assert scenario_for(result, "hi, how much").turns[1].payload == "BOOK"


def test_webhooks_referral_campaign(result):
    lena = scenario_for(result, "Is the spring")
    assert lena.source == "ad"
    assert lena.campaign == "spring-promo"
    assert lena.turns[0].user == "Is the spring offer still on? call <PHONE_1>"


def test_webhooks_events(result):
    kinds = sorted(event.event for event in result.events)
    assert kinds == ["react", "unsent"]
    assert result.counts["reads_skipped"] == 1
    assert result.counts["changes_skipped"] == 1


def test_webhooks_no_user_ids(result):
    dumped = json.dumps([s.model_dump(mode="json") for s in result.scenarios])
    assert JANE not in dumped
    assert ACCOUNT not in dumped


def test_webhooks_truncated_line(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(LOG[0]) + "\n" + json.dumps(LOG[2])[:-10] + "\n")
    with pytest.raises(ImportDataError, match=r"log\.jsonl:2: invalid JSON"):
        import_webhook_log(path)


def test_webhooks_missing_key(tmp_path):
    broken = body(inbound(JANE, 0, message={"text": "no mid"}))
    path = tmp_path / "log.jsonl"
    path.write_text(json.dumps(LOG[0]) + "\n" + json.dumps(broken) + "\n")
    with pytest.raises(ImportDataError, match=r"log\.jsonl:2: entry\.0\.messaging\.0\.message\.mid"):
        import_webhook_log(path)


def test_webhooks_not_utf8(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_bytes(json.dumps(LOG[0]).encode() + b"\n" + '{"object": "caf\u00e9"}'.encode("latin-1") + b"\n")
    with pytest.raises(ImportDataError, match=r"log\.jsonl:2: file is not valid UTF-8"):
        import_webhook_log(path)


def test_webhooks_byte_order_mark(tmp_path, log_file):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + log_file.read_bytes())
    assert len(import_webhook_log(path).scenarios) == 3


def test_webhooks_line_separator_in_text(tmp_path):
    path = tmp_path / "log.jsonl"
    message = {"mid": "m1", "text": "first\u2028second\u2029third"}
    path.write_text(json.dumps(body(inbound(JANE, 0, message=message)), ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_webhook_log(path).scenarios[0].turns[0].user == "first\u2028second\u2029third"


def test_webhooks_folder_is_error(tmp_path):
    with pytest.raises(ImportDataError, match="expected a file, found a folder"):
        import_webhook_log(tmp_path)


def test_webhooks_timestamp_out_of_range(tmp_path):
    path = tmp_path / "log.jsonl"
    item = inbound(JANE, 0, message={"mid": "m1", "text": "hi"})
    item["timestamp"] = 10**20
    path.write_text(json.dumps(body(item)) + "\n")
    with pytest.raises(ImportDataError, match=r"log\.jsonl:1: entry\.0\.messaging\.0\.timestamp"):
        import_webhook_log(path)


def test_webhooks_invalid_value_redacted(tmp_path):
    path = tmp_path / "log.jsonl"
    item = inbound(JANE, 0, message={"mid": "m1", "text": "hi"})
    item["timestamp"] = "call me on +44 7700 900123, Jane"
    path.write_text(json.dumps(body(item)) + "\n")
    with pytest.raises(ImportDataError) as caught:
        import_webhook_log(path)
    assert "7700" not in caught.value.render()
    assert "<PHONE_1>" in caught.value.render()
