"""The check registry: check types are small pure functions registered by type name.

A check function takes a :class:`CheckContext` (one turn of one conversation with the bot's
reply) and its validated parameters, and returns an :class:`Outcome`. An outcome with
``passed=None`` means the check does not apply to this turn, for example an ``asks_for`` check
on a turn without an expected detail. Such an outcome is left out of the dimension score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from harness.conversations import Policy, Reply, Scenario, Turn

__all__ = [
    "CheckContext",
    "CheckParams",
    "CheckType",
    "Outcome",
    "available_checks",
    "check",
    "get_check",
]

Params = TypeVar("Params", bound=BaseModel)


class CheckParams(BaseModel):
    """Base of every check type's parameters; unknown parameters are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CheckContext:
    """One turn of one conversation with the bot's reply: the input of a check."""

    scenario: Scenario
    turn_index: int
    turn: Turn
    reply: Reply
    previous: tuple[tuple[Turn, Reply], ...] = ()
    """Earlier turns of the same conversation with the bot's replies to them."""

    policy: Policy = "answer"
    """The policy in force for this scenario's intent (the rubric may override the scenario)."""

    similarity: float | None = None
    """Cosine similarity of the reply text to the reference reply, computed for the whole
    conversation in one vectorized pass. ``None`` when the turn has no reference."""

    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def is_last_turn(self) -> bool:
        """True for the last turn of the scenario."""
        return self.turn_index == len(self.scenario.turns) - 1


@dataclass(frozen=True)
class Outcome:
    """The result of one check on one turn."""

    passed: bool | None
    score: float
    reason: str = ""

    @classmethod
    def ok(cls, reason: str = "", score: float = 1.0) -> Outcome:
        """Build a passing outcome."""
        return cls(True, score, reason)

    @classmethod
    def fail(cls, reason: str, score: float = 0.0) -> Outcome:
        """Build a failing outcome."""
        return cls(False, score, reason)

    @classmethod
    def skip(cls, reason: str = "") -> Outcome:
        """Build the outcome of a check that does not apply to this turn."""
        return cls(None, 0.0, reason)


CheckFunction = Callable[[CheckContext, Any], Outcome]


@dataclass(frozen=True)
class CheckType(Generic[Params]):
    """A registered check type."""

    name: str
    function: CheckFunction
    params: type[CheckParams]
    summary: str


_REGISTRY: dict[str, CheckType[Any]] = {}


def check(name: str, params: type[CheckParams] = CheckParams) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under the type name ``name`` with its parameters model."""

    def register(function: CheckFunction) -> CheckFunction:
        doc = (function.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else ""
        _REGISTRY[name] = CheckType(name=name, function=function, params=params, summary=summary)
        return function

    return register


def available_checks() -> dict[str, CheckType[Any]]:
    """Return every registered check type by name."""
    from harness.scoring import checks  # noqa: F401  (registers the built-in types)

    return dict(sorted(_REGISTRY.items()))


def get_check(name: str) -> CheckType[Any] | None:
    """Return the check type ``name``, or None when no check has that name."""
    return available_checks().get(name)
