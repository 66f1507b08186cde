"""Scored results: check results, turn and conversation verdicts, intent and run summaries.

These records are what a run writes (``results.jsonl``, one ConversationResult per line, and
``summary.json``), and what the report, the comparison, the KPIs and the calibration read.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from harness.conversations import Reply, Scenario, Turn

__all__ = [
    "BOT_ERROR_TAG",
    "CheckResult",
    "ConversationResult",
    "GateResult",
    "IntentSummary",
    "TurnResult",
]

BOT_ERROR_TAG = "bot_error"


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckResult(_Result):
    """One check applied to one reply."""

    id: str
    type: str
    dimension: str
    severity: str
    tag: str
    weight: float
    passed: bool
    score: float
    reason: str = ""


class TurnResult(_Result):
    """One turn: the user's message, the bot's reply and its verdict."""

    index: int
    turn: Turn
    reply: Reply
    checks: list[CheckResult] = Field(default_factory=list)
    scores: dict[str, float] = Field(default_factory=dict)
    """Weighted score per dimension, over the checks that applied."""

    passed: bool
    reasons: list[str] = Field(default_factory=list)
    """Why the turn failed: dimensions under their minimum, failed critical checks, bot errors."""

    @property
    def failed_checks(self) -> list[CheckResult]:
        """Checks that failed on this turn."""
        return [result for result in self.checks if not result.passed]


class ConversationResult(_Result):
    """One replayed and scored conversation: a line of ``results.jsonl``."""

    run_id: str
    scenario: Scenario
    policy: str
    """The policy in force (the rubric can override the scenario's)."""

    turns: list[TurnResult]
    passed: bool
    critical: bool = False
    """At least one critical check failed."""

    scores: dict[str, float] = Field(default_factory=dict)
    """Mean of the turn scores per dimension."""

    tags: list[str] = Field(default_factory=list)
    """Failure tags of every failed check, most frequent first."""

    repeat: int = 0
    """Index of this replay when a scenario is replayed several times."""

    started_at: datetime
    duration_ms: float

    @property
    def scenario_id(self) -> str:
        """Id of the replayed scenario."""
        return self.scenario.id

    @property
    def intent(self) -> str:
        """Intent of the replayed scenario."""
        return self.scenario.intent

    @property
    def bot_errors(self) -> int:
        """Number of turns whose bot call failed."""
        return sum(1 for turn in self.turns if turn.reply.error)


class IntentSummary(_Result):
    """Acceptance of one intent against its bar."""

    intent: str
    policy: str
    conversations: int
    passed: int
    acceptance: float
    bar: float
    gated: bool
    meets_bar: bool
    critical_failures: int
    scores: dict[str, float] = Field(default_factory=dict)
    tags: dict[str, int] = Field(default_factory=dict)
    """Failed conversations per failure tag."""


class GateResult(_Result):
    """The launch decision."""

    passed: bool
    reasons: list[str] = Field(default_factory=list)
    """Why the gate failed, one sentence per intent under its bar or critical failure."""

    intents: list[IntentSummary] = Field(default_factory=list)
