"""Builders of scored conversations and run folders for the report tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness.conversations import Button, Message, Reply, Scenario, Turn
from harness.rubrics import DimensionSpec, GateSpec, Rubric
from harness.runs import RunFolder, RunManifest, summarize_run
from harness.scoring import CheckResult, ConversationResult, TurnResult

STARTED = datetime(2026, 12, 4, 19, 47, tzinfo=UTC)

RUBRIC = Rubric(
    version="3",
    name="test-rubric",
    dimensions={"accuracy": DimensionSpec(), "actionability": DimensionSpec(), "policy": DimensionSpec()},
    gate=GateSpec(min_acceptance=0.8),
)


def check_result(check_id: str, passed: bool, *, tag: str = "missing_fact", severity: str = "major",
                 dimension: str = "accuracy", reason: str = "") -> CheckResult:
    """Build one check result."""
    return CheckResult(
        id=check_id, type=check_id, dimension=dimension, severity=severity, tag=tag,
        weight=1.0, passed=passed, score=1.0 if passed else 0.0, reason=reason,
    )


def conversation(
    scenario_id: str,
    intent: str = "pricing",
    *,
    failed: list[CheckResult] | None = None,
    reply: str | Reply = "Our haircut costs $30. Book here: https://example.com/book",
    user: str = "how much is a haircut?",
    run_id: str = "run-a",
    repeat: int = 0,
    turns: int = 1,
) -> ConversationResult:
    """Build a scored conversation whose last turn fails the ``failed`` checks."""
    failed = failed or []
    scenario = Scenario(
        id=scenario_id, intent=intent, policy="answer", source="dm", campaign="spring",
        turns=[Turn(user=user, reference="A haircut is $30.") for _ in range(turns)],
    )
    reply_value = reply if isinstance(reply, Reply) else Reply.from_text(reply, latency_ms=420.0)
    turn_results = []
    for index in range(turns):
        last = index == turns - 1
        checks = [check_result("price_stated", True), *(failed if last else [])]
        turn_results.append(
            TurnResult(
                index=index, turn=scenario.turns[index], reply=reply_value, checks=checks,
                scores={"accuracy": 0.0 if (last and failed) else 1.0},
                passed=not (last and failed),
                reasons=[f"accuracy 0.00 < 0.50 ({', '.join(c.id for c in failed)})"] if last and failed else [],
            )
        )
    tags = list(dict.fromkeys(check.tag for check in failed))
    return ConversationResult(
        run_id=run_id, scenario=scenario, policy="answer", turns=turn_results, passed=not failed,
        critical=any(check.severity == "critical" for check in failed),
        scores={"accuracy": 0.0 if failed else 1.0}, tags=tags, repeat=repeat,
        started_at=STARTED + timedelta(seconds=1), duration_ms=812.5,
    )


def write_run(
    output: Path, results: list[ConversationResult], run_id: str = "run-a", *,
    config: dict[str, Any] | None = None, rubric: Rubric = RUBRIC, rubric_path: str = "",
) -> RunFolder:
    """Write a finished run folder (manifest, results, summary) under ``output``."""
    results = [result.model_copy(update={"run_id": run_id}) for result in results]
    folder = RunFolder(output, run_id)
    folder.create(
        RunManifest(
            run_id=run_id, created_at=STARTED, harness_version="0.1.0",
            config=config or {"adapter": {"name": "python", "options": {}}},
            adapter="python", rubric={"name": rubric.name, "version": rubric.version, "path": rubric_path},
        )
    )
    with folder.open_results() as handle:
        for result in results:
            folder.append(result, handle)
    scenarios = len({result.scenario_id for result in results})
    folder.write_summary(
        summarize_run(
            results, rubric, run_id=run_id, adapter="python", rubric_path=rubric_path,
            scenarios=scenarios, started_at=STARTED, finished_at=STARTED + timedelta(minutes=1),
        )
    )
    return folder


XSS_TEXTS = (
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "javascript:window.__pwned=3",
)


def mixed_results() -> list[ConversationResult]:
    """A small run: passing and failing conversations over two intents, one hostile reply."""
    hostile = Reply(
        messages=[
            Message(
                text=f"{XSS_TEXTS[0]} {XSS_TEXTS[1]}",
                quick_replies=["<b>bold</b>"],
                buttons=[Button(title="Open <i>me</i>", url="javascript:window.__pwned=3")],
            )
        ],
        latency_ms=300.0,
    )
    results = [conversation(f"pricing-{i:04d}") for i in range(1, 7)]
    results += [
        conversation("pricing-0007", failed=[check_result("price_stated", False, reason="no price given")],
                     reply="Please DM us later."),
        conversation("pricing-0008", failed=[check_result("cta", False, tag="no_next_step", dimension="actionability",
                                                          reason="no link, button or question")]),
        conversation("support-0001", "support", failed=[check_result("escalate", False, tag="missed_escalation",
                     severity="critical", dimension="policy", reason="did not hand over")], user=XSS_TEXTS[1]),
        conversation("support-0002", "support", reply=hostile, user=XSS_TEXTS[0],
                     failed=[check_result("cta", False, tag="no_next_step", reason="only a javascript: link")]),
        conversation("support-0003", "support"),
    ]
    return results
