"""The run summary (``summary.json``): stable keys that CI, the report and the KPIs read."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from harness.rubrics import Rubric
from harness.scoring import ConversationResult, GateResult, collapse_repeats, evaluate_gate, summarize_intents

__all__ = ["SUMMARY_SCHEMA_VERSION", "LatencySummary", "RunSummary", "summarize_run"]

SUMMARY_SCHEMA_VERSION = 1


class LatencySummary(BaseModel):
    """Bot latency over every answered turn, in milliseconds."""

    model_config = ConfigDict(extra="forbid")

    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    max: float | None = None


class RunSummary(BaseModel):
    """The outcome of one run.

    Keys are stable: ``schema_version`` changes when a key is renamed or removed.
    """

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SUMMARY_SCHEMA_VERSION
    run_id: str
    started_at: datetime
    finished_at: datetime
    complete: bool
    """Every scenario of the suite has a result (false for an interrupted run)."""

    adapter: str
    rubric: dict[str, str]
    """Name, version and path of the rubric."""

    scenarios: int
    """Scenarios in the suite."""

    conversations: int
    """Scored conversations, after collapsing repeats."""

    passed: int
    acceptance: float
    repeats: int = 1
    min_pass_rate: float = 1.0
    gate: GateResult
    dimensions: dict[str, float] = Field(default_factory=dict)
    """Mean score per dimension over every conversation."""

    tags: dict[str, int] = Field(default_factory=dict)
    """Failed conversations per failure tag, most frequent first."""

    bot_errors: int = 0
    """Turns whose bot call failed."""

    turns: int = 0
    latency_ms: LatencySummary = LatencySummary()


def summarize_run(
    results: list[ConversationResult],
    rubric: Rubric,
    *,
    run_id: str,
    adapter: str,
    rubric_path: str,
    scenarios: int,
    started_at: datetime,
    finished_at: datetime,
    repeats: int = 1,
    min_pass_rate: float = 1.0,
) -> RunSummary:
    """Summarize scored conversations into the run summary and the gate decision."""
    collapsed = collapse_repeats(results, min_pass_rate)
    intents = summarize_intents(collapsed, rubric)
    gate = evaluate_gate(intents, rubric)
    passed = sum(result.passed for result in collapsed)
    return RunSummary(
        run_id=run_id,
        started_at=started_at,
        finished_at=finished_at,
        complete=len(collapsed) >= scenarios,
        adapter=adapter,
        rubric={"name": rubric.name, "version": rubric.version, "path": rubric_path},
        scenarios=scenarios,
        conversations=len(collapsed),
        passed=passed,
        acceptance=round(passed / len(collapsed), 4) if collapsed else 0.0,
        repeats=repeats,
        min_pass_rate=min_pass_rate,
        gate=gate,
        dimensions=_mean_scores(collapsed),
        tags=_tag_counts(collapsed),
        bot_errors=sum(result.bot_errors for result in results),
        turns=sum(len(result.turns) for result in results),
        latency_ms=_latency(results),
    )


def _mean_scores(results: list[ConversationResult]) -> dict[str, float]:
    values: dict[str, list[float]] = {}
    for result in results:
        for dimension, score in result.scores.items():
            values.setdefault(dimension, []).append(score)
    return {dimension: round(float(np.mean(v)), 4) for dimension, v in values.items()}


def _tag_counts(results: list[ConversationResult]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for result in results:
        if not result.passed:
            counts.update(set(result.tags))
    return dict(counts.most_common())


def _latency(results: list[ConversationResult]) -> LatencySummary:
    latencies = [
        turn.reply.latency_ms
        for result in results
        for turn in result.turns
        if turn.reply.latency_ms is not None and not turn.reply.error
    ]
    if not latencies:
        return LatencySummary()
    array = np.asarray(latencies)
    return LatencySummary(
        mean=round(float(array.mean()), 1),
        p50=round(float(np.percentile(array, 50)), 1),
        p90=round(float(np.percentile(array, 90)), 1),
        max=round(float(array.max()), 1),
    )
