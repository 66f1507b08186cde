"""Tests of the example bot served over HTTP, directly and through the http adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from examples.http_bot import ConversationStore, build_app
from harness.adapters import ConversationState, create_adapter
from harness.conversations import load_scenario_file
from harness.runs import load_run_config

REPO = Path(__file__).resolve().parents[2]


def with_client(test: Callable[[TestClient], Awaitable[Any]], **app_options: Any) -> Any:
    async def run() -> Any:
        async with TestClient(TestServer(build_app(**app_options), host="127.0.0.1")) as client:
            return await test(client)

    return asyncio.run(run())


async def post(client: TestClient, body: Any) -> tuple[int, Any]:
    response = await client.post("/chat", json=body)
    return response.status, await response.json()


def test_chat_keeps_state_per_conversation() -> None:
    async def exchange(client: TestClient) -> list[Any]:
        first = await post(client, {"conversation_id": "a", "user_id": "u1", "text": "I want to check my balance"})
        other = await post(client, {"conversation_id": "b", "user_id": "u2", "text": "savings"})
        second = await post(client, {"conversation_id": "a", "user_id": "u1", "text": "savings", "payload": None})
        return [first, other, second]

    (status, first), (_, other), (_, second) = with_client(exchange)

    assert status == 200
    assert first["messages"][0]["text"] == "Which account: checking or savings?"
    assert first["messages"][0]["quick_replies"] == ["Checking", "Savings"]
    assert other["messages"][0]["text"].startswith("Hi! I can book")
    assert second["messages"][0]["text"].startswith("Your savings account balance is $")
    assert second["captured"] == {"account": "savings"}
    assert second["handover"] is False


def test_chat_payload_only() -> None:
    async def exchange(client: TestClient) -> tuple[int, Any]:
        return await post(client, {"conversation_id": "a", "payload": "Check my balance"})

    status, body = with_client(exchange)

    assert status == 200
    assert body["messages"][0]["text"] == "Which account: checking or savings?"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"text": "hi"}, "conversation_id is missing or not a non-empty string"),
        ({"conversation_id": "a"}, "the message needs a text or a payload"),
        ({"conversation_id": "a", "text": 5}, "text must be a string or null"),
        (["not", "an", "object"], "the request body must be a JSON object"),
    ],
)
def test_chat_rejects_invalid(body: Any, error: str) -> None:
    status, answer = with_client(lambda client: post(client, body))

    assert status == 400
    assert answer == {"error": error}


def test_chat_rejects_bad_json() -> None:
    async def exchange(client: TestClient) -> tuple[int, Any]:
        response = await client.post("/chat", data=b"{not json", headers={"Content-Type": "application/json"})
        return response.status, await response.json()

    status, body = with_client(exchange)

    assert status == 400
    assert body == {"error": "the request body is not valid JSON"}


def test_health_ok() -> None:
    async def exchange(client: TestClient) -> Any:
        return await (await client.get("/health")).json()

    assert with_client(exchange) == {"status": "ok"}


def test_store_forgets_oldest() -> None:
    store = ConversationStore(limit=2)
    first = store.get("a")
    first.state["marker"] = True
    store.get("b")
    store.get("a")
    store.get("c")

    assert len(store) == 2
    assert store.get("a").state == {"marker": True}
    assert store.get("b").state == {}


def test_http_adapter_with_example_config() -> None:
    scenario = load_scenario_file(REPO / "scenarios" / "transfer_money.yaml")[0]
    options = load_run_config(REPO / "examples" / "http_bot.yaml").adapter.options

    async def replay(client: TestClient) -> list[Any]:
        adapter = create_adapter("http", {**options, "url": str(client.make_url("/chat"))})
        conversation = ConversationState(id=scenario.id, scenario=scenario, user_id="user-1")
        replies = []
        for turn in scenario.turns:
            reply = await adapter.reply(conversation, turn)
            conversation.history.append((turn, reply))
            replies.append(reply)
        await adapter.aclose()
        return replies

    replies = with_client(replay)

    assert len(replies) == len(scenario.turns)
    assert replies[0].text == (
        "How much would you like to transfer? Which of your accounts should it come from, checking or savings?"
    )
    assert replies[2].text.startswith("Just to confirm: a transfer of $1,060 from your savings account")
    assert replies[2].quick_replies == ["Yes", "No"]
    assert replies[2].captured["recipient"] == "Abhinav"
    assert not any(reply.handover for reply in replies)
