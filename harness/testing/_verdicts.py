"""Verdicts as the pytest items see them: one scenario over its replays, and one intent's gate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.conversations import Scenario
from harness.rubrics import Rubric
from harness.scoring import ConversationResult, IntentSummary, collapse_repeats

__all__ = ["ConversationVerdict", "collapse", "intent_gate_reasons"]


@dataclass(frozen=True)
class ConversationVerdict:
    """A scenario's replays and the verdict they add up to.

    With one replay the verdict is that replay's. With N replays the scenario passes when at
    least ``min_pass_rate`` of them passed, as :func:`harness.scoring.collapse_repeats` decides.
    """

    scenario: Scenario
    replays: tuple[ConversationResult, ...]
    min_pass_rate: float = 1.0

    @property
    def result(self) -> ConversationResult:
        """The result that stands for the scenario: its first failing replay, else its first."""
        return collapse_repeats(self.replays, self.min_pass_rate)[0]

    @property
    def passed(self) -> bool:
        """True when the scenario passes."""
        return self.result.passed

    @property
    def passed_replays(self) -> int:
        """Number of replays that passed."""
        return sum(replay.passed for replay in self.replays)

    @property
    def nondeterministic(self) -> bool:
        """True when some replays passed and some failed."""
        return 0 < self.passed_replays < len(self.replays)

    def spread(self) -> str:
        """Describe the replays, such as ``3 of 5 replays passed (60%); at least 80% must pass``."""
        total = len(self.replays)
        rate = self.passed_replays / total
        return f"{self.passed_replays} of {total} replays passed ({rate:.0%}); at least {self.min_pass_rate:.0%} must pass"


def collapse(verdicts: Sequence[ConversationVerdict]) -> list[ConversationResult]:
    """Return the standing result of every verdict, in order."""
    return [verdict.result for verdict in verdicts]


def intent_gate_reasons(summary: IntentSummary, rubric: Rubric) -> list[str]:
    """Return why one gated intent fails the gate; empty when it passes.

    These are the per-intent conditions of :func:`harness.scoring.evaluate_gate`: the
    acceptance rate under the intent's bar, and a critical failure when the rubric's gate
    fails on critical failures.
    """
    reasons = []
    if not summary.meets_bar:
        reasons.append(
            f"{summary.intent}: acceptance {summary.acceptance:.0%} ({summary.passed}/{summary.conversations}) "
            f"is under its bar {summary.bar:.0%}"
        )
    if rubric.gate.fail_on_critical and summary.critical_failures:
        reasons.append(f"{summary.intent}: {summary.critical_failures} conversation(s) with a critical failure")
    return reasons
