"""Tests for the http adapter against local aiohttp servers on 127.0.0.1, and its helpers."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from harness.adapters import ConversationState, TransportError, create_adapter
from harness.adapters._coerce import ReplyError
from harness.adapters.builtin._paths import JsonPath, PathNotFoundError
from harness.adapters.builtin._secrets import SecretMasker, expand, missing_variables
from harness.conversations import Reply, Scenario, Turn
from harness.errors import ConfigError

SCENARIO = Scenario(id="s-1", intent="pricing", policy="answer", turns=[Turn(user="hi"), Turn(user="price?")])

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeBot:
    """A webhook on 127.0.0.1 that records each request and responds with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        self.peers: list[object] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeBot:
        app = web.Application()
        app.router.add_route("*", "/hook", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.text()
        self.requests.append({"headers": dict(request.headers), "body": json.loads(body) if body else None})
        self.peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        return await self.handler(request)


def answer(payload: object, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(payload, status=status)

    return handler


def raw(text: str, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=text, status=status)

    return handler


def conversation() -> ConversationState:
    return ConversationState(id="c-1", scenario=SCENARIO, user_id="u-1")


async def exchange(bot: FakeBot, options: dict[str, Any], texts: list[str]) -> list[Reply]:
    adapter = create_adapter("http", {"url": bot.url, **options})
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
    return replies


def run_against(handler: Handler, options: dict[str, Any], texts: list[str]) -> tuple[FakeBot, list[Reply]]:
    async def run() -> tuple[FakeBot, list[Reply]]:
        async with FakeBot(handler) as bot:
            return bot, await exchange(bot, options, texts)

    return asyncio.run(run())


def test_http_default_body() -> None:
    bot, _ = run_against(answer({"text": "hello"}), {}, ["hi", "price?"])

    assert bot.requests[1]["body"] == {
        "conversation_id": "c-1",
        "user_id": "u-1",
        "text": "price?",
        "payload": None,
        "turn_index": 1,
    }


def test_http_whole_response_as_reply() -> None:
    _, replies = run_against(answer({"messages": ["a", "b"], "handover": True}), {}, ["hi"])

    assert replies[0].text == "a\nb"
    assert replies[0].handover is True


def test_http_keeps_connection_alive() -> None:
    bot, _ = run_against(answer("ok"), {}, ["a", "b", "c"])

    assert len(set(bot.peers)) == 1


def test_http_body_template_variables() -> None:
    template = (
        '{"q": {{ text | tojson }}, "intent": {{ intent | tojson }}, '
        '"previous": {{ history | map(attribute="reply") | list | tojson }}}'
    )

    bot, _ = run_against(answer({"text": "r"}), {"body": template}, ["one", 'two "quoted"'])

    assert bot.requests[1]["body"] == {"q": 'two "quoted"', "intent": "pricing", "previous": ["r"]}


def test_http_reply_paths() -> None:
    response = {
        "data": {"messages": [{"text": "Hi!"}, {"text": "Pick one:"}]},
        "choices": [{"title": "Cut"}, {"title": "Color"}],
        "meta": {"escalated": False, "fields": {"email": "a@b.c"}},
    }
    options = {
        "reply_path": "data.messages[*].text",
        "quick_replies_path": "choices[*].title",
        "handover_path": "meta.escalated",
        "captured_path": "meta.fields",
    }

    reply = run_against(answer(response), options, ["hi"])[1][0]

    assert [message.text for message in reply.messages] == ["Hi!", "Pick one:"]
    assert reply.quick_replies == ["Cut", "Color"]
    assert reply.handover is False
    assert reply.captured == {"email": "a@b.c"}


def test_http_empty_body_is_empty_reply() -> None:
    async def no_content(request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)

    reply = run_against(no_content, {"reply_path": "reply"}, ["hi"])[1][0]

    assert reply.is_empty
    assert reply.error is None


def test_http_header_secret_sent_never_logged(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DMH_TEST_TOKEN", "tok-very-secret-42")
    caplog.set_level(logging.DEBUG)

    bot, _ = run_against(answer({"text": "tok-very-secret-42 echoed"}), {"headers": {"Authorization": "Bearer ${DMH_TEST_TOKEN}"}}, ["hi"])

    assert bot.requests[0]["headers"]["Authorization"] == "Bearer tok-very-secret-42"
    assert "tok-very-secret-42" not in caplog.text
    assert "***" in caplog.text


def test_http_error_body_masks_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMH_TEST_TOKEN", "tok-very-secret-42")
    options = {"headers": {"X-Api-Key": "${DMH_TEST_TOKEN}"}}

    with pytest.raises(ReplyError) as caught:
        run_against(raw("bad key tok-very-secret-42 " + "x" * 400, status=401), options, ["hi"])

    message = str(caught.value)
    assert message.startswith("HTTP 401 from POST http://127.0.0.1:")
    assert "tok-very-secret-42" not in message
    assert "bad key ***" in message
    assert message.endswith("x…")
    assert len(message) < 300


def test_http_missing_env_variable_named() -> None:
    with pytest.raises(ConfigError) as caught:
        create_adapter("http", {"url": "http://127.0.0.1:9/hook", "headers": {"Authorization": "Bearer ${DMH_UNSET_VARIABLE}"}})

    assert "DMH_UNSET_VARIABLE is not set" in str(caught.value)
    assert "headers.Authorization" in str(caught.value)


@pytest.mark.parametrize("status", [500, 404, 400])
def test_http_error_status(status: int) -> None:
    with pytest.raises(ReplyError, match=f"HTTP {status} from POST .*: upstream failed"):
        run_against(raw("upstream failed", status=status), {}, ["hi"])


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_http_retryable_status_is_transport_error(status: int) -> None:
    with pytest.raises(TransportError, match=f"HTTP {status} from POST .*: busy"):
        run_against(raw("busy", status=status), {}, ["hi"])


def test_http_invalid_json() -> None:
    with pytest.raises(ReplyError, match=r"invalid JSON from .* \(HTTP 200\): <html>oops"):
        run_against(raw("<html>oops</html>"), {}, ["hi"])


def test_http_missing_reply_path() -> None:
    with pytest.raises(ReplyError) as caught:
        run_against(answer({"message": "hi"}), {"reply_path": "reply.text"}, ["hi"])

    message = str(caught.value)
    assert "reply_path 'reply.text': key 'reply' not found in the response (its keys: message)" in message
    assert 'response: {"message": "hi"}' in message


def test_http_handover_path_wrong_type() -> None:
    options = {"reply_path": "text", "handover_path": "handover"}

    with pytest.raises(ReplyError, match="expected true, false or null"):
        run_against(answer({"text": "x", "handover": "yes"}), options, ["hi"])


def test_http_timeout() -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.4)
        return web.json_response("late")

    with pytest.raises(ReplyError, match=r"no response from POST .* within 0.1s"):
        run_against(slow, {"timeout": 0.1}, ["hi"])


def test_http_template_renders_invalid_json() -> None:
    options = {"body": '{"text": "{{ text }}"}'}

    with pytest.raises(ReplyError, match="rendered invalid JSON"):
        run_against(answer("ok"), options, ['say "hi"'])


def test_http_connection_refused_is_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def run() -> None:
        adapter = create_adapter("http", {"url": f"http://127.0.0.1:{port}/hook"})
        try:
            await adapter.reply(conversation(), Turn(user="hi"))
        finally:
            await adapter.aclose()

    with pytest.raises(TransportError, match=f"POST http://127.0.0.1:{port}/hook"):
        asyncio.run(run())


def test_http_connection_reset_is_transport_error() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.close()

    async def run() -> None:
        server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        adapter = create_adapter("http", {"url": f"http://127.0.0.1:{port}/hook"})
        try:
            await adapter.reply(conversation(), Turn(user="hi"))
        finally:
            await adapter.aclose()
            server.close()

    with pytest.raises(TransportError):
        asyncio.run(run())


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"reply_path": "reply..text"}, "invalid path"),
        ({"reply_path": "[x]"}, "invalid path"),
        ({"body": "{{ text "}, "invalid Jinja2 template"),
        ({"body": "{{ txt | tojson }}"}, "unknown template variables ['txt']"),
        ({"method": "DELETE"}, "method"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_http_invalid_options(options: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        create_adapter("http", {"url": "http://127.0.0.1:9/hook", **options})

    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("path", "document", "expected"),
    [
        ("reply", {"reply": "hi"}, "hi"),
        ("reply.text", {"reply": {"text": "hi"}}, "hi"),
        ("messages[1].text", {"messages": [{"text": "a"}, {"text": "b"}]}, "b"),
        ("messages[-1]", {"messages": ["a", "b"]}, "b"),
        ("messages[*].text", {"messages": [{"text": "a"}, {"text": "b"}]}, ["a", "b"]),
        ("messages[*].text", {"messages": []}, []),
        ("[0].text", [{"text": "x"}], "x"),
        ("a[*][*]", {"a": [[1, 2], [3]]}, [1, 2, 3]),
    ],
)
def test_path_extract(path: str, document: Any, expected: Any) -> None:
    assert JsonPath.parse(path).extract(document) == expected


@pytest.mark.parametrize(
    ("path", "document", "fragment"),
    [
        ("reply", {"text": "x"}, "key 'reply' not found in the response (its keys: text)"),
        ("a.b", {"a": {}}, "key 'b' not found in 'a' (its keys: none)"),
        ("a[3]", {"a": [1]}, "'a' has 1 items, so [3] is out of range"),
        ("a[*]", {"a": "text"}, "'a' is a string, not a list"),
        ("a.b", {"a": [1]}, "'a' is a list, not an object with key 'b'"),
        ("a[0].b", {"a": [None]}, "'a[0]' is null"),
    ],
)
def test_path_not_found(path: str, document: Any, fragment: str) -> None:
    with pytest.raises(PathNotFoundError) as caught:
        JsonPath.parse(path).extract(document)

    assert fragment in str(caught.value)


@pytest.mark.parametrize("path", ["", ".a", "a..b", "a[", "a[x]", "a]"])
def test_path_parse_rejects(path: str) -> None:
    with pytest.raises(ValueError):
        JsonPath.parse(path)


def test_expand_substitutes_and_masks() -> None:
    masker = SecretMasker()

    value = expand("Bearer ${TOKEN}", field="headers.Authorization", masker=masker, environ={"TOKEN": "abcd1234"})

    assert value == "Bearer abcd1234"
    assert masker.mask("got abcd1234 back") == "got *** back"


def test_expand_missing_variable() -> None:
    with pytest.raises(ConfigError, match="environment variable TOKEN is not set"):
        expand("${TOKEN}", field="api_key", environ={})


def test_missing_variables_in_order() -> None:
    assert missing_variables(["${B} ${A}", "${B} ${C}"], environ={"C": "1"}) == ["B", "A"]


def test_masker_skips_short_values() -> None:
    masker = SecretMasker()
    masker.add("on")

    assert masker.mask("one on") == "one on"


def test_http_echoed_secret_masked_in_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECHO_TOKEN", "s3cr3t-echo-token-42")

    async def echo_headers(request: web.Request) -> web.StreamResponse:
        return web.json_response({"reply": f"you sent {request.headers['Authorization']}"})

    _, replies = run_against(
        echo_headers,
        {"headers": {"Authorization": "Bearer ${ECHO_TOKEN}"}, "reply_path": "reply"},
        ["hi"],
    )
    assert "s3cr3t-echo-token-42" not in replies[0].model_dump_json()
    assert replies[0].text == "you sent Bearer ***"


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/x", "127.0.0.1:8808/chat"])
def test_http_invalid_url_rejected(url: str) -> None:
    with pytest.raises(ConfigError, match="expected an http:// or https:// URL"):
        create_adapter("http", {"url": url})
