"""The ``python`` adapter: a bot that is a Python callable in this process.

The callable is called as ``fn(conversation, message)``: ``conversation`` is the
:class:`~harness.adapters.ConversationState` (its ``state`` dict is free for the bot's
per-conversation memory, ``user_id`` and ``id`` identify the user and the conversation) and
``message`` is the :class:`~harness.conversations.Turn`. It may be sync or async and returns
any reply shape that :func:`~harness.adapters._coerce.coerce_reply` accepts.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import importlib.util
import inspect
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import Field

from harness.adapters._base import AdapterOptions, ConversationState, adapter
from harness.adapters._coerce import coerce_reply
from harness.conversations import Reply, Turn
from harness.errors import AdapterError

__all__ = ["PythonAdapter", "load_target"]

logger = logging.getLogger(__name__)

BotCallable = Callable[[ConversationState, Turn], Any]


@adapter("python")
class PythonAdapter:
    """Calls a Python function (sync or async) with each conversation and turn."""

    class Options(AdapterOptions):
        target: str = Field(min_length=3)
        """The callable, as ``package.module:function`` or ``path/to/bot.py:function``; the
        part after the colon may be dotted (``bot.py:brain.reply``). A relative file path is
        resolved against the working directory."""

        factory: bool = False
        """Treat ``target`` as a zero-argument factory, called once per conversation, that
        returns the bot callable; for bots that keep their own per-user state."""

        threaded: bool = True
        """Run a sync callable in a worker thread, so a slow bot cannot stall the other
        conversations or the per-turn timeout. Set false for a bot that is not thread-safe."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._target = load_target(options.target)
        self._name = options.target
        self._per_conversation: dict[str, BotCallable] = {}

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Call the bot with one turn and convert what it returns."""
        function = await self._callable_for(conversation)
        logger.info("python %s: conversation %s turn %d", self._name, conversation.id, conversation.turn_index)

        result = await self._call(function, _bot_view(conversation), _without_answers(message))
        logger.debug("python %s returned %r", self._name, result)
        return coerce_reply(result, source=self._name)

    async def end_conversation(self, conversation: ConversationState) -> None:
        """Forget the callable that the factory made for ``conversation``."""
        self._per_conversation.pop(conversation.id, None)

    async def aclose(self) -> None:
        """Forget every per-conversation callable."""
        self._per_conversation.clear()

    async def _callable_for(self, conversation: ConversationState) -> BotCallable:
        if not self.options.factory:
            return self._target
        if conversation.id not in self._per_conversation:
            made = await _resolve(self._target())
            if not callable(made):
                raise TypeError(f"factory {self._name} returned {type(made).__name__}, not a callable")
            self._per_conversation[conversation.id] = made
        return self._per_conversation[conversation.id]

    async def _call(self, function: BotCallable, conversation: ConversationState, message: Turn) -> Any:
        try:
            if inspect.iscoroutinefunction(function) or not self.options.threaded:
                return await _resolve(function(conversation, message))
            return await _resolve(await _in_daemon_thread(function, conversation, message))
        except SystemExit as exc:
            # A bot's sys.exit() would otherwise end the whole run with the bot's exit code.
            raise RuntimeError(f"bot called sys.exit({exc.code!r})") from None


def _without_answers(turn: Turn) -> Turn:
    # The bot gets what a real user sends, never the recorded reply or the expectations.
    if turn.reference is None and turn.expect is None:
        return turn
    return turn.model_copy(update={"reference": None, "expect": None})


def _bot_view(conversation: ConversationState) -> ConversationState:
    """Return the conversation as the bot may see it: the same state dict, no answer key."""
    scenario = conversation.scenario.model_copy(
        update={"turns": [_without_answers(turn) for turn in conversation.scenario.turns]}
    )
    history = [(_without_answers(turn), reply) for turn, reply in conversation.history]
    return ConversationState(
        id=conversation.id,
        scenario=scenario,
        user_id=conversation.user_id,
        history=history,
        state=conversation.state,
    )


async def _in_daemon_thread(function: BotCallable, *args: Any) -> Any:
    """Run a sync callable in a daemon thread and await its result.

    asyncio.to_thread uses the loop's default executor, whose threads the interpreter joins at
    exit, so a bot that hangs past its turn timeout would keep the command from ever ending.
    A daemon thread is abandoned at exit instead.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(outcome: Any, error: BaseException | None) -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(outcome)

    def work() -> None:
        try:
            outcome, error = function(*args), None
        except BaseException as exc:  # handed to the awaiting coroutine, which re-raises it
            outcome, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, outcome, error)
        except RuntimeError:
            # The turn timed out and the run finished before the bot returned.
            logger.info("python bot returned after the run ended; its reply is dropped")

    threading.Thread(target=work, name="dm-harness-python-bot", daemon=True).start()
    return await future


async def _resolve(value: Any) -> Any:
    # A sync wrapper around an async bot hands back a coroutine; await it here.
    return await value if inspect.isawaitable(value) else value


def load_target(target: str) -> Callable[..., Any]:
    """Import the callable named by ``module:attribute`` or ``file.py:attribute``.

    A file's folder is put at the front of ``sys.path``, as ``python file.py`` would do, so
    the bot can import the modules next to it.

    Raises:
        AdapterError: The target is malformed, cannot be imported or is not callable.
    """
    module_part, colon, attribute = target.rpartition(":")
    if not colon or not module_part or not attribute:
        raise AdapterError(
            f"python adapter: invalid target {target!r}; expected 'package.module:function' "
            "or 'path/to/bot.py:function'"
        )
    module = _import_file(module_part) if _is_file(module_part) else _import_module(module_part)

    found: Any = module
    for name in attribute.split("."):
        if not hasattr(found, name):
            raise AdapterError(f"python adapter: {module_part} has no attribute {attribute!r} (target {target!r})")
        found = getattr(found, name)
    if not callable(found):
        raise AdapterError(f"python adapter: {target!r} is a {type(found).__name__}, not a callable")
    return found


def _is_file(module_part: str) -> bool:
    return module_part.endswith(".py") or "/" in module_part or "\\" in module_part


def _import_module(name: str) -> Any:
    # The console script does not put the working directory on sys.path the way
    # `python -m` does, so a bot module next to the config would not be found. It goes last,
    # so an installed package of the same name still wins.
    working_directory = str(Path.cwd())
    if working_directory not in sys.path:
        sys.path.append(working_directory)
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise AdapterError(
            f"python adapter: cannot import module {name!r}: {exc}; check the name, or install "
            "the package into this environment"
        ) from exc
    except Exception as exc:
        raise AdapterError(f"python adapter: importing {name!r} failed: {type(exc).__name__}: {exc}") from exc


def _import_file(location: str) -> Any:
    path = Path(location).expanduser().resolve()
    if not path.is_file():
        raise AdapterError(f"python adapter: file not found: {path} (target path {location!r})")

    digest = hashlib.sha1(str(path).encode()).hexdigest()[:8]
    module_name = f"dm_harness_bot_{path.stem}_{digest}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)

    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise AdapterError(f"python adapter: cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise AdapterError(f"python adapter: importing {path} failed: {type(exc).__name__}: {exc}") from exc
    return module
