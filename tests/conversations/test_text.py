import json

from harness.conversations import Message, Reply, Turn


def test_lone_surrogate_in_reply_replaced():
    reply = Reply(messages=[Message(text=json.loads('"Sure \\ud83d"'))])
    assert reply.text == "Sure \ufffd"
    assert "\ufffd" in reply.model_dump_json()


def test_surrogates_in_quick_replies_and_captured():
    reply = Reply(
        messages=[Message(text="ok", quick_replies=["Yes \udc00"])],
        captured={"name": "\ud800"},
    )
    assert reply.quick_replies == ["Yes \ufffd"]
    assert reply.captured == {"name": "\ufffd"}


def test_surrogate_in_turn_replaced():
    assert Turn(user="hi \ud83d").user == "hi \ufffd"


def test_valid_emoji_kept():
    assert Reply.from_text("ok \U0001f600").text == "ok \U0001f600"
