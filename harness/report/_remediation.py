"""The remediation list: failures grouped by intent and failure tag, ranked by impact.

A group holds the failed conversations of one intent that carry one failure tag. Its impact is
the number of those conversations times the severity weight of the most severe failed check
with that tag (``SEVERITY_WEIGHTS``: critical 10, major 3, minor 1), so ten critical failures
outrank thirty minor ones. A conversation with several tags appears in several groups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from harness.report._clusters import cluster_replies
from harness.rubrics import SEVERITY_WEIGHTS, Rubric
from harness.scoring import BOT_ERROR_TAG, CheckResult, ConversationResult, TurnResult

__all__ = [
    "CLUSTER_MIN_CONVERSATIONS",
    "FIX_AREAS",
    "UNTAGGED",
    "ClusterSummary",
    "FailedCheckSummary",
    "FailingTurn",
    "RemediationGroup",
    "build_remediation",
    "check_fixes",
    "fix_area",
]

CLUSTER_MIN_CONVERSATIONS = 8
"""Groups with at least this many failed conversations get their failing replies clustered."""

MAX_EXAMPLES = 3
MAX_REASONS = 3

UNTAGGED = "untagged"
"""Group tag of failed conversations with no failed check, such as a replay cut short."""

FIX_AREAS: dict[str, str] = {
    "missed_intent": "rule or routing",
    "repetitive_reply": "rule or routing",
    "missing_fact": "copy or prompt",
    "no_next_step": "copy or prompt",
    "off_brand_tone": "copy or prompt",
    "missed_escalation": "escalation policy",
    "needless_escalation": "escalation policy",
    "slow_first_response": "hosting or integration",
    BOT_ERROR_TAG: "hosting or integration",
}
"""The usual fix area of each well-known failure tag."""

DEFAULT_FIX_AREA = "copy or prompt"


@dataclass(frozen=True)
class FailedCheckSummary:
    """One check that failed inside a remediation group."""

    id: str
    dimension: str
    severity: str
    conversations: int
    """Failed conversations of the group in which this check failed at least once."""

    reasons: tuple[str, ...]
    """Up to three distinct reasons, most frequent first."""

    fix: str | None
    """The place to fix a failure of this check, from the check's ``fix`` field in the rubric."""


@dataclass(frozen=True)
class FailingTurn:
    """The first turn of a conversation that failed a check with the group's tag."""

    scenario_id: str
    repeat: int
    turn_index: int
    user: str
    reply: str
    """The bot's reply text, its error, or a note that the reply was empty."""

    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ClusterSummary:
    """A cluster of failing replies that read alike."""

    size: int
    example: FailingTurn


@dataclass(frozen=True)
class RemediationGroup:
    """Failed conversations of one intent with one failure tag."""

    intent: str
    tag: str
    conversations: int
    severity: str
    """Severity of the most severe failed check with this tag."""

    impact: int
    fix_area: str
    """The place to fix these failures. It is the ``fix`` text of the most frequent failed check
    that has one, else the usual area of the tag (copy or prompt, rule or routing, escalation
    policy, hosting or integration)."""

    checks: tuple[FailedCheckSummary, ...]
    examples: tuple[ConversationResult, ...]
    """Two or three failed conversations to read in full."""

    clusters: tuple[ClusterSummary, ...]
    """Clusters of failing replies; empty for groups too small to cluster."""

    scenario_ids: tuple[str, ...]

    @property
    def other_fixes(self) -> tuple[str, ...]:
        """Distinct ``fix`` texts of the failed checks other than :attr:`fix_area`."""
        return tuple(dict.fromkeys(c.fix for c in self.checks if c.fix and c.fix != self.fix_area))


def fix_area(tag: str) -> str:
    """Return the usual fix area of failures with ``tag``."""
    return FIX_AREAS.get(tag, DEFAULT_FIX_AREA)


def check_fixes(rubric: Rubric | None) -> dict[str, str]:
    """Map each check id of ``rubric`` that has a ``fix`` text to that text."""
    if rubric is None:
        return {}
    specs = [spec for block in rubric.dimensions.values() for spec in block.checks]
    for override in rubric.intents.values():
        specs.extend(spec for group in override.checks.values() for spec in group)
    return {spec.id: spec.fix for spec in specs if spec.fix}


def build_remediation(
    results: Sequence[ConversationResult], fixes: Mapping[str, str] | None = None
) -> list[RemediationGroup]:
    """Group the failed conversations by intent and failure tag, highest impact first.

    Args:
        results: Scored conversations, one per scenario (repeats already collapsed).
        fixes: Check id to its rubric ``fix`` text, from :func:`check_fixes`.
    """
    members: dict[tuple[str, str], list[_Failed]] = {}
    for result in results:
        if result.passed:
            continue
        failed = _Failed.of(result)
        for tag in result.tags or [UNTAGGED]:
            members.setdefault((result.intent, tag), []).append(failed)

    groups = [_group(intent, tag, group, fixes or {}) for (intent, tag), group in members.items()]
    groups.sort(key=lambda group: (-group.impact, -group.conversations, group.intent, group.tag))
    return groups


@dataclass(frozen=True)
class _Failed:
    """A failed conversation with the failed checks of each turn, computed once."""

    result: ConversationResult
    turns: tuple[tuple[TurnResult, tuple[CheckResult, ...]], ...]

    @classmethod
    def of(cls, result: ConversationResult) -> _Failed:
        return cls(result, tuple((turn, tuple(c for c in turn.checks if not c.passed)) for turn in result.turns))

    def with_tag(self, tag: str) -> list[CheckResult]:
        return [check for _, checks in self.turns for check in checks if check.tag == tag]


def _group(intent: str, tag: str, members: list[_Failed], fixes: Mapping[str, str]) -> RemediationGroup:
    results = [member.result for member in members]
    failed = [member.with_tag(tag) for member in members]
    severity = _worst_severity(check for checks in failed for check in checks)
    turns = [_failing_turn(member, tag) for member in members]
    clusters = _clusters(turns) if len(results) >= CLUSTER_MIN_CONVERSATIONS else ()
    checks = _check_summaries(failed, fixes)
    return RemediationGroup(
        intent=intent,
        tag=tag,
        conversations=len(results),
        severity=severity,
        impact=len(results) * SEVERITY_WEIGHTS.get(severity, 1),
        # The rubric's word for the most frequent failed check wins over the tag's usual area.
        fix_area=next((check.fix for check in checks if check.fix), fix_area(tag)),
        checks=checks,
        examples=_examples(results, clusters),
        clusters=clusters,
        scenario_ids=tuple(result.scenario_id for result in results),
    )


def _worst_severity(checks: Iterable[CheckResult]) -> str:
    severities = {check.severity for check in checks}
    if not severities:
        return "major"
    return max(severities, key=lambda severity: SEVERITY_WEIGHTS.get(severity, 0))


def _check_summaries(
    failed: list[list[CheckResult]], fixes: Mapping[str, str]
) -> tuple[FailedCheckSummary, ...]:
    first: dict[str, CheckResult] = {}
    conversations: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = {}
    for checks in failed:
        conversations.update({check.id for check in checks})
        for check in checks:
            first.setdefault(check.id, check)
            reasons.setdefault(check.id, Counter())[check.reason] += 1

    summaries = [
        FailedCheckSummary(
            id=check_id,
            dimension=first[check_id].dimension,
            severity=first[check_id].severity,
            conversations=count,
            reasons=tuple(reason for reason, _ in reasons[check_id].most_common(MAX_REASONS) if reason),
            fix=fixes.get(check_id),
        )
        for check_id, count in conversations.most_common()
    ]
    return tuple(summaries)


def _failing_turn(failed: _Failed, tag: str) -> FailingTurn:
    result = failed.result
    if not failed.turns:
        return FailingTurn(result.scenario_id, result.repeat, 0, "", "(no turn was replayed)", ())
    tagged = next(((t, checks) for t, checks in failed.turns if any(c.tag == tag for c in checks)), None)
    # A conversation without a check of this tag (the untagged group) shows its first failed turn.
    turn, checks = tagged or next(((t, c) for t, c in failed.turns if not t.passed), failed.turns[-1])
    reasons = tuple(check.reason for check in checks if check.tag == tag and check.reason)
    return FailingTurn(
        scenario_id=result.scenario_id,
        repeat=result.repeat,
        turn_index=turn.index,
        user=turn.turn.user or turn.turn.title or turn.turn.payload or "",
        reply=_reply_text(turn),
        reasons=reasons or tuple(turn.reasons),
    )


def _reply_text(turn: TurnResult) -> str:
    reply = turn.reply
    if reply.error:
        return f"(bot error: {reply.error})"
    parts = [reply.text, *(f"[{title}]" for title in reply.quick_replies)]
    parts.extend(f"[{button.title}]" for button in reply.buttons)
    if reply.handover:
        parts.append("(handed over to a person)")
    text = " ".join(part for part in parts if part)
    return text or "(empty reply)"


def _clusters(turns: list[FailingTurn]) -> tuple[ClusterSummary, ...]:
    clusters = cluster_replies([turn.reply for turn in turns])
    return tuple(ClusterSummary(size=cluster.size, example=turns[cluster.representative]) for cluster in clusters)


def _examples(
    results: list[ConversationResult], clusters: tuple[ClusterSummary, ...]
) -> tuple[ConversationResult, ...]:
    # With clusters, one example per large cluster shows different failure patterns; without,
    # the first conversations in run order are as good as any.
    by_id = {(result.scenario_id, result.repeat): result for result in results}
    chosen = [by_id[(c.example.scenario_id, c.example.repeat)] for c in clusters[:MAX_EXAMPLES]]
    for result in results:
        if len(chosen) >= MAX_EXAMPLES:
            break
        if all(result is not example for example in chosen):
            chosen.append(result)
    return tuple(chosen)
