"""Per-intent acceptance rates and the launch gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from harness.rubrics import Rubric
from harness.scoring._results import ConversationResult, GateResult, IntentSummary

__all__ = ["collapse_repeats", "evaluate_gate", "summarize_intents"]


def collapse_repeats(
    results: Iterable[ConversationResult], min_pass_rate: float = 1.0
) -> list[ConversationResult]:
    """Reduce several replays of one scenario to one result.

    A scenario replayed N times passes when at least ``min_pass_rate`` of its replays passed;
    the first failing replay (or the first replay, when it passes) represents it.
    """
    groups: dict[str, list[ConversationResult]] = {}
    for result in results:
        groups.setdefault(result.scenario_id, []).append(result)

    collapsed = []
    for replays in groups.values():
        if len(replays) == 1:
            collapsed.append(replays[0])
            continue
        rate = sum(r.passed for r in replays) / len(replays)
        failing = [r for r in replays if not r.passed]
        representative = failing[0] if failing else replays[0]
        collapsed.append(representative.model_copy(update={"passed": rate >= min_pass_rate}))
    return collapsed


def summarize_intents(results: Iterable[ConversationResult], rubric: Rubric) -> list[IntentSummary]:
    """Compute acceptance, scores and failure tags per intent, in first-seen order."""
    groups: dict[str, list[ConversationResult]] = {}
    for result in results:
        groups.setdefault(result.intent, []).append(result)
    return [_summarize(intent, group, rubric) for intent, group in groups.items()]


def _summarize(intent: str, group: list[ConversationResult], rubric: Rubric) -> IntentSummary:
    passed = sum(result.passed for result in group)
    acceptance = passed / len(group)
    bar = rubric.bar(intent)
    tags: Counter[str] = Counter()
    for result in group:
        if not result.passed:
            tags.update(set(result.tags))
    scores: dict[str, list[float]] = {}
    for result in group:
        for dimension, value in result.scores.items():
            scores.setdefault(dimension, []).append(value)
    return IntentSummary(
        intent=intent,
        policy=group[0].policy,
        conversations=len(group),
        passed=passed,
        acceptance=round(acceptance, 4),
        bar=bar,
        gated=rubric.is_gated(intent),
        meets_bar=acceptance >= bar,
        critical_failures=sum(result.critical for result in group),
        scores={dim: round(sum(v) / len(v), 4) for dim, v in scores.items()},
        tags=dict(tags.most_common()),
    )


def evaluate_gate(summaries: list[IntentSummary], rubric: Rubric) -> GateResult:
    """Decide the launch: every gated intent meets its bar, and no gated critical failure."""
    reasons = []
    gated = [summary for summary in summaries if summary.gated]
    missing = [intent for intent in rubric.gate.intents if intent not in {s.intent for s in summaries}]
    for intent in missing:
        reasons.append(f"{intent}: gated intent has no conversations in this run")
    for summary in gated:
        if not summary.meets_bar:
            reasons.append(
                f"{summary.intent}: acceptance {summary.acceptance:.0%} is under its bar {summary.bar:.0%}"
            )
        if rubric.gate.fail_on_critical and summary.critical_failures:
            reasons.append(
                f"{summary.intent}: {summary.critical_failures} conversation(s) with a critical failure"
            )
    if not gated and not missing:
        reasons.append("no gated intent in this run")
    return GateResult(passed=not reasons, reasons=reasons, intents=summaries)
