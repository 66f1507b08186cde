"""Plain-text failure messages: a transcript with its failed checks, and gate verdicts."""

from __future__ import annotations

from collections.abc import Sequence

from harness.conversations import Reply, Turn
from harness.scoring import CheckResult, ConversationResult, GateResult, IntentSummary, TurnResult
from harness.testing._verdicts import ConversationVerdict

__all__ = [
    "gate_status",
    "render_check",
    "render_conversation",
    "render_gate",
    "render_intent_gate",
    "render_reply",
]

INDENT = "  "


def render_conversation(verdict: ConversationVerdict, note: str = "") -> str:
    """Render a failed conversation: a headline, then every turn with the failed checks."""
    result = verdict.result
    scenario = verdict.scenario
    failed_turns = sum(not turn.passed for turn in result.turns)
    lines = [
        f"conversation {scenario.id} failed: {failed_turns} of {len(scenario.turns)} turns failed "
        f"(intent {scenario.intent}, policy {result.policy})"
    ]
    if note:
        lines.append(note)

    for turn in result.turns:
        lines.extend(_render_turn(turn))
    missing = len(scenario.turns) - len(result.turns)
    if missing > 0:
        lines.append(f"{missing} turn(s) were not replayed")

    if result.tags:
        lines.append(f"failure tags: {', '.join(result.tags)}")
    if len(verdict.replays) > 1:
        lines.extend(_render_replays(verdict))
    return "\n".join(lines)


def _render_turn(turn: TurnResult) -> list[str]:
    verdict = "passed" if turn.passed else "FAILED: " + "; ".join(turn.reasons)
    lines = [f"turn {turn.index + 1} {verdict}"]
    lines.append(f"{INDENT}user: {_render_user(turn.turn)}")
    lines.extend(INDENT + line for line in render_reply(turn.reply))
    if not turn.passed and turn.turn.reference:
        lines.append(f"{INDENT}reference: {turn.turn.reference!r}")
    lines.extend(f"{INDENT}failed check {render_check(check)}" for check in turn.failed_checks)
    return lines


def _render_user(turn: Turn) -> str:
    text = repr(turn.user or turn.title or "")
    if turn.kind == "text":
        return text
    details = [turn.kind]
    if turn.payload:
        details.append(f"payload {turn.payload!r}")
    if turn.story:
        details.append(f"story {turn.story.id}")
    if turn.attachments:
        details.append("attachments " + ", ".join(attachment.type for attachment in turn.attachments))
    return f"[{', '.join(details)}] {text}"


def render_reply(reply: Reply) -> list[str]:
    """Render what the bot sent: one line per bubble, then buttons, handover and errors."""
    if reply.error:
        return [f"bot error: {reply.error}"]
    lines = []
    for message in reply.messages:
        lines.append(f"bot:  {message.text!r}")
        if message.quick_replies:
            lines.append(f"      quick replies: {' | '.join(message.quick_replies)}")
        for button in message.buttons:
            target = button.url or button.payload or ""
            lines.append(f"      button: {button.title} -> {target}")
        if message.attachment_url:
            lines.append(f"      attachment: {message.attachment_url}")
    if not reply.messages:
        lines.append("bot:  (no message)")
    if reply.handover:
        lines.append("      handed over to a person")
    return lines


def render_check(check: CheckResult) -> str:
    """Render one check result as ``id (dimension, severity, tag t): reason``."""
    return f"{check.id} ({check.dimension}, {check.severity}, tag {check.tag}): {check.reason or 'no reason given'}"


def _render_replays(verdict: ConversationVerdict) -> list[str]:
    marks = ", ".join(
        f"#{replay.repeat + 1} {'pass' if replay.passed else 'fail'}"
        for replay in sorted(verdict.replays, key=lambda replay: replay.repeat)
    )
    return [f"replays: {verdict.spread()}", f"{INDENT}{marks}", "the transcript above is the first failing replay"]


def render_intent_gate(summary: IntentSummary, reasons: Sequence[str], failed: Sequence[ConversationResult]) -> str:
    """Render a failed intent gate: why, then each failed conversation with its tags."""
    lines = [f"gate failed for intent {summary.intent}", *(f"{INDENT}{reason}" for reason in reasons)]
    if failed:
        lines.append(f"failed conversations ({len(failed)}):")
        lines.extend(f"{INDENT}{result.scenario_id}: {', '.join(result.tags) or 'no tag'}" for result in failed)
    return "\n".join(lines)


def render_gate(gate: GateResult) -> str:
    """Render the failed launch gate: its reasons, then acceptance per intent against its bar."""
    lines = ["launch gate failed", *(f"{INDENT}{reason}" for reason in gate.reasons), "acceptance per intent:"]
    for intent in gate.intents:
        lines.append(
            f"{INDENT}{intent.intent}: {intent.passed}/{intent.conversations} ({intent.acceptance:.0%}), "
            f"bar {intent.bar:.0%}, {gate_status(intent, 'ok')}"
        )
    return "\n".join(lines)


def gate_status(intent: IntentSummary, meets_bar: str) -> str:
    """Describe an intent's standing at the gate: ``meets_bar``, ``UNDER BAR`` or ``not gated``."""
    if not intent.gated:
        return "not gated"
    return meets_bar if intent.meets_bar else "UNDER BAR"
