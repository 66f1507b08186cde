"""The ALICE brain shipped with the ``python-aiml`` package, as a bot for the ``python`` adapter.

Run it with ``dm-harness run --bot examples/bots/alice_aiml.py:reply``, or in a run config::

    adapter:
      name: python
      options:
        target: examples/bots/alice_aiml.py:reply

ALICE is a general chit-chat bot of about 98,000 AIML categories. It has no facts about a
business, and its templates read predicates that were never set, so some replies come out broken
(``Have you looked in ?``). Loading the brain takes a few seconds, so one kernel is loaded per
process and shared by every conversation. It loads when this file is imported, which the
python adapter does before the run starts, so the load time stays out of reply latencies.
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import aiml

from harness.adapters import ConversationState
from harness.conversations import Turn

__all__ = ["ALICE_DIR", "load_kernel", "reply"]

ALICE_DIR = Path(aiml.__file__).resolve().parent / "botdata" / "alice"
"""The AIML files of the ALICE brain inside the installed ``aiml`` package."""

_LOAD_LOCK = threading.Lock()
_kernel: aiml.Kernel | None = None


def load_kernel() -> aiml.Kernel:
    """Return the process's ALICE kernel, loading it on the first call.

    Raises:
        FileNotFoundError: The installed ``aiml`` package has no ALICE brain.
    """
    global _kernel
    with _LOAD_LOCK:
        if _kernel is None:
            _kernel = _load()
        return _kernel


def _load() -> aiml.Kernel:
    files = sorted(ALICE_DIR.glob("*.aiml"))
    if not files:
        raise FileNotFoundError(f"no ALICE brain in {ALICE_DIR}; reinstall python-aiml")
    kernel = aiml.Kernel()
    kernel.verbose(False)
    # Sorted, because a later file may override a pattern of an earlier one.
    for path in files:
        kernel.learn(str(path))
    return kernel


def reply(conversation: ConversationState, message: Turn) -> str:
    """Return ALICE's reply to one turn, in an AIML session of its own per conversation."""
    session = conversation.state.setdefault("aiml_session", f"{conversation.id}-{uuid.uuid4().hex[:8]}")
    text = message.user.strip() or message.title or message.payload or ""
    # The kernel serializes respond() with its own lock, so threads may share it.
    return load_kernel().respond(text, session)


load_kernel()
