"""The ``recorded`` adapter: the reference replies stored in the scenario, as a baseline.

Scoring the recorded replies of the human team or of the old bot with the same rubric gives
the bar the new bot has to clear.
"""

from __future__ import annotations

import logging

from harness.adapters._base import AdapterOptions, ConversationState, adapter
from harness.conversations import Reply, Turn

__all__ = ["NO_REFERENCE_FLAG", "RecordedAdapter"]

logger = logging.getLogger(__name__)

NO_REFERENCE_FLAG = "no_reference"
"""Flag on the empty reply of a turn that has no recorded reference."""


@adapter("recorded")
class RecordedAdapter:
    """Replays each turn's recorded reference reply (a human or old-bot baseline)."""

    class Options(AdapterOptions):
        """The recorded adapter has no options."""

    def __init__(self, options: Options) -> None:
        self.options = options

    async def reply(self, conversation: ConversationState, message: Turn) -> Reply:
        """Return the turn's reference as a one-bubble reply.

        A turn without a reference gets an empty reply flagged ``no_reference``, not an error:
        in real logs the business often left a message without a reply, and the rubric scores
        that silence like any other empty reply.
        """
        logger.info("recorded: conversation %s turn %d", conversation.id, conversation.turn_index)
        if message.reference is None or not message.reference.strip():
            return Reply(flags=[NO_REFERENCE_FLAG])
        return Reply.from_text(message.reference)

    async def aclose(self) -> None:
        """Release nothing: the adapter holds no resources."""
