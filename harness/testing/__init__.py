"""Testing bots with pytest: the pieces behind the ``dm_harness`` pytest plugin.

The plugin (:mod:`harness.pytest_plugin`) imports this package in every pytest session, so
the names below load on first use: a session without a run config never imports the harness.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.testing._fixtures import BotSession, ReplyChecker
    from harness.testing._verdicts import ConversationVerdict

__all__ = ["BotSession", "ConversationVerdict", "ReplyChecker"]

_EXPORTS = {
    "BotSession": "harness.testing._fixtures",
    "ReplyChecker": "harness.testing._fixtures",
    "ConversationVerdict": "harness.testing._verdicts",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
