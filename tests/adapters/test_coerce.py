"""Tests for turning a bot's return value into a Reply."""

from __future__ import annotations

import pytest

from harness.adapters._coerce import ReplyError, coerce_reply, preview
from harness.conversations import Button, Message, Reply


@pytest.mark.parametrize(
    ("value", "texts"),
    [
        ("hello", ["hello"]),
        ("", []),
        (["one", "two"], ["one", "two"]),
        (("one",), ["one"]),
        ({"text": "hi"}, ["hi"]),
        ({"messages": ["a", {"text": "b"}]}, ["a", "b"]),
        ({"messages": []}, []),
        ({}, []),
    ],
)
def test_coerce_bubble_texts(value: object, texts: list[str]) -> None:
    reply = coerce_reply(value)

    assert [message.text for message in reply.messages] == texts


def test_coerce_reply_passes_through() -> None:
    original = Reply.from_text("x", handover=True)

    assert coerce_reply(original) is original


def test_coerce_quick_replies_go_under_last_bubble() -> None:
    reply = coerce_reply({"messages": ["a", "b"], "quick_replies": ["Yes", {"title": "No", "payload": "NO"}]})

    assert reply.messages[0].quick_replies == []
    assert reply.messages[1].quick_replies == ["Yes", "No"]


def test_coerce_quick_replies_without_text() -> None:
    reply = coerce_reply({"quick_replies": ["Book", "Prices"]})

    assert reply.messages == [Message(text="", quick_replies=["Book", "Prices"])]
    assert not reply.is_empty


def test_coerce_buttons_and_attachment() -> None:
    reply = coerce_reply(
        {
            "messages": [{"text": "see", "attachment_url": "https://example.com/a.png"}],
            "buttons": [{"title": "Book", "url": "https://example.com/book"}],
        }
    )

    assert reply.buttons == [Button(title="Book", url="https://example.com/book")]
    assert reply.messages[0].attachment_url == "https://example.com/a.png"


def test_coerce_handover_and_captured() -> None:
    reply = coerce_reply({"text": "", "handover": True, "captured": {"email": "a@b.c", "guests": 2, "vip": True, "x": None}})

    assert reply.handover is True
    assert reply.captured == {"email": "a@b.c", "guests": "2", "vip": "true"}


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "returned NoneType"),
        (42, "returned int"),
        ({"reply": "hi"}, "unknown reply keys ['reply']"),
        ({"text": "a", "messages": ["b"]}, "both 'messages' and 'text'"),
        ({"messages": [1]}, "messages.0"),
        ({"quick_replies": "Yes"}, "quick_replies"),
        ({"handover": "maybe"}, "handover"),
        ([{"txt": "typo"}], "txt"),
    ],
)
def test_coerce_malformed_raises(value: object, fragment: str) -> None:
    with pytest.raises(ReplyError) as caught:
        coerce_reply(value, source="bot.reply")

    assert fragment in str(caught.value)
    assert "bot.reply" in str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [("short", "short"), ("x" * 250, "x" * 200 + "…"), ("  pad  ", "pad")])
def test_preview_cuts_long_text(text: str, expected: str) -> None:
    assert preview(text) == expected
