"""An example adapter plugin for dm-harness: a bot that repeats what the user wrote.

dm-harness finds it through the entry point group ``dm_harness.adapters`` declared in this
package's ``pyproject.toml``. The entry point's name (``echo``) is the adapter's name in a run
config. A plugin adapter needs no decorator: a class with an ``Options`` model, a constructor
taking the options, ``async def reply`` and ``async def aclose`` is enough.
"""

from __future__ import annotations

from harness.adapters import AdapterOptions, ConversationState
from harness.conversations import Reply, Turn

__all__ = ["EchoAdapter"]


class EchoAdapter:
    """Echoes each user message back, with a prefix."""

    class Options(AdapterOptions):
        prefix: str = "echo: "
        """Text put before the user's message."""

        handover_word: str | None = None
        """A word that, when the user writes it, makes the bot hand over to a person."""

    def __init__(self, options: Options) -> None:
        self.options = options

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Return the user's text (or the tapped payload) after the prefix."""
        text = message.user or message.payload or ""
        word = self.options.handover_word
        handover = word is not None and word.lower() in text.lower()
        return Reply.from_text(f"{self.options.prefix}{text}", handover=handover)

    async def aclose(self) -> None:
        """Release nothing: the adapter holds no resources."""
