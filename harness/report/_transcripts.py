"""The transcripts of a run as compact JSON, which the report's script renders page by page.

Rendering thousands of transcripts as HTML would make the report slow to open, so the report
embeds them once as JSON (``<script type="application/json">``) and builds the DOM for one
page at a time with ``textContent``. Keys are short because the blob is most of the file:

``checks``: a table of ``[id, type, dimension, severity, tag]``, referred to by index.
``results``: a table of check results ``[check index, passed, score, reason index]``; the
same result recurs on many turns, so turns refer to it by index.
``reasons``: a table of check reasons, referred to by index.
``dimensions``: the order of the per-turn scores.

``conversations``: failed conversations first, then passed, each in run order:
``id`` scenario id, ``in`` intent, ``po`` policy, ``ok`` passed (1 or 0), ``cr`` critical failure,
``rp`` repeat, ``tg`` failure tags, ``src`` source, ``cmp`` campaign, ``ms`` duration in
milliseconds, ``t`` turns.

A turn has these keys. User side: ``u`` user text, ``k`` kind (absent for text), ``pl``
payload, ``ti`` tapped title, ``at`` attachments as ``[type, url]``, ``st`` story id, ``ref``
reference reply. Bot side: ``m`` messages as ``[text, quick replies, buttons as [title, url,
payload], attachment url]`` with trailing empty fields dropped, ``ln`` links in the text, ``h``
handover, ``lat`` latency in milliseconds, ``err`` bot error. Verdict: ``ok`` turn passed,
``sc`` scores in ``dimensions`` order (null where no check of a dimension applied), ``c``
indexes into ``results``, ``why`` reasons the turn failed. Absent keys mean empty, false or
unknown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.conversations import URL_PATTERN, Message, Turn
from harness.rubrics import DIMENSIONS
from harness.runs import mask_secrets
from harness.scoring import CheckResult, ConversationResult, TurnResult

__all__ = ["transcript_payload"]


def transcript_payload(results: Iterable[ConversationResult]) -> dict[str, Any]:
    """Build the JSON-ready transcripts of ``results`` for the report's script."""
    tables = _Tables()
    ordered = sorted(results, key=lambda result: result.passed)  # sorted() is stable, so run order is kept within each verdict
    return {
        "conversations": [_conversation(result, tables) for result in ordered],
        "checks": [list(key) for key in tables.checks],
        "results": tables.results,
        "reasons": tables.reasons,
        "dimensions": list(DIMENSIONS),
    }


class _Tables:
    """Values that repeat across turns, stored once and referred to by index."""

    def __init__(self) -> None:
        self.checks: dict[tuple[str, ...], int] = {}
        self.results: list[list[Any]] = []
        self._result_index: dict[tuple[Any, ...], int] = {}
        self.reasons: list[str] = [""]
        self._reason_index: dict[str, int] = {"": 0}

    def result(self, check: CheckResult) -> int:
        key = (check.id, check.type, check.dimension, check.severity, check.tag, check.passed, check.score, check.reason)
        index = self._result_index.get(key)
        if index is None:
            spec = self.checks.setdefault(key[:5], len(self.checks))
            index = self._result_index[key] = len(self.results)
            self.results.append([spec, int(check.passed), round(check.score, 2), self.reason(check.reason)])
        return index

    def reason(self, text: str) -> int:
        if text not in self._reason_index:
            # Reasons may quote an adapter's exception, which may hold a credential. Masking
            # each distinct reason once keeps the regex off the hot path.
            self._reason_index[text] = len(self.reasons)
            self.reasons.append(mask_secrets(text))
        return self._reason_index[text]


def _conversation(result: ConversationResult, tables: _Tables) -> dict[str, Any]:
    scenario = result.scenario
    item: dict[str, Any] = {
        "id": scenario.id,
        "in": scenario.intent,
        "po": result.policy,
        "ok": int(result.passed),
        "ms": round(result.duration_ms),
        "t": [_turn(turn, tables) for turn in result.turns],
    }
    _put(item, "cr", result.critical)
    _put(item, "rp", result.repeat)
    _put(item, "tg", result.tags)
    _put(item, "src", scenario.source)
    _put(item, "cmp", scenario.campaign)
    return item


def _turn(turn: TurnResult, tables: _Tables) -> dict[str, Any]:
    item: dict[str, Any] = {"ok": int(turn.passed)}
    _put_user(item, turn.turn)
    reply = turn.reply
    _put(item, "m", [_message(message) for message in reply.messages])
    _put(item, "ln", URL_PATTERN.findall(reply.text))
    _put(item, "h", reply.handover)
    if reply.latency_ms is not None:
        item["lat"] = round(reply.latency_ms)
    _put(item, "err", mask_secrets(reply.error) if reply.error else None)
    if turn.scores:
        item["sc"] = [_rounded(turn.scores.get(dimension)) for dimension in DIMENSIONS]
    _put(item, "c", [tables.result(check) for check in turn.checks])
    _put(item, "why", [mask_secrets(reason) for reason in turn.reasons])
    return item


def _put_user(item: dict[str, Any], turn: Turn) -> None:
    _put(item, "u", turn.user)
    _put(item, "k", None if turn.kind == "text" else turn.kind)
    _put(item, "pl", turn.payload)
    _put(item, "ti", turn.title)
    _put(item, "at", [[attachment.type, attachment.url or ""] for attachment in turn.attachments])
    _put(item, "st", turn.story.id if turn.story else None)
    _put(item, "ref", turn.reference)


def _message(message: Message) -> list[Any]:
    buttons = [[button.title, button.url or "", button.payload or ""] for button in message.buttons]
    fields: list[Any] = [message.text, message.quick_replies, buttons, message.attachment_url or ""]
    while len(fields) > 1 and not fields[-1]:
        fields.pop()
    return fields


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 2)


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}, False, 0):
        item[key] = value
