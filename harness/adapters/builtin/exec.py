"""The ``exec`` adapter: a bot that is a subprocess speaking JSON lines on stdin and stdout.

For each turn the adapter writes one request line::

    {"conversation_id": "...", "user_id": "...", "text": "...", "payload": null, "turn_index": 0}

and reads one response line holding a reply shape that
:func:`~harness.adapters._coerce.coerce_reply` accepts (a string, a list of bubbles, or a
``{"messages" or "text", "quick_replies", "buttons", "handover", "captured"}`` object).

Modes:

- ``per_conversation`` starts one process per conversation at its first turn and closes it
  when the replay engine calls :meth:`ExecAdapter.end_conversation`.
- ``shared`` starts one process for the whole run. Requests of different conversations are
  written without waiting for each other, so the response must be an object carrying the
  request's ``conversation_id``, which routes it back. The bot may reply out of order.

A response that arrives after its turn timed out is dropped. This assumes that the bot sends
exactly one response per request, in order within a conversation.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import shlex
import shutil
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from harness.adapters._base import AdapterOptions, ConversationState, adapter
from harness.adapters._coerce import ReplyError, coerce_reply, preview
from harness.adapters.builtin._secrets import SecretMasker, check_variables, expand
from harness.conversations import Reply, Turn
from harness.errors import AdapterError

__all__ = ["ExecAdapter"]

logger = logging.getLogger(__name__)

_LINE_LIMIT = 16 * 1024 * 1024
"""Maximum length of a response line, in bytes, because asyncio's default of 64 KiB is short for rich replies."""

_CLOSE_GRACE_S = 2.0
"""Seconds a process gets to exit after its stdin closes, before it is terminated."""

_SHARED_KEY = ""


@adapter("exec")
class ExecAdapter:
    """Runs the bot as a subprocess and exchanges one JSON line per turn."""

    class Options(AdapterOptions):
        command: list[str] | str
        """The command that starts the bot: a list of arguments, or one string split like a
        POSIX shell would (no shell runs it)."""

        mode: Literal["per_conversation", "shared"] = "per_conversation"
        """``per_conversation`` starts one process per conversation; ``shared`` runs one
        process for all of them and routes responses by their ``conversation_id``."""

        cwd: str | None = None
        """Working directory of the process; unset keeps the harness's."""

        env: dict[str, str] = Field(default_factory=dict)
        """Extra environment variables for the process; values may reference ``${NAME}``."""

        timeout: float = Field(30.0, gt=0)
        """Seconds to wait for the response line of one turn."""

        stderr_lines: int = Field(20, ge=0)
        """Lines of the process's stderr kept for the error message when it exits."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._argv = shlex.split(options.command) if isinstance(options.command, str) else list(options.command)
        _check_command(self._argv, options.cwd)
        check_variables({f"env.{name}": value for name, value in options.env.items()})
        self._label = _label(self._argv)
        self._masker = SecretMasker()
        self._processes: dict[str, _BotProcess] = {}
        self._start_lock = asyncio.Lock()

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Write one request line and convert the response line into a reply."""
        process = await self._process_for(conversation)
        request = {
            "conversation_id": conversation.id,
            "user_id": conversation.user_id,
            "text": message.user,
            "payload": message.payload,
            "turn_index": conversation.turn_index,
        }

        start = time.perf_counter()
        response = await process.request(conversation.id, request, self.options.timeout)
        latency_ms = round((time.perf_counter() - start) * 1000, 1)
        logger.info(
            "exec %s: conversation %s turn %d -> response in %.0f ms",
            self._label, conversation.id, conversation.turn_index, latency_ms,
        )

        if isinstance(response, dict):
            response = {key: value for key, value in response.items() if key != "conversation_id"}
        reply = coerce_reply(response, source=f"{self._label} (exec)")
        return self._masker.mask_reply(reply.model_copy(update={"latency_ms": latency_ms}))

    async def end_conversation(self, conversation: ConversationState) -> None:
        """Close the process of ``conversation`` (``per_conversation`` mode only)."""
        if self.options.mode != "per_conversation":
            return
        process = self._processes.pop(conversation.id, None)
        if process is not None:
            await process.close()

    async def aclose(self) -> None:
        """Close every process the adapter started."""
        processes = list(self._processes.values())
        self._processes.clear()
        await asyncio.gather(*(process.close() for process in processes))

    async def _process_for(self, conversation: ConversationState) -> _BotProcess:
        key = conversation.id if self.options.mode == "per_conversation" else _SHARED_KEY
        async with self._start_lock:
            if key not in self._processes:
                self._processes[key] = await self._start(conversation.id if key else None)
        return self._processes[key]

    async def _start(self, owner: str | None) -> _BotProcess:
        extra = {name: expand(value, field=f"env.{name}", masker=self._masker) for name, value in self.options.env.items()}
        process = _BotProcess(
            self._argv,
            label=self._label,
            owner=owner,
            masker=self._masker,
            stderr_lines=self.options.stderr_lines,
        )
        await process.start(cwd=self.options.cwd, env={**os.environ, **extra})
        return process


def _label(argv: list[str]) -> str:
    # "python3 bot.py" names an interpreted bot better than the program alone.
    names = [Path(argument).name if os.sep in argument else argument for argument in argv[:2]]
    return " ".join(names) + (" …" if len(argv) > 2 else "")


def _check_command(argv: list[str], cwd: str | None) -> None:
    if not argv:
        raise AdapterError("exec adapter: command is empty; give the program and its arguments")
    program = argv[0]
    if os.sep in program or (os.altsep and os.altsep in program):
        found = (Path(cwd or ".") / program).is_file()
    else:
        found = shutil.which(program) is not None
    if not found:
        raise AdapterError(f"exec adapter: program {program!r} not found; give its path or put it on PATH")


class _BotProcess:
    """One running bot process, with a reader task that routes response lines to requests.

    Args:
        argv: The command.
        label: A short name for messages (the program name).
        owner: The conversation that owns the process; ``None`` for a shared process, whose
            responses name their conversation.
        masker: Hides environment values in messages built from the process's stderr.
        stderr_lines: Lines of stderr kept for the exit message.
    """

    def __init__(
        self, argv: list[str], *, label: str, owner: str | None, masker: SecretMasker, stderr_lines: int
    ) -> None:
        self.argv = argv
        self.label = label
        self.owner = owner
        self.masker = masker
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=stderr_lines)
        self.pending: dict[str, asyncio.Future[Any]] = {}
        self.stale: collections.Counter[str] = collections.Counter()
        self.ended: str | None = None
        self.closing = False
        self._process: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._write_lock = asyncio.Lock()

    async def start(self, *, cwd: str | None, env: dict[str, str]) -> None:
        """Start the process and its reader tasks.

        Raises:
            ReplyError: The program cannot be started.
        """
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=cwd,
                env=env,
                limit=_LINE_LIMIT,
            )
        except OSError as exc:
            raise ReplyError(f"cannot start {self.label}: {exc}") from None
        logger.info("exec %s: started process %d for %s", self.label, self._process.pid, self.owner or "all conversations")
        self._tasks = [asyncio.create_task(self._read_stdout()), asyncio.create_task(self._read_stderr())]

    async def request(self, key: str, payload: dict[str, Any], timeout: float) -> Any:
        """Send ``payload`` and wait for the response routed to ``key``.

        Raises:
            ReplyError: The process has exited, wrote a line that is not JSON, or sent no
                response within ``timeout`` seconds.
        """
        if self.ended is not None:
            raise ReplyError(self.ended)
        if key in self.pending:
            raise ReplyError(f"conversation {key} already has a request waiting on {self.label}")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[key] = future

        try:
            await self._write(payload)
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise ReplyError(f"no response from {self.label} within {timeout:g}s (conversation {key})") from None
        finally:
            if self.pending.get(key) is future:
                del self.pending[key]
            if future.done() and not future.cancelled():
                future.exception()  # marks a failure as seen when _write raised first
            if future.cancelled():
                # The late response, if the bot still sends it, belongs to this request.
                self.stale[key] += 1

    async def close(self) -> None:
        """Close stdin, give the process a moment to exit, then terminate or kill it."""
        self.closing = True
        process = self._process
        if process is not None and process.returncode is None:
            if process.stdin is not None and not process.stdin.is_closing():
                process.stdin.close()
            await _stop(process)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.ended = self.ended or f"{self.label} was closed"

    async def _write(self, payload: dict[str, Any]) -> None:
        assert self._process is not None and self._process.stdin is not None
        line = json.dumps(payload, ensure_ascii=False) + "\n"
        logger.debug("exec %s <- %s", self.label, line.rstrip())
        try:
            async with self._write_lock:
                self._process.stdin.write(line.encode())
                await self._process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            await asyncio.wait(self._tasks, timeout=_CLOSE_GRACE_S)
            raise ReplyError(self.ended or f"{self.label} closed its stdin") from None

    async def _read_stdout(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while True:
            try:
                line = await self._process.stdout.readline()
            except ValueError:
                self._fail_pending(f"{self.label} wrote a line longer than {_LINE_LIMIT} bytes")
                continue
            if not line:
                break
            self._dispatch(line.decode(errors="replace").strip())
        await self._on_exit()

    async def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        async for raw in self._process.stderr:
            line = self.masker.mask(raw.decode(errors="replace").rstrip())
            self.stderr_tail.append(line)
            logger.debug("exec %s stderr: %s", self.label, line)

    def _dispatch(self, text: str) -> None:
        if not text:
            return
        logger.debug("exec %s -> %s", self.label, text)
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            self._fail_pending(f"{self.label} wrote a line that is not JSON: {preview(text)}")
            return

        key = self.owner if self.owner is not None else _conversation_of(document)
        if key is None:
            self._fail_pending(f"{self.label} (shared) wrote a response without a conversation_id: {preview(text)}")
        elif self.stale[key] > 0:
            self.stale[key] -= 1
            logger.debug("exec %s: dropped the late response for conversation %s", self.label, key)
        elif key in self.pending:
            self.pending.pop(key).set_result(document)
        else:
            logger.warning("exec %s: response for conversation %s, which has no request waiting; dropped", self.label, key)

    async def _on_exit(self) -> None:
        assert self._process is not None
        code = await self._process.wait()
        await asyncio.wait(self._tasks[1:], timeout=_CLOSE_GRACE_S)
        reason = f"{self.label} exited with code {code}"
        if self.stderr_tail:
            reason += "; last stderr lines: " + " | ".join(self.stderr_tail)
        self.ended = reason
        if not self.closing:
            logger.warning("exec %s: %s", self.label, reason)
        self._fail_pending(reason)

    def _fail_pending(self, reason: str) -> None:
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ReplyError(reason))
        self.pending.clear()


def _conversation_of(document: Any) -> str | None:
    if isinstance(document, dict) and isinstance(document.get("conversation_id"), str):
        return document["conversation_id"]
    return None


async def _stop(process: asyncio.subprocess.Process) -> None:
    try:
        await asyncio.wait_for(process.wait(), _CLOSE_GRACE_S)
        return
    except TimeoutError:
        pass
    try:
        process.terminate()
        await asyncio.wait_for(process.wait(), _CLOSE_GRACE_S)
    except ProcessLookupError:
        return
    except TimeoutError:
        process.kill()
        await process.wait()
