"""Checks, scores, verdicts and the launch gate."""

from harness.scoring._gate import collapse_repeats, evaluate_gate, summarize_intents
from harness.scoring._registry import (
    CheckContext,
    CheckParams,
    CheckType,
    Outcome,
    available_checks,
    check,
    get_check,
)
from harness.scoring._results import (
    BOT_ERROR_TAG,
    CheckResult,
    ConversationResult,
    GateResult,
    IntentSummary,
    TurnResult,
)
from harness.scoring._scorer import Scorer, check_result

__all__ = [
    "BOT_ERROR_TAG",
    "CheckContext",
    "CheckParams",
    "CheckResult",
    "CheckType",
    "ConversationResult",
    "GateResult",
    "IntentSummary",
    "Outcome",
    "Scorer",
    "TurnResult",
    "available_checks",
    "check",
    "check_result",
    "collapse_repeats",
    "evaluate_gate",
    "get_check",
    "summarize_intents",
]
