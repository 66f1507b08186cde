"""Tests of the Instagram export importer, on exports built with every known trap."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ImportDataError
from harness.importers.instagram_export import import_instagram_export, repair_mojibake

ACCOUNT = "Glow Studio"
USER = "Jane Doe"
T0 = int(datetime(2024, 3, 8, 9, 0, tzinfo=timezone.utc).timestamp() * 1000)
MINUTE = 60_000
DAY = 24 * 60 * MINUTE


def meta_escape(text: str) -> str:
    """Encode text the way Meta's export does: every UTF-8 byte as one Latin-1 character."""
    return text.encode("utf-8").decode("latin-1")


def message(sender: str, minutes: float, content: str | None = None, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"sender_name": meta_escape(sender), "timestamp_ms": T0 + int(minutes * MINUTE)}
    if content is not None:
        record["content"] = meta_escape(content)
    record.update(fields)
    return record


def jane_thread(with_type: bool) -> list[dict[str, Any]]:
    """Messages of Jane's thread in time order, with every trap of the format."""
    generic = {"type": "Generic"} if with_type else {}
    heart = {"reaction": meta_escape("❤"), "actor": meta_escape(USER)}
    if not with_type:
        heart["timestamp"] = (T0 + 5 * MINUTE) // 1000
    return [
        message(USER, 0, "Hi! Can I book a facial for Friday? 😠", **generic),
        message(USER, 1, "my email is jane.doe@example.com", **generic),
        message(ACCOUNT, 2, "Hi Jane! Sure, what time works for you?", reactions=[heart], **generic),
        message(USER, 3, "Liked a message", **generic),
        message(USER, 4, "Reacted 😂 to your message ", **generic),
        {**message(USER, 5, **generic), "content": "around 3pm \u201cif possible\u201d"},
        message(USER, 6, photos=[{"uri": "messages/inbox/janedoe_1234567890/photos/42_n.jpg"}], **generic),
        message(USER, 7, "Jane Doe sent an attachment.", share={"link": "https://www.instagram.com/p/ABC123/"}, **({"type": "Share"} if with_type else {})),
        message(USER, 8, "Can I bring my friend", **generic),
        message(USER, 8.5, "Can I bring my friend Emma? (edited)", **generic),
        message(USER, 9, is_unsent=True, **generic),
        message(ACCOUNT, 10, "Of course! Booked for 3pm Friday.", **generic),
        message(USER, 2 * 24 * 60, "Thanks again! Call me on 07700 900123 if anything changes", **generic),
    ]


def write_thread(folder: Path, participants: list[str], messages: list[dict[str, Any]], chunk: int = 5) -> None:
    """Write a thread as Instagram does: newest first, message_1.json holding the newest chunk."""
    folder.mkdir(parents=True, exist_ok=True)
    newest_first = sorted(messages, key=lambda item: item["timestamp_ms"], reverse=True)
    for number, start in enumerate(range(0, len(newest_first), chunk), start=1):
        body = {
            "participants": [{"name": meta_escape(name)} for name in participants],
            "messages": newest_first[start : start + chunk],
            "title": meta_escape(participants[0]),
        }
        (folder / f"message_{number}.json").write_text(json.dumps(body), encoding="ascii")


def build_export(root: Path, prefix: str, with_type: bool) -> Path:
    inbox = root / prefix / "messages" / "inbox"
    write_thread(inbox / "janedoe_1234567890", [USER, ACCOUNT], jane_thread(with_type))
    write_thread(
        root / prefix / "messages" / "message_requests" / "bob.smith_77",
        ["Bob Smith", ACCOUNT],
        [message("Bob Smith", 0, "How much is a haircut? My number is +1 415 555 0132")],
    )
    write_thread(
        inbox / "group_999",
        ["Ann Lee", "Tom Hale", ACCOUNT],
        [message("Ann Lee", 0, "hi all"), message(ACCOUNT, 1, "hello")],
    )
    return root


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@pytest.fixture(params=["older-folder", "newer-zip"])
def imported(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "older-folder":
        export = build_export(tmp_path / "export", "", with_type=True)
    else:
        folder = build_export(tmp_path / "export", "your_instagram_activity", with_type=False)
        export = zip_folder(folder, tmp_path / "instagram-glowstudio.zip")
    return import_instagram_export(export, ACCOUNT)


def jane(result) -> list:
    return [s for s in result.scenarios if s.source == "dm"]


def test_mojibake_repaired():
    assert repair_mojibake(meta_escape("😠 café")) == "😠 café"


@pytest.mark.parametrize("text", ["“quoted”", "café", "plain"])
def test_mojibake_correct_text_unchanged(text):
    assert repair_mojibake(text) == text


def test_export_threads_and_groups(imported):
    assert imported.counts["threads"] == 2
    assert imported.counts["group_threads_skipped"] == 1


def test_export_splits_at_gap(imported):
    assert len(jane(imported)) == 2


def test_export_turns_in_time_order(imported):
    first = jane(imported)[0]
    texts = [turn.user for turn in first.turns]
    assert texts[0] == "Hi! Can I book a facial for Friday? 😠"
    assert texts[1] == "my email is <EMAIL_1>"
    assert texts[2] == "around 3pm \u201cif possible\u201d"


def test_export_reference_is_business_reply(imported):
    first = jane(imported)[0]
    assert first.turns[1].reference == "Hi <NAME_1>! Sure, what time works for you?"
    assert first.turns[-1].reference == "Of course! Booked for 3pm Friday."
    assert first.turns[0].reference is None


def test_export_attachments(imported):
    turns = jane(imported)[0].turns
    assert turns[3].kind == "attachment"
    assert turns[3].attachments[0].type == "image"
    assert turns[3].attachments[0].url == "photos/42_n.jpg"
    assert turns[4].attachments[0].type == "share"
    assert turns[4].attachments[0].url == "https://www.instagram.com/p/ABC123/"
    assert turns[4].user == ""


def test_export_edit_is_one_message(imported):
    users = [turn.user for turn in jane(imported)[0].turns]
    assert users[-1] == "Can I bring my friend <NAME_2>?"
    assert len(users) == 6
    assert imported.counts["edits_merged"] == 1


def test_export_notices_never_user_text(imported):
    texts = " ".join(turn.user for s in imported.scenarios for turn in s.turns)
    assert "Liked a message" not in texts
    assert "Reacted" not in texts
    assert "sent an attachment" not in texts


def test_export_events(imported):
    first_id = jane(imported)[0].id
    kinds = sorted(event.event for event in imported.events if event.scenario_id == first_id)
    assert kinds == ["like", "reaction", "reaction", "unsent"]
    heart = [e for e in imported.events if e.detail == "❤"]
    assert heart[0].actor == "user"


def test_export_attachment_notice_dropped(imported):
    assert imported.counts["notices_dropped"] == 1


def test_export_missing_reply_keeps_turns(imported):
    second = jane(imported)[1]
    assert second.turns[0].user == "Thanks again! Call me on <PHONE_1> if anything changes"
    assert second.turns[0].reference is None
    assert second.metadata["last_reply_missing"] == "true"


def test_export_message_request_source(imported):
    request_scenarios = [s for s in imported.scenarios if s.source == "message_request"]
    assert len(request_scenarios) == 1
    assert request_scenarios[0].turns[0].user == "How much is a haircut? My number is <PHONE_1>"


def test_export_unlabelled(imported):
    assert {s.intent for s in imported.scenarios} == {"unlabelled"}
    assert {s.policy for s in imported.scenarios} == {"answer"}


def test_export_no_handle_in_metadata(imported):
    dumped = json.dumps([s.model_dump(mode="json") for s in imported.scenarios])
    assert "janedoe" not in dumped
    assert "bob.smith" not in dumped


def test_export_html_rejected(tmp_path):
    thread = tmp_path / "messages" / "inbox" / "janedoe_1"
    thread.mkdir(parents=True)
    (thread / "message_1.html").write_text("<html></html>")
    with pytest.raises(ImportDataError, match="HTML export.*Format: JSON"):
        import_instagram_export(tmp_path, ACCOUNT)


def test_export_truncated_json(tmp_path):
    export = build_export(tmp_path / "export", "", with_type=True)
    target = export / "messages" / "inbox" / "janedoe_1234567890" / "message_1.json"
    target.write_text(target.read_text()[:-40])
    with pytest.raises(ImportDataError, match=r"message_1\.json:1: invalid JSON"):
        import_instagram_export(export, ACCOUNT)


def test_export_missing_timestamp(tmp_path):
    thread = tmp_path / "messages" / "inbox" / "janedoe_1"
    write_thread(thread, [USER, ACCOUNT], [message(USER, 0, "hi")])
    body = json.loads((thread / "message_1.json").read_text())
    del body["messages"][0]["timestamp_ms"]
    (thread / "message_1.json").write_text(json.dumps(body))
    with pytest.raises(ImportDataError, match=r"messages\.0\.timestamp_ms: required field is missing"):
        import_instagram_export(tmp_path, ACCOUNT)


def test_export_unknown_account(tmp_path):
    export = build_export(tmp_path / "export", "", with_type=True)
    with pytest.raises(ImportDataError, match="probably --account 'Glow Studio'"):
        import_instagram_export(export, "Glow Studios")


def test_export_not_found(tmp_path):
    with pytest.raises(ImportDataError, match="export not found"):
        import_instagram_export(tmp_path / "missing.zip", ACCOUNT)


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("videos", [{"uri": "messages/inbox/janedoe_1/videos/v.mp4"}], "video"),
        ("audio_files", [{"uri": "messages/inbox/janedoe_1/audio/a.mp4"}], "audio"),
        ("gifs", [{"uri": "https://media.example.com/g.gif"}], "image"),
        ("files", [{"uri": "messages/inbox/janedoe_1/files/menu.pdf"}], "file"),
        ("sticker", {"uri": "messages/stickers_used/s.png"}, "sticker"),
    ],
)
def test_export_content_missing_media(tmp_path, field, value, kind):
    write_thread(tmp_path / "messages" / "inbox" / "janedoe_1", [USER, ACCOUNT], [message(USER, 0, **{field: value})])
    turn = import_instagram_export(tmp_path, ACCOUNT).scenarios[0].turns[0]
    assert turn.kind == "attachment"
    assert turn.attachments[0].type == kind
    assert "janedoe" not in (turn.attachments[0].url or "")
