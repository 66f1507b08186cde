"""Tests for the python adapter: targets, sync and async bots, factories and failures."""

from __future__ import annotations

import asyncio
import textwrap
import threading
import time
from pathlib import Path

import pytest

from harness.adapters import ConversationState, create_adapter
from harness.adapters._coerce import ReplyError
from harness.conversations import Reply, Scenario, Turn
from harness.errors import AdapterError, ConfigError

SCENARIO = Scenario(id="s-1", intent="pricing", policy="answer", turns=[Turn(user="hi"), Turn(user="price?")])

BOT_SOURCE = textwrap.dedent(
    """
    import asyncio
    import threading
    import time

    def echo(conversation, message):
        count = conversation.state.get("count", 0) + 1
        conversation.state["count"] = count
        return f"{count}: {message.user}"

    async def async_echo(conversation, message):
        await asyncio.sleep(0)
        return {"text": message.user.upper(), "quick_replies": ["Book"]}

    def thread_name(conversation, message):
        return threading.current_thread().name

    def crash(conversation, message):
        raise RuntimeError("database is down")

    def wrong_type(conversation, message):
        return 42

    def slow(conversation, message):
        time.sleep(0.5)
        return "late"

    def returns_coroutine(conversation, message):
        return async_echo(conversation, message)

    made = []

    def make_bot():
        memory = []
        made.append(memory)

        def bot(conversation, message):
            memory.append(message.user)
            return " ".join(memory)

        return bot

    def make_nothing():
        return "not a bot"

    class Brain:
        def reply(self, conversation, message):
            return "from a method"

    brain = Brain()
    not_callable = 3
    """
)


@pytest.fixture()
def bot_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy_bot.py"
    path.write_text(BOT_SOURCE)
    return path


def conversation(conversation_id: str = "c-1") -> ConversationState:
    return ConversationState(id=conversation_id, scenario=SCENARIO, user_id=f"u-{conversation_id}")


def send(options: dict[str, object], turns: list[str], conversation_ids: tuple[str, ...] = ("c-1",)) -> list[Reply]:
    async def run() -> list[Reply]:
        adapter = create_adapter("python", options)
        replies = []
        for conversation_id in conversation_ids:
            state = conversation(conversation_id)
            for text in turns:
                turn = Turn(user=text)
                reply = await adapter.reply(state, turn)
                state.history.append((turn, reply))
                replies.append(reply)
            await adapter.end_conversation(state)
        await adapter.aclose()
        return replies

    return asyncio.run(run())


def test_python_file_target_keeps_state(bot_file: Path) -> None:
    replies = send({"target": f"{bot_file}:echo"}, ["hi", "again"])

    assert [reply.text for reply in replies] == ["1: hi", "2: again"]


def test_python_module_target(bot_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(bot_file.parent))

    replies = send({"target": "toy_bot:echo"}, ["hi"])

    assert replies[0].text == "1: hi"


def test_python_async_bot(bot_file: Path) -> None:
    reply = send({"target": f"{bot_file}:async_echo"}, ["hi"])[0]

    assert reply.text == "HI"
    assert reply.quick_replies == ["Book"]


def test_python_coroutine_from_sync_wrapper(bot_file: Path) -> None:
    reply = send({"target": f"{bot_file}:returns_coroutine"}, ["hey"])[0]

    assert reply.text == "HEY"


def test_python_dotted_attribute(bot_file: Path) -> None:
    reply = send({"target": f"{bot_file}:brain.reply"}, ["hi"])[0]

    assert reply.text == "from a method"


@pytest.mark.parametrize(("threaded", "in_main_thread"), [(True, False), (False, True)])
def test_python_threaded_option(bot_file: Path, threaded: bool, in_main_thread: bool) -> None:
    reply = send({"target": f"{bot_file}:thread_name", "threaded": threaded}, ["hi"])[0]

    assert (reply.text == threading.main_thread().name) is in_main_thread


def test_python_factory_per_conversation(bot_file: Path) -> None:
    replies = send({"target": f"{bot_file}:make_bot", "factory": True}, ["a", "b"], ("c-1", "c-2"))

    assert [reply.text for reply in replies] == ["a", "a b", "a", "a b"]


def test_python_factory_forgets_ended_conversation(bot_file: Path) -> None:
    async def run() -> int:
        adapter = create_adapter("python", {"target": f"{bot_file}:make_bot", "factory": True})
        state = conversation()
        await adapter.reply(state, Turn(user="x"))
        await adapter.end_conversation(state)
        return len(adapter._per_conversation)

    assert asyncio.run(run()) == 0


def test_python_factory_must_return_callable(bot_file: Path) -> None:
    with pytest.raises(TypeError, match="returned str, not a callable"):
        send({"target": f"{bot_file}:make_nothing", "factory": True}, ["x"])


def test_python_dead_bot_raises_its_error(bot_file: Path) -> None:
    with pytest.raises(RuntimeError, match="database is down"):
        send({"target": f"{bot_file}:crash"}, ["hi"])


def test_python_malformed_output(bot_file: Path) -> None:
    with pytest.raises(ReplyError) as caught:
        send({"target": f"{bot_file}:wrong_type"}, ["hi"])

    assert "wrong_type returned int" in str(caught.value)


def test_python_slow_sync_bot_times_out_promptly(bot_file: Path) -> None:
    async def run() -> float:
        adapter = create_adapter("python", {"target": f"{bot_file}:slow"})
        start = time.perf_counter()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(adapter.reply(conversation(), Turn(user="hi")), 0.05)
        return time.perf_counter() - start

    assert asyncio.run(run()) < 0.3


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("no_colon_here", "invalid target"),
        ("dm_harness_no_such_module_xyz:reply", "cannot import module"),
        ("missing/bot.py:reply", "file not found"),
        ("{bot}:absent", "has no attribute 'absent'"),
        ("{bot}:not_callable", "is a int, not a callable"),
    ],
)
def test_python_bad_target(bot_file: Path, target: str, fragment: str) -> None:
    with pytest.raises(AdapterError) as caught:
        create_adapter("python", {"target": target.format(bot=bot_file)})

    assert fragment in str(caught.value)


def test_python_import_error_in_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken_bot.py"
    broken.write_text("raise ValueError('bad config')\n")

    with pytest.raises(AdapterError, match="ValueError: bad config"):
        create_adapter("python", {"target": f"{broken}:reply"})


def test_python_unknown_option(bot_file: Path) -> None:
    with pytest.raises(ConfigError, match="target_fn"):
        create_adapter("python", {"target": f"{bot_file}:echo", "target_fn": "x"})


def test_python_bot_never_sees_answer_key(tmp_path):
    bot = tmp_path / "peek.py"
    bot.write_text(
        "def reply(conversation, message):\n"
        "    seen = [t.reference for t in conversation.scenario.turns] + [message.reference, message.expect]\n"
        "    return 'leak' if any(seen) else 'clean'\n"
    )
    from harness.conversations import Expectation

    turn = Turn(user="hi", reference="secret answer", expect=Expectation(next_step="ask"))
    scenario = Scenario(id="p", intent="x", policy="answer", turns=[turn])
    adapter = create_adapter("python", {"target": f"{bot}:reply"})
    state = ConversationState(id="p", scenario=scenario, user_id="1")
    reply = asyncio.run(adapter.reply(state, turn))
    assert reply.text == "clean"
    assert turn.reference == "secret answer"


def test_python_bot_sys_exit_is_turn_error(tmp_path):
    bot = tmp_path / "quitter.py"
    bot.write_text("import sys\ndef reply(conversation, message):\n    sys.exit(3)\n")
    scenario = Scenario(id="q", intent="x", policy="answer", turns=[Turn(user="hi")])
    adapter = create_adapter("python", {"target": f"{bot}:reply"})
    state = ConversationState(id="q", scenario=scenario, user_id="1")
    with pytest.raises(RuntimeError, match=r"bot called sys.exit\(3\)"):
        asyncio.run(adapter.reply(state, Turn(user="hi")))


def test_hung_python_bot_does_not_block_exit(tmp_path):
    import subprocess
    import sys

    (tmp_path / "hang.py").write_text("import time\ndef reply(conversation, message):\n    time.sleep(120)\n")
    (tmp_path / "s.yaml").write_text("intent: x\npolicy: answer\nscenarios:\n  - id: h\n    turns: [{user: hi}]\n")
    command = [
        sys.executable, "-m", "harness.cli", "run", "--bot", f"{tmp_path / 'hang.py'}:reply",
        "--scenarios", str(tmp_path / "s.yaml"), "--timeout", "1", "--out", str(tmp_path / "out"), "--no-progress",
    ]
    # Before the fix the process never exited; TimeoutExpired fails the test.
    finished = subprocess.run(command, capture_output=True, timeout=90, cwd=tmp_path)
    assert finished.returncode == 1
