"""Tests for the openai adapter against a fake chat completions server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from harness.adapters import ConversationState, TransportError, create_adapter
from harness.adapters._coerce import ReplyError
from harness.adapters.builtin.openai import HANDOVER_TOOL, build_messages, user_text
from harness.conversations import Attachment, Reply, Scenario, StoryRef, Turn
from harness.errors import ConfigError

SCENARIO = Scenario(id="s-1", intent="support", policy="escalate", turns=[Turn(user="hi")])

API_KEY = "sk-test-4f9a8b7c6d5e"

Completion = Callable[[dict[str, Any]], tuple[int, Any]]


def text_completion(content: str | None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


def handover_completion(arguments: str, content: str | None = None) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function", "function": {"name": "handover", "arguments": arguments}}
    message = {"role": "assistant", "content": content, "tool_calls": [call]}
    return {"choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}]}


class FakeChatServer:
    """Serves POST /v1/chat/completions with ``completions`` in order and records each request."""

    def __init__(self, completions: list[tuple[int, Any]], *, delay: float = 0.0) -> None:
        self.completions = list(completions)
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.authorization: list[str | None] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeChatServer:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        self.authorization.append(request.headers.get("Authorization"))
        await asyncio.sleep(self.delay)
        status, body = self.completions.pop(0)
        if isinstance(body, str):
            return web.Response(text=body, status=status)
        return web.json_response(body, status=status)


def options_for(server: FakeChatServer, **extra: Any) -> dict[str, Any]:
    return {"base_url": server.base_url, "model": "tiny-chat", **extra}


def conversation() -> ConversationState:
    return ConversationState(id="c-1", scenario=SCENARIO, user_id="u-1")


def run_chat(
    completions: list[tuple[int, Any]], texts: list[str], *, delay: float = 0.0, **extra: Any
) -> tuple[FakeChatServer, list[Reply]]:
    async def run() -> tuple[FakeChatServer, list[Reply]]:
        async with FakeChatServer(completions, delay=delay) as server:
            adapter = create_adapter("openai", options_for(server, **extra))
            state = conversation()
            replies = []
            try:
                for text in texts:
                    turn = Turn(user=text)
                    reply = await adapter.reply(state, turn)
                    state.history.append((turn, reply))
                    replies.append(reply)
            finally:
                await adapter.aclose()
            return server, replies

    return asyncio.run(run())


@pytest.fixture()
def prompt_file(tmp_path: Path) -> Path:
    path = tmp_path / "system.txt"
    path.write_text("You are the assistant of Bella Salon. Hand over refunds.")
    return path


@pytest.fixture()
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DMH_TEST_OPENAI_KEY", API_KEY)
    return "${DMH_TEST_OPENAI_KEY}"


def test_openai_sends_history_in_order(prompt_file: Path) -> None:
    completions = [(200, text_completion("Hi! How can I help?")), (200, text_completion("A cut is $30."))]

    server, replies = run_chat(completions, ["hello", "how much is a cut?"], system_prompt_file=str(prompt_file))

    assert server.requests[1]["messages"] == [
        {"role": "system", "content": "You are the assistant of Bella Salon. Hand over refunds."},
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "Hi! How can I help?"},
        {"role": "user", "content": "how much is a cut?"},
    ]
    assert replies[1].text == "A cut is $30."


def test_openai_request_settings() -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ["hi"], temperature=0.3, max_tokens=64, seed=7)

    request = server.requests[0]
    assert request["model"] == "tiny-chat"
    assert request["temperature"] == 0.3
    assert request["max_tokens"] == 64
    assert request["seed"] == 7


def test_openai_offers_handover_tool() -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ["hi"])

    assert server.requests[0]["tools"] == [HANDOVER_TOOL]
    assert server.requests[0]["tool_choice"] == "auto"


def test_openai_handover_tool_can_be_off() -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ["hi"], handover_tool=False)

    assert "tools" not in server.requests[0]


def test_openai_without_system_prompt() -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ["hi"])

    assert server.requests[0]["messages"] == [{"role": "user", "content": "hi"}]


def test_openai_inline_system_prompt() -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ["hi"], system_prompt="Be brief.")

    assert server.requests[0]["messages"][0] == {"role": "system", "content": "Be brief."}


def test_openai_handover_call() -> None:
    completions = [(200, handover_completion('{"reason": "refund request"}', content="Let me get a colleague."))]

    reply = run_chat(completions, ["I want a refund"])[1][0]

    assert reply.handover is True
    assert reply.captured == {"handover_reason": "refund request"}
    assert reply.text == "Let me get a colleague."


def test_openai_handover_sent_back_in_history() -> None:
    completions = [(200, handover_completion('{"reason": "refund"}')), (200, text_completion("A person will reply."))]

    server = run_chat(completions, ["refund please", "hello?"])[0]

    messages = server.requests[1]["messages"]
    assert messages[1]["tool_calls"][0]["function"] == {"name": "handover", "arguments": '{"reason": "refund"}'}
    assert messages[2] == {"role": "tool", "tool_call_id": messages[1]["tool_calls"][0]["id"], "content": "The conversation was handed over to a person."}
    assert messages[3] == {"role": "user", "content": "hello?"}


@pytest.mark.parametrize(("arguments", "reason"), [("{}", "(no reason given)"), ("not json", "not json"), ("", "(no reason given)")])
def test_openai_handover_odd_arguments(arguments: str, reason: str) -> None:
    reply = run_chat([(200, handover_completion(arguments))], ["help"])[1][0]

    assert reply.handover is True
    assert reply.captured["handover_reason"] == reason


def test_openai_authorization_sent_never_logged(api_key: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    server, _ = run_chat([(200, text_completion(f"my key is {API_KEY}"))], ["hi"], api_key=api_key)

    assert server.authorization == [f"Bearer {API_KEY}"]
    assert API_KEY not in caplog.text
    assert "openai tiny-chat: conversation c-1 turn 0 -> HTTP 200" in caplog.text


def test_openai_no_key_no_header() -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ["hi"])

    assert server.authorization == [None]


def test_openai_error_status_masks_key(api_key: str) -> None:
    body = {"error": {"message": f"Incorrect API key provided: {API_KEY}"}}

    with pytest.raises(ReplyError) as caught:
        run_chat([(401, body)], ["hi"], api_key=api_key)

    assert str(caught.value).startswith("HTTP 401 from POST http://127.0.0.1:")
    assert API_KEY not in str(caught.value)
    assert "Incorrect API key provided: ***" in str(caught.value)


def test_openai_failed_turn_joins_user_texts() -> None:
    state = conversation()
    state.history.append((Turn(user="first"), Reply.failed("timed out")))

    messages = build_messages("sys", state, Turn(user="second"))

    assert messages == [{"role": "system", "content": "sys"}, {"role": "user", "content": "first\nsecond"}]


@pytest.mark.parametrize(
    ("turn", "text"),
    [
        (Turn(user="hi"), "hi"),
        (Turn(kind="quick_reply", payload="BOOK", title="Book now"), "Book now"),
        (Turn(kind="postback", payload="PRICES"), "PRICES"),
        (Turn(kind="story_reply", user="love it", story=StoryRef(id="st-1")), "[replying to your story] love it"),
        (Turn(kind="attachment", attachments=[Attachment(type="image")]), "[sent image]"),
    ],
)
def test_user_text_forms(turn: Turn, text: str) -> None:
    assert user_text(turn) == text


def test_openai_empty_content_is_empty_reply() -> None:
    reply = run_chat([(200, text_completion(None))], ["hi"])[1][0]

    assert reply.is_empty
    assert reply.error is None


@pytest.mark.parametrize(
    ("completion", "fragment"),
    [
        ((500, "model crashed"), "HTTP 500 from POST"),
        ((200, "not json at all"), "invalid JSON from POST"),
        ((200, {"choices": []}), "sent no choices[0].message"),
        ((200, {"object": "error"}), "sent no choices[0].message"),
        ((200, {"choices": [{"message": {"content": ["part"]}}]}), "content is list"),
    ],
)
def test_openai_malformed_response(completion: tuple[int, Any], fragment: str) -> None:
    with pytest.raises(ReplyError) as caught:
        run_chat([completion], ["hi"])

    assert fragment in str(caught.value)


def test_openai_unknown_tool() -> None:
    call = {"id": "c", "type": "function", "function": {"name": "refund", "arguments": "{}"}}
    completion = {"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [call]}}]}

    with pytest.raises(ReplyError, match="called tool 'refund', but only 'handover' was offered"):
        run_chat([(200, completion)], ["hi"])


def test_openai_timeout() -> None:
    with pytest.raises(ReplyError, match="within 0.1s"):
        run_chat([(200, text_completion("late"))], ["hi"], delay=0.4, timeout=0.1)


def test_openai_dead_server_is_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def run() -> None:
        adapter = create_adapter("openai", {"base_url": f"http://127.0.0.1:{port}/v1", "model": "m"})
        try:
            await adapter.reply(conversation(), Turn(user="hi"))
        finally:
            await adapter.aclose()

    with pytest.raises(TransportError, match="/v1/chat/completions"):
        asyncio.run(run())


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"api_key": "${DMH_UNSET_OPENAI_KEY}"}, "DMH_UNSET_OPENAI_KEY is not set"),
        ({"system_prompt_file": "/nonexistent/prompt.txt"}, "cannot read the system prompt file"),
        ({"system_prompt_file": "p.txt", "system_prompt": "x"}, "not both"),
        ({"temperature": 3}, "temperature"),
    ],
)
def test_openai_invalid_options(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        create_adapter("openai", {"base_url": "http://127.0.0.1:9/v1", "model": "m", **options})

    assert fragment in str(caught.value)


def test_openai_literal_key_warns(caplog: pytest.LogCaptureFixture) -> None:
    create_adapter("openai", {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key": "sk-literal-key"})

    assert "reference an environment variable" in caplog.text
    assert "sk-literal-key" not in caplog.text


def test_openai_requests_are_json(prompt_file: Path) -> None:
    server, _ = run_chat([(200, text_completion("ok"))], ['quote " and ünïcode'], system_prompt_file=str(prompt_file))

    assert json.dumps(server.requests[0])
    assert server.requests[0]["messages"][-1]["content"] == 'quote " and ünïcode'
