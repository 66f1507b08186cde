"""The Eliza brain of the RiveScript interpreter, as a bot for the ``python`` adapter.

Run it with ``dm-harness run --bot examples/bots/rivescript_eliza.py:reply``, or in a run config::

    adapter:
      name: python
      options:
        target: examples/bots/rivescript_eliza.py:reply

The brain in ``rivescript-eliza/`` (MIT licence, see the README there) is a 1960s-style
therapist that answers most questions with a question. It is a real third-party bot that a
DM rubric should fail, and for the right reasons: no facts, no next step, no handover.
"""

from __future__ import annotations

import threading
import uuid
from functools import cache
from pathlib import Path

from rivescript import RiveScript

from harness.adapters import ConversationState
from harness.conversations import Turn

__all__ = ["BRAIN_DIR", "load_brain", "reply"]

BRAIN_DIR = Path(__file__).resolve().parent / "rivescript-eliza"
"""The ``.rive`` files of the brain."""

_REPLY_LOCK = threading.Lock()


@cache
def load_brain() -> RiveScript:
    """Load and sort the brain once per process."""
    brain = RiveScript(utf8=True)
    # admin.rive defines a ``shutdown`` macro in Python that calls quit(); no macro may run here.
    brain.set_handler("python", None)
    brain.load_directory(str(BRAIN_DIR))
    brain.sort_replies()
    return brain


def reply(conversation: ConversationState, message: Turn) -> str:
    """Return Eliza's reply to one turn, keeping one RiveScript user per conversation."""
    user = conversation.state.setdefault("rivescript_user", f"{conversation.id}-{uuid.uuid4().hex[:8]}")
    text = message.user.strip() or message.title or message.payload or ""

    brain = load_brain()
    # RiveScript keeps the current user on the interpreter, so two replies must not interleave.
    with _REPLY_LOCK:
        return brain.reply(user, text)
