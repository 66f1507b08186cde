"""Tests of the instagram adapter over real HTTP on 127.0.0.1: the example bot and faulty bots."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from harness.adapters import ConversationState, TransportError, create_adapter
from harness.adapters.builtin.instagram import InstagramAdapter
from harness.adapters.instagram import (
    SendRequestError,
    SimulatedClock,
    parse_message,
    sign_body,
    turn_body,
)
from harness.conversations import Attachment, Button, Reply, Scenario, StoryRef, Turn, load_scenario_file
from harness.errors import AdapterError, ConfigError

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    # The example bot lives in examples/, outside the installed package.
    sys.path.insert(0, str(ROOT))

from examples.instagram_bot.app import BotConfig, create_app, incoming_messages, signature_valid  # noqa: E402

APP_SECRET = "app-secret-5f2c9e41"
VERIFY_TOKEN = "verify-token-77b0c3"
ACCESS_TOKEN = "access-token-81d3aa6e"
USER_ID = "5550001"
ACCOUNT_ID = "17841400000000000"
QUIET_MS = 100
TIMEOUT_MS = 800

BotFactory = Callable[[str], web.Application]
Behaviour = Callable[["FakeGraph", dict[str, Any]], Awaitable[None]]


@pytest.fixture(autouse=True)
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IG_APP_SECRET", APP_SECRET)
    monkeypatch.setenv("IG_VERIFY_TOKEN", VERIFY_TOKEN)
    monkeypatch.setenv("IG_ACCESS_TOKEN", ACCESS_TOKEN)


@asynccontextmanager
async def running(bot: BotFactory, **options: Any) -> AsyncIterator[InstagramAdapter]:
    """Start the adapter's Send API and the bot, each on a free loopback port."""
    # The bot's socket is bound first, so its webhook URL is known before the adapter exists.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    settings = {
        "webhook_url": f"http://127.0.0.1:{sock.getsockname()[1]}/webhook",
        "send_port": 0,
        "access_token": "${IG_ACCESS_TOKEN}",
        "account_id": ACCOUNT_ID,
        "quiet_period_ms": QUIET_MS,
        "reply_timeout_ms": TIMEOUT_MS,
        **options,
    }
    adapter = create_adapter("instagram", settings)
    assert isinstance(adapter, InstagramAdapter)
    await adapter.start()
    runner = web.AppRunner(bot(adapter.send_api_url), access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield adapter
    finally:
        await adapter.aclose()
        await runner.cleanup()


def example_bot(reply: Callable[[Any, Any], Any] | None = None, *, app_secret: str = APP_SECRET) -> BotFactory:
    def build(base_url: str) -> web.Application:
        config = BotConfig(app_secret=app_secret, verify_token=VERIFY_TOKEN, access_token=ACCESS_TOKEN, graph_api_base=base_url)
        return create_app(config, reply)

    return build


class FakeGraph:
    """Send API calls for the faulty bots."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url
        self.session = session

    async def send(self, recipient_id: str, message: dict[str, Any], *, token: str = ACCESS_TOKEN, **extra: Any) -> int:
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message, **extra}
        return await self.post("me/messages", body, token)

    async def post(self, path: str, body: dict[str, Any], token: str = ACCESS_TOKEN) -> int:
        url = f"{self.base_url}/{path}"
        async with self.session.post(url, json=body, params={"access_token": token}) as response:
            return response.status


def fake_bot(behaviour: Behaviour, *, status: int = 200, answer_echoes: bool = False, challenge: str | None = None) -> BotFactory:
    """A bot with one fault: ``behaviour`` runs for every delivered event, deduplicated or not."""

    def build(base_url: str) -> web.Application:
        tasks: set[asyncio.Task[None]] = set()
        graph: list[FakeGraph] = []

        async def verify(request: web.Request) -> web.Response:
            return web.Response(text=challenge if challenge is not None else request.query["hub.challenge"])

        async def receive(request: web.Request) -> web.Response:
            if not graph:
                graph.append(FakeGraph(base_url, aiohttp.ClientSession()))
            body = await request.json()
            for event in body["entry"][0]["messaging"]:
                if event.get("message", {}).get("is_echo") and not answer_echoes:
                    continue
                task = asyncio.create_task(behaviour(graph[0], event))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            return web.Response(status=status, text="ok" if status == 200 else "nope")

        async def cleanup(app: web.Application) -> None:
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if graph:
                await graph[0].session.close()

        app = web.Application()
        app.router.add_get("/webhook", verify)
        app.router.add_post("/webhook", receive)
        app.on_cleanup.append(cleanup)
        return app

    return build


def sender_of(event: dict[str, Any]) -> str:
    return event["sender"]["id"]


def make_scenario(*turns: Turn, duplicate: bool = False, scenario_id: str = "ig-0001") -> Scenario:
    return Scenario(
        id=scenario_id,
        intent="pricing",
        policy="answer",
        turns=list(turns),
        options={"duplicate_delivery": duplicate},
    )


def conversation_for(scenario: Scenario, user_id: str = USER_ID) -> ConversationState:
    return ConversationState(id=scenario.id, scenario=scenario, user_id=user_id)


async def replay(adapter: InstagramAdapter, scenario: Scenario, *, pause_s: float = 0.0) -> list[Reply]:
    conversation = conversation_for(scenario)
    replies = []
    for turn in scenario.turns:
        reply = await adapter.reply(conversation, turn)
        conversation.history.append((turn, reply))
        replies.append(reply)
        await asyncio.sleep(pause_s)
    return replies


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


# The example bot


def two_bubbles(conversation: Any, message: Any) -> dict[str, Any]:
    conversation.state["turns"] = conversation.state.get("turns", 0) + 1
    return {
        "messages": [
            {"text": f"Hi! Turn {conversation.state['turns']}: {message.user}"},
            {"text": "Which day suits you?", "quick_replies": ["Friday", "Saturday"]},
            {"text": "Or book online", "buttons": [{"title": "Book", "url": "https://example.com/book"}]},
        ],
        "handover": False,
    }


def test_example_bot_multi_bubble() -> None:
    async def scenario_run() -> list[Reply]:
        async with running(example_bot(two_bubbles)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello"), Turn(user="again")))

    replies = run(scenario_run())
    assert [reply.error for reply in replies] == [None, None]
    assert [len(reply.messages) for reply in replies] == [3, 3]
    assert replies[1].messages[0].text == "Hi! Turn 2: again"
    assert replies[0].quick_replies == ["Friday", "Saturday"]
    assert replies[0].buttons == [Button(title="Book", url="https://example.com/book")]
    assert replies[0].messages[0].messaging_type == "RESPONSE"
    assert replies[0].flags == []
    assert replies[0].latency_ms is not None


@pytest.mark.parametrize("intent_file", ["book_appointment.yaml", "check_balance.yaml", "transfer_money.yaml"])
def test_example_bot_bundled_scenario(intent_file: str) -> None:
    scenario = load_scenario_file(ROOT / "scenarios" / intent_file)[0]

    async def scenario_run() -> list[Reply]:
        async with running(example_bot()) as adapter:
            return await replay(adapter, scenario)

    replies = run(scenario_run())
    assert len(replies) == len(scenario.turns)
    assert [reply.error for reply in replies] == [None] * len(replies)
    assert all(reply.text or reply.handover for reply in replies)
    assert all(reply.flags == [] for reply in replies)


def test_example_bot_deduplicates() -> None:
    async def scenario_run() -> list[Reply]:
        async with running(example_bot(two_bubbles)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello"), duplicate=True))

    reply = run(scenario_run())[0]
    assert reply.flags == []
    assert len(reply.messages) == 3


def test_example_bot_handover() -> None:
    def hand_over(conversation: Any, message: Any) -> dict[str, Any]:
        return {"messages": [{"text": "A person will take it from here."}], "handover": True}

    async def scenario_run() -> list[Reply]:
        async with running(example_bot(hand_over)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="I want a refund")))

    reply = run(scenario_run())[0]
    assert reply.handover is True
    assert reply.text == "A person will take it from here."
    assert reply.flags == []


@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        (Turn(user="Friday", kind="quick_reply", payload="DAY_FRI"), ("quick_reply", "Friday", "DAY_FRI")),
        (Turn(user="Get started", kind="postback", payload="START", title="Get started"), ("postback", "Get started", "START")),
        (Turn(user="love it", kind="story_reply", story=StoryRef(id="st1", url="https://cdn.example/st1")), ("story_reply", "love it", None)),
        (Turn(kind="attachment", attachments=[Attachment(type="image", url="https://cdn.example/a.jpg")]), ("attachment", "", None)),
    ],
)
def test_example_bot_turn_kind(turn: Turn, expected: tuple[str, str, str | None]) -> None:
    seen: list[tuple[str, str, str | None]] = []

    def record(conversation: Any, message: Any) -> str:
        seen.append((message.kind, message.user, message.payload))
        return "noted"

    async def scenario_run() -> list[Reply]:
        async with running(example_bot(record)) as adapter:
            return await replay(adapter, make_scenario(turn))

    reply = run(scenario_run())[0]
    assert reply.text == "noted"
    assert seen == [expected]


# Faulty bots


def test_signature_rejected() -> None:
    async def scenario_run() -> list[Reply]:
        async with running(example_bot(two_bubbles, app_secret="another-secret")) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    reply = run(scenario_run())[0]
    assert reply.error is not None
    assert reply.error.startswith("bot rejected the webhook: HTTP 403")
    assert "X-Hub-Signature-256" in reply.error
    assert reply.messages == []


def test_webhook_server_error() -> None:
    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(lambda graph, event: asyncio.sleep(0), status=500)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    error = run(scenario_run())[0].error or ""
    assert error.startswith("bot rejected the webhook: HTTP 500")
    assert "signature" not in error


def test_no_send_call() -> None:
    async def silent(graph: FakeGraph, event: dict[str, Any]) -> None:
        return None

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(silent)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    reply = run(scenario_run())[0]
    assert reply.error == f"no reply: the bot did not call the Send API within {TIMEOUT_MS} ms"
    assert reply.latency_ms is None


def test_wrong_recipient() -> None:
    async def to_account(graph: FakeGraph, event: dict[str, Any]) -> None:
        await graph.send(event["recipient"]["id"], {"text": "hi"})

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(to_account)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    reply = run(scenario_run())[0]
    assert reply.flags == ["wrong_recipient"]
    assert reply.error is not None
    assert f"it sent to recipient id {ACCOUNT_ID}" in reply.error


def test_invalid_access_token() -> None:
    async def bad_token(graph: FakeGraph, event: dict[str, Any]) -> None:
        await graph.send(sender_of(event), {"text": "hi"}, token="not-the-token")

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(bad_token)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    error = run(scenario_run())[0].error or ""
    assert error.startswith("no reply:")
    assert "Invalid OAuth access token" in error


def test_duplicate_send() -> None:
    async def answer_every_delivery(graph: FakeGraph, event: dict[str, Any]) -> None:
        await graph.send(sender_of(event), {"text": "Our prices start at $20."})

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(answer_every_delivery)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="price?"), duplicate=True))

    reply = run(scenario_run())[0]
    assert reply.flags == ["duplicate_send"]
    assert [message.text for message in reply.messages] == ["Our prices start at $20."] * 2


def test_duplicate_delivery_rejected() -> None:
    seen: set[str] = set()

    async def once(graph: FakeGraph, event: dict[str, Any]) -> None:
        if event["message"]["mid"] not in seen:
            seen.add(event["message"]["mid"])
            await graph.send(sender_of(event), {"text": "hi"})

    def build(base_url: str) -> web.Application:
        app = fake_bot(once)(base_url)
        calls: list[int] = []

        @web.middleware
        async def conflict_on_retry(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.method == "POST":
                body = await request.json()
                if body["entry"][0]["messaging"][0].get("message", {}).get("is_echo"):
                    return await handler(request)
                calls.append(1)
                if len(calls) > 1:
                    return web.Response(status=409)
            return await handler(request)

        app.middlewares.append(conflict_on_retry)
        return app

    async def scenario_run() -> list[Reply]:
        async with running(build) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hi"), duplicate=True))

    reply = run(scenario_run())[0]
    assert reply.flags == ["duplicate_rejected"]
    assert reply.text == "hi"


def test_late_send() -> None:
    async def slow_second_bubble(graph: FakeGraph, event: dict[str, Any]) -> None:
        text = event["message"]["text"]
        await graph.send(sender_of(event), {"text": f"first: {text}"})
        if text == "one":
            await asyncio.sleep(3 * QUIET_MS / 1000)
            await graph.send(sender_of(event), {"text": "late"})

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(slow_second_bubble)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="one"), Turn(user="two")), pause_s=5 * QUIET_MS / 1000)

    first, second = run(scenario_run())
    assert first.text == "first: one"
    assert first.flags == []
    assert second.text == "first: two"
    assert second.flags == ["late_send"]


def test_human_agent_tag_by_bot() -> None:
    async def tagged(graph: FakeGraph, event: dict[str, Any]) -> None:
        await graph.send(sender_of(event), {"text": "An agent here."}, messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(tagged)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="help")))

    reply = run(scenario_run())[0]
    assert reply.flags == ["human_agent_tag_by_bot"]
    assert reply.handover is True
    assert reply.messages[0].tag == "HUMAN_AGENT"
    assert reply.messages[0].messaging_type == "MESSAGE_TAG"


@pytest.mark.parametrize(("advance", "flags"), [(timedelta(hours=25), ["outside_24h_window"]), (timedelta(hours=23), [])])
def test_outside_24h_window(advance: timedelta, flags: list[str]) -> None:
    async def slow(graph: FakeGraph, event: dict[str, Any]) -> None:
        await asyncio.sleep(0.3)
        await graph.send(sender_of(event), {"text": "Sorry for the wait!"})

    async def scenario_run() -> Reply:
        async with running(fake_bot(slow)) as adapter:
            scenario = make_scenario(Turn(user="hello?"))
            conversation = conversation_for(scenario)
            clock = adapter.clock_for(conversation)

            async def pass_time() -> None:
                await asyncio.sleep(0.1)
                clock.advance(advance)

            reply, _ = await asyncio.gather(adapter.reply(conversation, scenario.turns[0]), pass_time())
            return reply

    reply = run(scenario_run())
    assert reply.flags == flags
    assert reply.text == "Sorry for the wait!"


def test_answers_own_echoes() -> None:
    async def answer_anything(graph: FakeGraph, event: dict[str, Any]) -> None:
        user = event["recipient"]["id"] if event["message"].get("is_echo") else sender_of(event)
        await graph.send(user, {"text": "hi"})

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(answer_anything, answer_echoes=True), max_messages_per_turn=5) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    reply = run(scenario_run())[0]
    assert reply.error is not None
    assert "more than 5 messages" in reply.error
    assert "echo" in reply.error


def test_pass_thread_control() -> None:
    async def hand_over(graph: FakeGraph, event: dict[str, Any]) -> None:
        await graph.post("me/pass_thread_control", {"recipient": {"id": sender_of(event)}, "target_app_id": "1"})

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(hand_over)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="human please")))

    reply = run(scenario_run())[0]
    assert reply.error is None
    assert reply.handover is True
    assert reply.messages == []


@pytest.mark.parametrize("handshake", [True, False])
def test_dead_bot(handshake: bool) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()

    async def scenario_run() -> None:
        options = {"webhook_url": f"http://127.0.0.1:{port}/webhook", "send_port": 0, "handshake": handshake}
        adapter = create_adapter("instagram", options)
        scenario = make_scenario(Turn(user="hello"))
        try:
            await adapter.reply(conversation_for(scenario), scenario.turns[0])
        finally:
            await adapter.aclose()

    with pytest.raises(TransportError, match="cannot reach the bot's webhook"):
        run(scenario_run())


def test_handshake_wrong_verify_token() -> None:
    async def scenario_run() -> list[Reply]:
        async with running(example_bot(two_bubbles), verify_token="not-the-verify-token") as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    error = run(scenario_run())[0].error or ""
    assert error.startswith("subscription verification failed: the bot returned HTTP 403")


def test_handshake_wrong_challenge() -> None:
    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(lambda graph, event: asyncio.sleep(0), challenge="ok")) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    error = run(scenario_run())[0].error or ""
    assert "instead of the hub.challenge value" in error


def test_shared_user_id_rejected() -> None:
    async def scenario_run() -> None:
        async with running(example_bot(two_bubbles)) as adapter:
            first = make_scenario(Turn(user="a"), scenario_id="one")
            second = make_scenario(Turn(user="b"), scenario_id="two")
            await adapter.reply(conversation_for(first), first.turns[0])
            await adapter.reply(conversation_for(second), second.turns[0])

    with pytest.raises(ValueError, match="share the user id"):
        run(scenario_run())


# Secrets


def test_secrets_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def query_token(graph: FakeGraph, event: dict[str, Any]) -> None:
        await graph.send(sender_of(event), {"text": "hi"})
        await graph.send(sender_of(event), {"text": "bad"}, token="wrong-token-123")

    async def scenario_run() -> list[Reply]:
        async with running(example_bot(two_bubbles)) as adapter:
            good = await replay(adapter, make_scenario(Turn(user="hello")))
        async with running(fake_bot(query_token)) as adapter:
            return good + await replay(adapter, make_scenario(Turn(user="hello")))

    caplog.set_level(logging.DEBUG)
    replies = run(scenario_run())
    dumped = "".join(reply.model_dump_json() for reply in replies)
    for secret in (APP_SECRET, ACCESS_TOKEN, VERIFY_TOKEN):
        assert secret not in caplog.text
        assert secret not in dumped
    assert "Send API" in caplog.text


def test_literal_secrets_masked_in_options() -> None:
    options = {"webhook_url": "http://127.0.0.1:9/webhook", "app_secret": APP_SECRET, "access_token": ACCESS_TOKEN}
    adapter = create_adapter("instagram", options)
    assert isinstance(adapter, InstagramAdapter)
    assert APP_SECRET not in adapter.options.model_dump_json()
    assert ACCESS_TOKEN not in repr(adapter.options)


def test_missing_env_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IG_APP_SECRET")
    with pytest.raises(ConfigError, match="IG_APP_SECRET is not set"):
        create_adapter("instagram", {"webhook_url": "http://127.0.0.1:9/webhook"})


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"webhook_url": "127.0.0.1:9/webhook"}, "webhook_url"),
        ({"webhook_url": "http://127.0.0.1:9/webhook", "graph_version": "21"}, "graph_version"),
        ({"webhook_url": "http://127.0.0.1:9/webhook", "quiet_ms": 5}, "quiet_ms"),
    ],
)
def test_invalid_options(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        create_adapter("instagram", options)
    assert caught.value.field is not None
    assert caught.value.field.endswith(field)


# Webhook bodies and signatures


def test_signature_matches_hmac() -> None:
    body = b'{"object":"instagram"}'
    expected = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert sign_body(body, APP_SECRET) == expected
    assert signature_valid(body, expected, APP_SECRET)
    assert not signature_valid(body + b" ", expected, APP_SECRET)
    assert not signature_valid(body, None, APP_SECRET)


@pytest.mark.parametrize(
    ("turn", "field", "value"),
    [
        (Turn(user="hi"), "message", {"mid": "m_1", "text": "hi"}),
        (Turn(user="Fri", kind="quick_reply", payload="P"), "message", {"mid": "m_1", "text": "Fri", "quick_reply": {"payload": "P"}}),
        (Turn(user="Go", kind="postback", payload="P", title="Go"), "postback", {"mid": "m_1", "title": "Go", "payload": "P"}),
        (
            Turn(user="wow", kind="story_reply", story=StoryRef(id="s9", url="https://cdn/s9")),
            "message",
            {"mid": "m_1", "text": "wow", "reply_to": {"story": {"id": "s9", "url": "https://cdn/s9"}}},
        ),
        (
            Turn(kind="attachment", attachments=[Attachment(type="image", url="https://cdn/a.jpg")]),
            "message",
            {"mid": "m_1", "attachments": [{"type": "image", "payload": {"url": "https://cdn/a.jpg"}}]},
        ),
    ],
)
def test_turn_body_kind(turn: Turn, field: str, value: dict[str, Any]) -> None:
    body = turn_body(turn, user_id=USER_ID, account_id=ACCOUNT_ID, timestamp_ms=1_700_000_000_000, mid="m_1")
    event = body["entry"][0]["messaging"][0]
    assert body["object"] == "instagram"
    assert body["entry"][0]["id"] == ACCOUNT_ID
    assert event["sender"] == {"id": USER_ID}
    assert event["recipient"] == {"id": ACCOUNT_ID}
    assert event["timestamp"] == 1_700_000_000_000
    assert event[field] == value


def test_example_bot_skips_echoes() -> None:
    body = turn_body(Turn(user="hi"), user_id=USER_ID, account_id=ACCOUNT_ID, timestamp_ms=1, mid="m_1")
    body["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    assert incoming_messages(body) == []


# Send API bodies


@pytest.mark.parametrize(
    ("message", "text", "quick_replies", "buttons", "attachment_url"),
    [
        ({"text": "hi"}, "hi", [], [], None),
        (
            {"text": "pick", "quick_replies": [{"content_type": "text", "title": "A", "payload": "a"}, {"content_type": "user_email"}]},
            "pick",
            ["A", "user_email"],
            [],
            None,
        ),
        (
            {"attachment": {"type": "template", "payload": {"template_type": "button", "text": "Book?", "buttons": [
                {"type": "web_url", "url": "https://x.example/b", "title": "Book"},
                {"type": "postback", "title": "Later", "payload": "LATER"},
            ]}}},
            "Book?",
            [],
            [Button(title="Book", url="https://x.example/b"), Button(title="Later", payload="LATER")],
            None,
        ),
        (
            {"attachment": {"type": "template", "payload": {"template_type": "generic", "elements": [
                {"title": "Cut", "subtitle": "$20", "buttons": [{"type": "web_url", "url": "https://x.example/c", "title": "Book"}]},
                {"title": "Color", "default_action": {"type": "web_url", "url": "https://x.example/d"}},
            ]}}},
            "Cut\n$20\nColor",
            [],
            [Button(title="Book", url="https://x.example/c"), Button(title="Color", url="https://x.example/d")],
            None,
        ),
        ({"attachment": {"type": "image", "payload": {"url": "https://x.example/i.png"}}}, "", [], [], "https://x.example/i.png"),
        ({"attachment": {"type": "image", "payload": {"attachment_id": "42"}}}, "", [], [], "attachment_id:42"),
    ],
)
def test_parse_message_shape(
    message: dict[str, Any], text: str, quick_replies: list[str], buttons: list[Button], attachment_url: str | None
) -> None:
    parsed = parse_message({"recipient": {"id": USER_ID}, "message": message, "messaging_type": "UPDATE"})
    assert parsed.text == text
    assert parsed.quick_replies == quick_replies
    assert parsed.buttons == buttons
    assert parsed.attachment_url == attachment_url
    assert parsed.messaging_type == "UPDATE"


@pytest.mark.parametrize("body", [{"recipient": {"id": USER_ID}}, {"recipient": {"id": USER_ID}, "message": {"text": ""}}])
def test_parse_message_empty(body: dict[str, Any]) -> None:
    with pytest.raises(SendRequestError):
        parse_message(body)


@pytest.mark.parametrize(
    ("path", "kwargs", "status", "code"),
    [
        ("/v21.0/me/messages", {"json": {"recipient": {"id": USER_ID}, "message": {"text": "hi"}}}, 401, 104),
        ("/me/messages", {"json": {}, "params": {"access_token": ACCESS_TOKEN}}, 400, 2500),
        ("/v21.0/999/messages", {"json": {}, "params": {"access_token": ACCESS_TOKEN}}, 400, 100),
        ("/v21.0/me/messages", {"data": "not json", "params": {"access_token": ACCESS_TOKEN}}, 400, 100),
    ],
)
def test_send_api_error(path: str, kwargs: dict[str, Any], status: int, code: int) -> None:
    async def call() -> tuple[int, dict[str, Any]]:
        async with running(example_bot(two_bubbles)) as adapter:
            base = adapter.send_api_url.rsplit("/", 1)[0]
            async with aiohttp.ClientSession() as session, session.post(base + path, **kwargs) as response:
                return response.status, await response.json()

    got_status, body = run(call())
    assert got_status == status
    assert body["error"]["code"] == code


def test_send_api_form_body() -> None:
    async def form_sender(graph: FakeGraph, event: dict[str, Any]) -> None:
        data = {
            "recipient": json.dumps({"id": sender_of(event)}),
            "message": json.dumps({"text": "from a form"}),
            "access_token": ACCESS_TOKEN,
        }
        async with graph.session.post(f"{graph.base_url}/{ACCOUNT_ID}/messages", data=data) as response:
            assert response.status == 200

    async def scenario_run() -> list[Reply]:
        async with running(fake_bot(form_sender)) as adapter:
            return await replay(adapter, make_scenario(Turn(user="hello")))

    reply = run(scenario_run())[0]
    assert reply.text == "from a form"
    assert reply.error is None


# The simulated clock


def test_clock_starts_at_given_time() -> None:
    clock = SimulatedClock(datetime(2024, 3, 1, tzinfo=UTC))
    start_ms = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)
    assert start_ms <= clock.now_ms() < start_ms + 1000


def test_clock_advance() -> None:
    clock = SimulatedClock(datetime(2024, 3, 1))
    before = clock.now_ms()
    clock.advance(timedelta(hours=25))
    assert clock.now_ms() - before >= 25 * 3600 * 1000


def test_clock_cannot_go_back() -> None:
    with pytest.raises(ValueError, match="cannot go back"):
        SimulatedClock().advance(timedelta(seconds=-1))


def test_send_api_port_in_use() -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()

    async def start() -> None:
        adapter = create_adapter("instagram", {"webhook_url": "http://127.0.0.1:9/webhook", "send_port": busy.getsockname()[1]})
        assert isinstance(adapter, InstagramAdapter)
        try:
            await adapter.start()
        finally:
            await adapter.aclose()

    try:
        with pytest.raises(AdapterError, match="cannot start the local Send API"):
            run(start())
    finally:
        busy.close()
