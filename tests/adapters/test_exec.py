"""Tests for the exec adapter against small Python bots speaking JSON lines."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from harness.adapters import ConversationState, create_adapter
from harness.adapters._coerce import ReplyError
from harness.conversations import Reply, Scenario, Turn
from harness.errors import AdapterError, ConfigError

SCENARIO = Scenario(id="s-1", intent="pricing", policy="answer", turns=[Turn(user="hi")])

PREAMBLE = "import json, os, sys, time\n"

COUNTER_BOT = """
count = 0
for line in sys.stdin:
    request = json.loads(line)
    count += 1
    reply = {"text": f"{count}: {request['text']}", "captured": {"pid": os.getpid(), "turn": request["turn_index"]}}
    print(json.dumps(reply), flush=True)
"""

REVERSING_SHARED_BOT = """
waiting = []
for line in sys.stdin:
    waiting.append(json.loads(line))
    if len(waiting) == 2:
        for request in reversed(waiting):
            print(json.dumps({"conversation_id": request["conversation_id"], "text": "to " + request["text"]}), flush=True)
        waiting = []
"""

DYING_BOT = """
sys.stdin.readline()
print("loading model", file=sys.stderr)
print("KeyError: 'price'", file=sys.stderr, flush=True)
sys.exit(3)
"""

SILENT_BOT = """
for line in sys.stdin:
    pass
"""

NOT_JSON_BOT = """
for line in sys.stdin:
    print("Hello from the bot", flush=True)
"""

WRONG_SHAPE_BOT = """
for line in sys.stdin:
    print("42", flush=True)
"""

LATE_FIRST_BOT = """
held = None
for line in sys.stdin:
    request = json.loads(line)
    if request["turn_index"] == 0:
        held = request
        continue
    print(json.dumps("reply to " + held["text"]), flush=True)
    print(json.dumps("reply to " + request["text"]), flush=True)
"""

NO_ID_SHARED_BOT = """
for line in sys.stdin:
    print(json.dumps({"text": "who am I answering?"}), flush=True)
"""

ENV_BOT = """
for line in sys.stdin:
    print(json.dumps(os.environ.get("BOT_GREETING", "unset").upper()), flush=True)
"""


ECHO_ENV_BOT = """
for line in sys.stdin:
    print(json.dumps("token is " + os.environ.get("BOT_TOKEN", "unset")), flush=True)
"""


def bot_command(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "bot.py"
    path.write_text(PREAMBLE + textwrap.dedent(source))
    return [sys.executable, str(path)]


def conversation(conversation_id: str = "c-1") -> ConversationState:
    return ConversationState(id=conversation_id, scenario=SCENARIO, user_id=f"u-{conversation_id}")


async def talk(adapter: Any, state: ConversationState, texts: list[str]) -> list[Reply]:
    replies = []
    for text in texts:
        turn = Turn(user=text)
        reply = await adapter.reply(state, turn)
        state.history.append((turn, reply))
        replies.append(reply)
    return replies


def run_turns(options: dict[str, Any], texts: list[str]) -> list[Reply]:
    async def run() -> list[Reply]:
        adapter = create_adapter("exec", options)
        try:
            return await talk(adapter, conversation(), texts)
        finally:
            await adapter.aclose()

    return asyncio.run(run())


def test_exec_per_conversation_keeps_state(tmp_path: Path) -> None:
    replies = run_turns({"command": bot_command(tmp_path, COUNTER_BOT)}, ["hi", "price?"])

    assert [reply.text for reply in replies] == ["1: hi", "2: price?"]
    assert replies[1].captured["turn"] == "1"


def test_exec_sets_latency(tmp_path: Path) -> None:
    reply = run_turns({"command": bot_command(tmp_path, COUNTER_BOT)}, ["hi"])[0]

    assert reply.latency_ms is not None
    assert reply.latency_ms >= 0


def test_exec_one_process_per_conversation(tmp_path: Path) -> None:
    async def run() -> tuple[list[Reply], list[Reply], int]:
        adapter = create_adapter("exec", {"command": bot_command(tmp_path, COUNTER_BOT)})
        first, second = conversation("c-1"), conversation("c-2")
        replies_a = await talk(adapter, first, ["a", "b"])
        replies_b = await talk(adapter, second, ["c"])
        await adapter.end_conversation(first)
        await adapter.end_conversation(second)
        remaining = len(adapter._processes)
        await adapter.aclose()
        return replies_a, replies_b, remaining

    replies_a, replies_b, remaining = asyncio.run(run())

    assert replies_b[0].text == "1: c"
    assert replies_a[0].captured["pid"] != replies_b[0].captured["pid"]
    assert remaining == 0


def test_exec_end_conversation_stops_process(tmp_path: Path) -> None:
    async def run() -> int:
        adapter = create_adapter("exec", {"command": bot_command(tmp_path, COUNTER_BOT)})
        state = conversation()
        reply = await adapter.reply(state, Turn(user="hi"))
        await adapter.end_conversation(state)
        return int(reply.captured["pid"])

    pid = asyncio.run(run())

    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_exec_shared_routes_out_of_order_responses(tmp_path: Path) -> None:
    async def run() -> list[Reply]:
        adapter = create_adapter("exec", {"command": bot_command(tmp_path, REVERSING_SHARED_BOT), "mode": "shared"})
        try:
            return list(
                await asyncio.gather(
                    adapter.reply(conversation("c-1"), Turn(user="alice")),
                    adapter.reply(conversation("c-2"), Turn(user="bob")),
                )
            )
        finally:
            await adapter.aclose()

    replies = asyncio.run(asyncio.wait_for(run(), 10))

    assert [reply.text for reply in replies] == ["to alice", "to bob"]


def test_exec_dead_bot_reports_code_and_stderr(tmp_path: Path) -> None:
    with pytest.raises(ReplyError) as caught:
        run_turns({"command": bot_command(tmp_path, DYING_BOT)}, ["hi"])

    message = str(caught.value)
    assert "bot.py exited with code 3" in message
    assert "KeyError: 'price'" in message
    assert "loading model" in message


def test_exec_dead_bot_fails_later_turns(tmp_path: Path) -> None:
    async def run() -> str:
        adapter = create_adapter("exec", {"command": bot_command(tmp_path, DYING_BOT)})
        state = conversation()
        with pytest.raises(ReplyError):
            await adapter.reply(state, Turn(user="hi"))
        try:
            await adapter.reply(state, Turn(user="again"))
        except ReplyError as exc:
            return str(exc)
        finally:
            await adapter.aclose()
        return "no error"

    assert "exited with code 3" in asyncio.run(run())


def test_exec_stderr_lines_limit(tmp_path: Path) -> None:
    with pytest.raises(ReplyError) as caught:
        run_turns({"command": bot_command(tmp_path, DYING_BOT), "stderr_lines": 1}, ["hi"])

    assert "loading model" not in str(caught.value)
    assert "KeyError" in str(caught.value)


def test_exec_timeout(tmp_path: Path) -> None:
    with pytest.raises(ReplyError, match=r"no response from python\S* bot.py within 0.2s \(conversation c-1\)"):
        run_turns({"command": bot_command(tmp_path, SILENT_BOT), "timeout": 0.2}, ["hi"])


def test_exec_late_response_is_dropped(tmp_path: Path) -> None:
    async def run() -> tuple[str, str]:
        # The bot holds back its reply to the first turn and sends it just before the second.
        adapter = create_adapter("exec", {"command": bot_command(tmp_path, LATE_FIRST_BOT), "timeout": 0.5})
        state = conversation()
        try:
            with pytest.raises(ReplyError) as caught:
                await adapter.reply(state, Turn(user="first"))
            state.history.append((Turn(user="first"), Reply.failed(str(caught.value))))
            reply = await adapter.reply(state, Turn(user="second"))
        finally:
            await adapter.aclose()
        return str(caught.value), reply.text

    timeout_message, second = asyncio.run(run())

    assert "within 0.5s" in timeout_message
    assert second == "reply to second"


def test_exec_not_json(tmp_path: Path) -> None:
    with pytest.raises(ReplyError, match="bot.py wrote a line that is not JSON: Hello from the bot"):
        run_turns({"command": bot_command(tmp_path, NOT_JSON_BOT)}, ["hi"])


def test_exec_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ReplyError, match=r"bot.py \(exec\) returned int"):
        run_turns({"command": bot_command(tmp_path, WRONG_SHAPE_BOT)}, ["hi"])


def test_exec_shared_needs_conversation_id(tmp_path: Path) -> None:
    options = {"command": bot_command(tmp_path, NO_ID_SHARED_BOT), "mode": "shared", "timeout": 5}

    with pytest.raises(ReplyError, match="without a conversation_id"):
        run_turns(options, ["hi"])


def test_exec_env_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMH_TEST_GREETING", "hello there")
    options = {"command": bot_command(tmp_path, ENV_BOT), "env": {"BOT_GREETING": "${DMH_TEST_GREETING}"}}

    reply = run_turns(options, ["hi"])[0]

    assert reply.text == "HELLO THERE"


def test_exec_echoed_env_value_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMH_TEST_TOKEN", "tok-0123456789")
    options = {"command": bot_command(tmp_path, ECHO_ENV_BOT), "env": {"BOT_TOKEN": "${DMH_TEST_TOKEN}"}}

    reply = run_turns(options, ["hi"])[0]

    assert reply.text == "token is ***"


def test_exec_command_string_is_split(tmp_path: Path) -> None:
    command = " ".join(bot_command(tmp_path, COUNTER_BOT))

    assert run_turns({"command": command}, ["hi"])[0].text == "1: hi"


def test_exec_missing_env_variable() -> None:
    with pytest.raises(ConfigError, match="DMH_UNSET_VARIABLE is not set"):
        create_adapter("exec", {"command": [sys.executable], "env": {"X": "${DMH_UNSET_VARIABLE}"}})


@pytest.mark.parametrize(
    ("command", "fragment"),
    [([], "command is empty"), (["dm-harness-no-such-program"], "not found"), ("./missing/bot", "not found")],
)
def test_exec_bad_command(command: list[str] | str, fragment: str) -> None:
    with pytest.raises(AdapterError, match=fragment):
        create_adapter("exec", {"command": command})
