"""Measure precision and recall of the redactor on a labelled set of DM messages.

Usage: python3 bench/redaction_quality.py [--data tests/importers/data/redaction_set.jsonl] [--misses]

Each line of the set is ``{"text", "names", "pii": [{"type", "value"}]}``: ``names`` are the
participant names the importer would pass to the redactor, and every occurrence of each
``value`` in ``text`` is a gold span. A gold span counts as found when a redacted span covers
all of its non-space characters (``recall``), and as found with the right placeholder type when
the covering spans have its type (``typed_recall``). A redacted span is correct when it
overlaps a gold span (``precision``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from harness.importers.redaction import Redactor, Span

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "importers" / "data" / "redaction_set.jsonl"


@dataclass
class Tally:
    """Counts of gold spans found and redacted spans that were right, overall and by type."""

    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    typed: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def scores(self) -> dict[str, float]:
        """Return precision, recall and typed recall over all types."""
        gold, predicted = sum(self.gold.values()), sum(self.predicted.values())
        return {
            "precision": sum(self.correct.values()) / predicted if predicted else 1.0,
            "recall": sum(self.found.values()) / gold if gold else 1.0,
            "typed_recall": sum(self.typed.values()) / gold if gold else 1.0,
            "messages": 0,
            "gold_spans": gold,
            "redacted_spans": predicted,
        }


def gold_spans(text: str, pii: list[dict[str, str]]) -> list[tuple[int, int, str]]:
    """Return every occurrence of every labelled value as ``(start, end, type)``."""
    spans = []
    for item in pii:
        start = text.find(item["value"])
        while start >= 0:
            spans.append((start, start + len(item["value"]), item["type"]))
            start = text.find(item["value"], start + 1)
    return sorted(set(spans))


def score_message(record: dict, tally: Tally) -> None:
    """Redact one message and add its gold and redacted spans to the tally."""
    text = record["text"]
    predicted = Redactor(names=record["names"]).find(text)
    gold = gold_spans(text, record["pii"])
    for start, end, kind in gold:
        tally.gold[kind] += 1
        covering = [span for span in predicted if span.start < end and start < span.end]
        if _covers(covering, text, start, end):
            tally.found[kind] += 1
            tally.typed[kind] += all(span.type == kind for span in covering)
        else:
            tally.misses.append(f"missed {kind} {text[start:end]!r} in {text!r}")
    for span in predicted:
        tally.predicted[span.type] += 1
        if any(span.start < end and start < span.end for start, end, _ in gold):
            tally.correct[span.type] += 1
        else:
            tally.misses.append(f"wrongly redacted {span.type} {text[span.start:span.end]!r} in {text!r}")


def _covers(spans: list[Span], text: str, start: int, end: int) -> bool:
    covered = {index for span in spans for index in range(span.start, span.end)}
    return all(index in covered for index in range(start, end) if not text[index].isspace())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled set (JSON lines)")
    parser.add_argument("--misses", action="store_true", help="also list every miss and wrong redaction")
    args = parser.parse_args(argv)

    records = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    tally = Tally()
    for record in records:
        score_message(record, tally)
    result = {**tally.scores(), "messages": len(records)}
    result["by_type"] = {
        kind: {
            "gold": tally.gold[kind],
            "recall": round(tally.found[kind] / tally.gold[kind], 3) if tally.gold[kind] else None,
            "redacted": tally.predicted[kind],
            "precision": round(tally.correct[kind] / tally.predicted[kind], 3) if tally.predicted[kind] else None,
        }
        for kind in sorted(set(tally.gold) | set(tally.predicted))
    }
    json.dump({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}, sys.stdout, indent=2)
    print()
    if args.misses:
        print("\n".join(tally.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
