"""Comparison of two runs: acceptance per intent and the verdict of each conversation.

Conversations are matched by scenario id, after collapsing repeats the way the gate counts
them. Acceptance per intent comes from each run's summary, so it is the figure the gate used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from harness.report._run_data import RunData
from harness.scoring import ConversationResult, IntentSummary

__all__ = ["ChangeKind", "ConversationChange", "IntentChange", "RunComparison", "compare_runs"]

ChangeKind = Literal["newly_failing", "newly_passing", "still_failing", "still_passing", "added", "removed"]


@dataclass(frozen=True)
class IntentChange:
    """Acceptance of one intent in both runs; ``None`` where the intent is absent."""

    intent: str
    base: float | None
    candidate: float | None
    base_conversations: int
    candidate_conversations: int
    bar: float
    """The candidate's bar for this intent (the base's when the candidate lacks the intent)."""

    @property
    def delta(self) -> float | None:
        """Candidate acceptance minus base acceptance, when the intent is in both runs."""
        if self.base is None or self.candidate is None:
            return None
        return round(self.candidate - self.base, 4)


@dataclass(frozen=True)
class ConversationChange:
    """The verdict of one scenario in both runs."""

    scenario_id: str
    intent: str
    kind: ChangeKind
    base_tags: tuple[str, ...]
    candidate_tags: tuple[str, ...]


@dataclass(frozen=True)
class RunComparison:
    """A candidate run compared with a base run."""

    base_run_id: str
    candidate_run_id: str
    intents: tuple[IntentChange, ...]
    conversations: tuple[ConversationChange, ...]

    def of_kind(self, kind: ChangeKind) -> list[ConversationChange]:
        """Return the conversations whose change is ``kind``, in candidate order."""
        return [change for change in self.conversations if change.kind == kind]

    @property
    def newly_failing(self) -> list[ConversationChange]:
        """Scenarios that passed in the base run and fail in the candidate."""
        return self.of_kind("newly_failing")

    @property
    def newly_passing(self) -> list[ConversationChange]:
        """Scenarios that failed in the base run and pass in the candidate."""
        return self.of_kind("newly_passing")

    @property
    def unchanged(self) -> int:
        """Scenarios with the same verdict in both runs."""
        return len(self.of_kind("still_failing")) + len(self.of_kind("still_passing"))


def compare_runs(base: RunData, candidate: RunData) -> RunComparison:
    """Compare ``candidate`` with ``base``, intent by intent and scenario by scenario."""
    return RunComparison(
        base_run_id=base.run_id,
        candidate_run_id=candidate.run_id,
        intents=tuple(_intent_changes(base.summary.gate.intents, candidate.summary.gate.intents)),
        conversations=tuple(_conversation_changes(base.collapsed, candidate.collapsed)),
    )


def _intent_changes(base: list[IntentSummary], candidate: list[IntentSummary]) -> list[IntentChange]:
    before = {summary.intent: summary for summary in base}
    after = {summary.intent: summary for summary in candidate}
    intents = list(dict.fromkeys([*after, *before]))
    return [_intent_change(intent, before.get(intent), after.get(intent)) for intent in intents]


def _intent_change(intent: str, old: IntentSummary | None, new: IntentSummary | None) -> IntentChange:
    present = new or old
    assert present is not None  # every intent comes from one of the two runs
    return IntentChange(
        intent=intent,
        base=old.acceptance if old else None,
        candidate=new.acceptance if new else None,
        base_conversations=old.conversations if old else 0,
        candidate_conversations=new.conversations if new else 0,
        bar=present.bar,
    )


def _conversation_changes(
    base: list[ConversationResult], candidate: list[ConversationResult]
) -> list[ConversationChange]:
    before = {result.scenario_id: result for result in base}
    after = {result.scenario_id: result for result in candidate}
    changes = [_change(before.get(scenario_id), result) for scenario_id, result in after.items()]
    changes.extend(_change(result, None) for scenario_id, result in before.items() if scenario_id not in after)
    return changes


def _change(old: ConversationResult | None, new: ConversationResult | None) -> ConversationChange:
    present = new or old
    assert present is not None  # callers pass at least one side
    return ConversationChange(
        scenario_id=present.scenario_id,
        intent=present.intent,
        kind=_kind(old, new),
        base_tags=tuple(old.tags) if old else (),
        candidate_tags=tuple(new.tags) if new else (),
    )


def _kind(old: ConversationResult | None, new: ConversationResult | None) -> ChangeKind:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    if old.passed == new.passed:
        return "still_passing" if new.passed else "still_failing"
    return "newly_passing" if new.passed else "newly_failing"
