"""Tests for the recorded adapter (the reference replies as a baseline).

The recorded adapter reaches no bot, so there is no dead bot, timeout or malformed output to
test. A missing reference is its one edge case.
"""

from __future__ import annotations

import asyncio

import pytest

from harness.adapters import ConversationState, create_adapter
from harness.adapters.builtin.recorded import NO_REFERENCE_FLAG
from harness.conversations import Reply, Scenario, Turn
from harness.errors import ConfigError

SCENARIO = Scenario(id="s-1", intent="pricing", policy="answer", turns=[Turn(user="hi")])


def recorded_reply(turn: Turn) -> Reply:
    adapter = create_adapter("recorded")
    state = ConversationState(id="c-1", scenario=SCENARIO, user_id="u-1")
    return asyncio.run(adapter.reply(state, turn))


def test_recorded_returns_reference() -> None:
    reply = recorded_reply(Turn(user="price?", reference="A haircut is $30."))

    assert reply.text == "A haircut is $30."
    assert reply.flags == []


@pytest.mark.parametrize("reference", [None, "", "   "])
def test_recorded_without_reference_is_empty(reference: str | None) -> None:
    reply = recorded_reply(Turn(user="price?", reference=reference))

    assert reply.is_empty
    assert reply.error is None
    assert reply.flags == [NO_REFERENCE_FLAG]


def test_recorded_rejects_options() -> None:
    with pytest.raises(ConfigError, match="speed"):
        create_adapter("recorded", {"speed": 2})
