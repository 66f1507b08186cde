"""``junit.xml``: one test case per conversation, one test suite per intent.

The layout is the JUnit XML that CI systems read (Jenkins, GitLab, GitHub Actions reporters):
``<testsuites>`` contains one ``<testsuite>`` per intent with ``tests``, ``failures``, ``errors``
and ``time``; each ``<testcase>`` is one scenario (repeats collapsed as the gate counts them)
with ``classname`` ``dm_harness.<intent>`` and ``name`` the scenario id. A failed conversation
has one ``<failure>`` whose ``message`` names the failed checks and whose text lists every
failed turn with the user's message, the bot's reply and each failed check's reason.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report._run_data import RunData
from harness.runs import mask_secrets
from harness.scoring import ConversationResult, IntentSummary, TurnResult

__all__ = ["render_junit", "write_junit"]

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold, even escaped; a bot reply may contain them."""

MESSAGE_LIMIT = 500
"""Characters of the failure message; the full detail is in the failure's text."""


def render_junit(run: RunData) -> bytes:
    """Render the run as JUnit XML (UTF-8, with an XML declaration)."""
    by_intent: dict[str, list[ConversationResult]] = {}
    for result in run.collapsed:
        by_intent.setdefault(result.intent, []).append(result)
    summaries = {summary.intent: summary for summary in run.summary.gate.intents}

    root = ET.Element("testsuites", name=f"dm-harness run {run.run_id}")
    for intent, results in by_intent.items():
        root.append(_suite(intent, results, summaries.get(intent), run))
    root.set("tests", str(len(run.collapsed)))
    root.set("failures", str(sum(not result.passed for result in run.collapsed)))
    root.set("errors", "0")
    root.set("time", _seconds(sum(result.duration_ms for result in run.collapsed)))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(run: RunData, path: Path) -> None:
    """Write :func:`render_junit` to ``path``."""
    path.write_bytes(render_junit(run))


def _suite(intent: str, results: list[ConversationResult], summary: IntentSummary | None, run: RunData) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name=_clean(intent),
        tests=str(len(results)),
        failures=str(sum(not result.passed for result in results)),
        errors="0",
        skipped="0",
        time=_seconds(sum(result.duration_ms for result in results)),
        timestamp=min(result.started_at for result in results).replace(tzinfo=None).isoformat(timespec="seconds"),
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in _properties(summary, run).items():
        ET.SubElement(properties, "property", name=name, value=_clean(value))
    for result in results:
        suite.append(_case(result))
    return suite


def _properties(summary: IntentSummary | None, run: RunData) -> dict[str, str]:
    values = {"run_id": run.run_id, "adapter": run.manifest.adapter}
    if summary is not None:
        values.update(
            policy=summary.policy,
            acceptance=f"{summary.acceptance:.4f}",
            bar=f"{summary.bar:.4f}",
            gated=str(summary.gated).lower(),
            meets_bar=str(summary.meets_bar).lower(),
        )
    return values


def _case(result: ConversationResult) -> ET.Element:
    case = ET.Element(
        "testcase",
        classname=_clean(f"dm_harness.{result.intent}"),
        name=_clean(result.scenario_id),
        time=_seconds(result.duration_ms),
    )
    if not result.passed:
        message = _clean(mask_secrets(_message(result)))
        failure = ET.SubElement(case, "failure", message=message, type=_failure_type(result))
        # Reasons of bot errors quote the adapter's exception, which may hold a credential.
        failure.text = _clean(mask_secrets(_details(result)))
    return case


def _failed_check_ids(result: ConversationResult) -> list[str]:
    return list(dict.fromkeys(check.id for turn in result.turns for check in turn.failed_checks))


def _message(result: ConversationResult) -> str:
    checks = _failed_check_ids(result)
    if checks:
        message = f"failed checks: {', '.join(checks)}"
    else:
        message = f"{len(result.turns)} of {len(result.scenario.turns)} turns replayed"
    if result.tags:
        message += f" (tags: {', '.join(result.tags)})"
    return message[:MESSAGE_LIMIT]


def _failure_type(result: ConversationResult) -> str:
    return "critical" if result.critical else "verdict"


def _details(result: ConversationResult) -> str:
    lines = []
    for turn in result.turns:
        if not turn.passed:
            lines.extend(_turn_details(turn))
    if len(result.turns) < len(result.scenario.turns):
        lines.append(f"only {len(result.turns)} of {len(result.scenario.turns)} turns were replayed")
    return "\n".join(lines)


def _turn_details(turn: TurnResult) -> list[str]:
    reply = f"(bot error: {turn.reply.error})" if turn.reply.error else turn.reply.text
    lines = [f"turn {turn.index + 1}", f"  user: {turn.turn.user}", f"  bot: {reply}"]
    lines.extend(f"  reason: {reason}" for reason in turn.reasons)
    lines.extend(
        f"  failed {check.id} ({check.dimension}, {check.severity}, tag {check.tag}): {check.reason}"
        for check in turn.failed_checks
    )
    return lines


def _seconds(milliseconds: float) -> str:
    # CI readers accept plain decimals only (no exponent, no unit).
    return f"{max(milliseconds, 0.0) / 1000:.3f}"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
