"""Applying a rubric to a replayed conversation: check results, scores and verdicts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from harness.conversations import Reply, Scenario, Suite, Turn
from harness.errors import ConfigError
from harness.rubrics import CheckSpec, Rubric
from harness.scoring._registry import CheckContext, CheckType, Outcome, available_checks
from harness.scoring._results import BOT_ERROR_TAG, CheckResult, ConversationResult, TurnResult
from harness.scoring._similarity import ReferenceSimilarity

__all__ = ["Scorer", "check_result"]


class Scorer:
    """Scores replayed conversations against one rubric.

    Args:
        rubric: The loaded rubric.
        suite: The suite being scored; its reference replies fit the similarity space.
    """

    def __init__(self, rubric: Rubric, suite: Suite | None = None) -> None:
        self.rubric = rubric
        self._suite = suite
        self._similarity: ReferenceSimilarity | None = None
        registry = available_checks()
        unknown = sorted(_types_used(rubric) - set(registry))
        if unknown:
            # load_rubric() reports this with file:line; a rubric built in code lands here.
            raise ConfigError(
                f"unknown check type {unknown[0]!r} in rubric {rubric.name!r}",
                fix=f"use one of: {', '.join(registry)}",
            )
        self._types: dict[str, CheckType] = {name: registry[name] for name in _types_used(rubric)}
        self._params = {
            spec.id: self._types[spec.type].params.model_validate(spec.params)
            for _, spec in _all_specs(rubric)
        }
        # Fitting the TF-IDF space takes seconds on a large suite, plus the scikit-learn
        # import. A rubric without a check that reads the similarity skips both.
        self._needs_similarity = any(_reads_similarity(check_type) for check_type in self._types.values())
        if self._needs_similarity:
            # Fitted now, before the replay, so the first scored conversation does not stall it.
            _ = self.similarity

    @property
    def similarity(self) -> ReferenceSimilarity:
        """The TF-IDF space of the suite's reference replies, fitted on first use."""
        if self._similarity is None:
            scenarios = self._suite.scenarios if self._suite else []
            self._similarity = ReferenceSimilarity(
                turn.reference or "" for scenario in scenarios for turn in scenario.turns
            )
        return self._similarity

    def policy_for(self, scenario: Scenario) -> str:
        """Return the policy in force: the rubric's override for the intent, else the scenario's."""
        override = self.rubric.intents.get(scenario.intent)
        return override.policy if override and override.policy else scenario.policy

    def score(
        self,
        scenario: Scenario,
        replies: Sequence[Reply],
        *,
        run_id: str,
        started_at: datetime,
        duration_ms: float,
        repeat: int = 0,
    ) -> ConversationResult:
        """Score one replayed conversation (one reply per scenario turn, in order)."""
        policy = self.policy_for(scenario)
        turns = list(scenario.turns[: len(replies)])
        similarities = self._similarities(replies, turns)
        specs = self.rubric.checks_for(scenario.intent)

        results: list[TurnResult] = []
        for index, (turn, reply) in enumerate(zip(turns, replies)):
            context = CheckContext(
                scenario=scenario,
                turn_index=index,
                turn=turn,
                reply=reply,
                previous=tuple(zip(turns[:index], replies[:index])),
                policy=policy,  # type: ignore[arg-type]
                similarity=similarities[index],
            )
            results.append(self._score_turn(context, specs))
        return _conversation(scenario, policy, results, run_id, started_at, duration_ms, repeat)

    def _similarities(self, replies: Sequence[Reply], turns: list[Turn]) -> list[float | None]:
        if not self._needs_similarity:
            return [None] * len(turns)
        return self.similarity.pairwise([reply.text for reply in replies], [turn.reference for turn in turns])

    def _score_turn(self, context: CheckContext, specs: list[tuple[str, CheckSpec]]) -> TurnResult:
        reply = context.reply
        if reply.error:
            return _failed_turn(context.turn_index, context.turn, reply)

        checks = []
        for dimension, spec in specs:
            if not _applies(spec, context):
                continue
            outcome = self._types[spec.type].function(context, self._params[spec.id])
            if outcome.passed is None:
                continue
            checks.append(check_result(dimension, spec, outcome))
        scores = _dimension_scores(checks)
        reasons = self._reasons(context.scenario.intent, scores, checks)
        return TurnResult(
            index=context.turn_index,
            turn=context.turn,
            reply=reply,
            checks=checks,
            scores=scores,
            passed=not reasons,
            reasons=reasons,
        )

    def _reasons(self, intent: str, scores: dict[str, float], checks: list[CheckResult]) -> list[str]:
        reasons = [
            f"critical check {result.id} failed: {result.reason}"
            for result in checks
            if not result.passed and result.severity == "critical"
        ]
        for dimension, score in scores.items():
            minimum = self.rubric.min_score(intent, dimension)
            if score < minimum:
                failed = ", ".join(r.id for r in checks if r.dimension == dimension and not r.passed)
                reasons.append(f"{dimension} {score:.2f} < {minimum:.2f} ({failed})")
        return reasons


def _reads_similarity(check_type: CheckType) -> bool:
    # Of the built-in checks only ``similarity`` reads CheckContext.similarity; a check from
    # a plugin might, so it gets the fitted space as before.
    builtin = check_type.function.__module__.startswith("harness.scoring.checks.")
    return check_type.name == "similarity" or not builtin


def check_result(dimension: str, spec: CheckSpec, outcome: Outcome) -> CheckResult:
    """Record the outcome of a check that applied (``outcome.passed`` is not None)."""
    assert outcome.passed is not None
    return CheckResult(
        id=spec.id,
        type=spec.type,
        dimension=dimension,
        severity=spec.severity,
        tag=spec.tag,
        weight=spec.weight,
        passed=outcome.passed,
        score=round(outcome.score, 4),
        reason=outcome.reason,
    )


def _types_used(rubric: Rubric) -> set[str]:
    return {spec.type for _, spec in _all_specs(rubric)}


def _all_specs(rubric: Rubric) -> list[tuple[str, CheckSpec]]:
    pairs = [(dim, spec) for dim, block in rubric.dimensions.items() for spec in block.checks]
    for override in rubric.intents.values():
        pairs.extend((dim, spec) for dim, specs in override.checks.items() for spec in specs)
    return pairs


def _applies(spec: CheckSpec, context: CheckContext) -> bool:
    if spec.turns == "first":
        return context.turn_index == 0
    if spec.turns == "last":
        return context.is_last_turn
    return True


def _dimension_scores(checks: list[CheckResult]) -> dict[str, float]:
    totals: dict[str, list[float]] = {}
    for result in checks:
        weighted, weights = totals.setdefault(result.dimension, [0.0, 0.0])
        totals[result.dimension] = [weighted + result.weight * result.score, weights + result.weight]
    return {dim: round(weighted / weights, 4) for dim, (weighted, weights) in totals.items()}


def _failed_turn(index: int, turn: Turn, reply: Reply) -> TurnResult:
    error = CheckResult(
        id=BOT_ERROR_TAG,
        type=BOT_ERROR_TAG,
        dimension="accuracy",
        severity="major",
        tag=BOT_ERROR_TAG,
        weight=1.0,
        passed=False,
        score=0.0,
        reason=reply.error or "bot error",
    )
    return TurnResult(
        index=index,
        turn=turn,
        reply=reply,
        checks=[error],
        scores={"accuracy": 0.0},
        passed=False,
        reasons=[f"bot error: {reply.error}"],
    )


def _conversation(
    scenario: Scenario,
    policy: str,
    turns: list[TurnResult],
    run_id: str,
    started_at: datetime,
    duration_ms: float,
    repeat: int,
) -> ConversationResult:
    failed = [check for turn in turns for check in turn.failed_checks]
    tags = [tag for tag, _ in Counter(check.tag for check in failed).most_common()]
    scores: dict[str, list[float]] = {}
    for turn in turns:
        for dimension, value in turn.scores.items():
            scores.setdefault(dimension, []).append(value)
    return ConversationResult(
        run_id=run_id,
        scenario=scenario,
        policy=policy,
        turns=turns,
        passed=all(turn.passed for turn in turns) and len(turns) == len(scenario.turns),
        critical=any(check.severity == "critical" for check in failed),
        scores={dim: round(sum(v) / len(v), 4) for dim, v in scores.items()},
        tags=tags,
        repeat=repeat,
        started_at=started_at,
        duration_ms=round(duration_ms, 1),
    )
