"""``results.csv``: one row per turn of every replay, ready for ``pandas.read_csv``.

Columns, in order (lists are joined with `` | ``; booleans are ``true``/``false``; a missing
number is an empty cell):

``run_id, scenario_id, intent, policy, source, campaign, repeat, turn`` (1-based),
``user, reference, reply`` (text of every bubble, one per line), ``quick_replies, buttons``
(titles), ``links, handover, latency_ms, error, turn_passed, conversation_passed``,
``score_accuracy, score_tone, score_actionability, score_policy``, ``failed_checks,
failed_tags, reasons``.
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from harness.rubrics import DIMENSIONS
from harness.runs import mask_secrets
from harness.scoring import ConversationResult, TurnResult

__all__ = ["CSV_COLUMNS", "csv_rows", "write_csv"]

LIST_SEPARATOR = " | "

CSV_COLUMNS: tuple[str, ...] = (
    "run_id",
    "scenario_id",
    "intent",
    "policy",
    "source",
    "campaign",
    "repeat",
    "turn",
    "user",
    "reference",
    "reply",
    "quick_replies",
    "buttons",
    "links",
    "handover",
    "latency_ms",
    "error",
    "turn_passed",
    "conversation_passed",
    *(f"score_{dimension}" for dimension in DIMENSIONS),
    "failed_checks",
    "failed_tags",
    "reasons",
)


def write_csv(results: Iterable[ConversationResult], path: Path) -> None:
    """Write one row per turn of ``results`` to ``path`` (UTF-8, header first)."""
    # itemgetter orders each row in C, which is faster than DictWriter's per-key checks.
    in_order = operator.itemgetter(*CSV_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(in_order(row) for row in csv_rows(results))


def csv_rows(results: Iterable[ConversationResult]) -> Iterator[dict[str, Any]]:
    """Yield the CSV rows of ``results`` as dicts keyed by :data:`CSV_COLUMNS`."""
    for result in results:
        for turn in result.turns:
            yield _row(result, turn)


def _row(result: ConversationResult, turn: TurnResult) -> dict[str, Any]:
    reply = turn.reply
    failed = turn.failed_checks
    row: dict[str, Any] = {
        "run_id": result.run_id,
        "scenario_id": result.scenario_id,
        "intent": result.intent,
        "policy": result.policy,
        "source": result.scenario.source or "",
        "campaign": result.scenario.campaign or "",
        "repeat": result.repeat,
        "turn": turn.index + 1,
        "user": turn.turn.user,
        "reference": turn.turn.reference or "",
        "reply": reply.text,
        "quick_replies": LIST_SEPARATOR.join(reply.quick_replies),
        "buttons": LIST_SEPARATOR.join(button.title for button in reply.buttons),
        "links": LIST_SEPARATOR.join(reply.links),
        "handover": _bool(reply.handover),
        "latency_ms": "" if reply.latency_ms is None else round(reply.latency_ms, 1),
        "error": mask_secrets(reply.error or ""),
        "turn_passed": _bool(turn.passed),
        "conversation_passed": _bool(result.passed),
        "failed_checks": LIST_SEPARATOR.join(check.id for check in failed),
        "failed_tags": LIST_SEPARATOR.join(dict.fromkeys(check.tag for check in failed)),
        "reasons": mask_secrets(LIST_SEPARATOR.join(turn.reasons)),
    }
    for dimension in DIMENSIONS:
        score = turn.scores.get(dimension)
        row[f"score_{dimension}"] = "" if score is None else score
    return row


def _bool(value: bool) -> str:
    return "true" if value else "false"
