"""The benchmark inputs: the single-turn suite, the three-check rubric and the run configs.

The 2,000 single-turn scenarios are real customer messages from banking77 (PolyAI,
CC BY 4.0), one scenario per message, in file order; the multi-turn suite is the bundled
``scenarios/`` folder (400 SGD conversations).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "BANKING77",
    "BUNDLED_SCENARIOS",
    "CHECKS",
    "REPO",
    "bench_rubric",
    "count_turns",
    "harness_config",
    "write_single_turn_suite",
    "write_yaml",
]

REPO = Path(__file__).resolve().parent.parent
BUNDLED_SCENARIOS = REPO / "scenarios"
BANKING77 = REPO.parent / "shared" / "data" / "banking77"

CHECKS: dict[str, Any] = {
    "contains": "thanks",
    "regex": r"REF-\d+",
    "max_chars": 640,
}
"""The three assertions both tools apply to every reply: a case-insensitive phrase, a
case-sensitive pattern, and a length between 1 and ``max_chars`` characters."""


def write_single_turn_suite(folder: Path, count: int, *, data: Path = BANKING77) -> Path:
    """Write ``count`` one-turn scenarios from banking77 messages to ``folder/single.jsonl``.

    Raises:
        FileNotFoundError: The banking77 files are not there.
        ValueError: The files hold fewer than ``count`` messages.
    """
    texts = _banking77_rows(data)
    if len(texts) < count:
        raise ValueError(f"banking77 has {len(texts)} messages, fewer than the {count} asked for")

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "single.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for number, (text, category) in enumerate(texts[:count], start=1):
            scenario = {
                "id": f"b77-{number:05d}",
                "intent": category,
                "policy": "answer",
                "source": "dm",
                "turns": [{"user": text}],
            }
            handle.write(json.dumps(scenario) + "\n")
    return path


def _banking77_rows(data: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name in ("train.csv", "test.csv"):
        with (data / name).open(encoding="utf-8", newline="") as handle:
            rows.extend((row["text"].strip(), row["category"]) for row in csv.DictReader(handle) if row["text"].strip())
    return rows


def bench_rubric() -> dict[str, Any]:
    """Return the rubric with the three checks that promptfoo can express too."""
    checks = [
        {
            "id": "says_thanks",
            "type": "contains",
            "params": {"phrases": [CHECKS["contains"]], "case_sensitive": False, "whole_words": False},
            "tag": "missing_fact",
        },
        {
            "id": "has_reference",
            "type": "regex",
            "params": {"pattern": CHECKS["regex"], "ignore_case": False},
            "tag": "missing_fact",
        },
        {
            "id": "short_reply",
            "type": "length",
            "params": {"min_chars": 1, "max_chars": CHECKS["max_chars"]},
            "tag": "off_brand_tone",
        },
    ]
    return {
        "version": "1",
        "name": "bench",
        "dimensions": {"accuracy": {"min_score": 1.0, "checks": checks}},
        "gate": {"min_acceptance": 0.8},
    }


def harness_config(
    scenarios: list[Path], *, url: str, concurrency: int, output: Path, rubric: Path | None
) -> dict[str, Any]:
    """Return a run config that replays ``scenarios`` through the bench bot's HTTP endpoint."""
    body = '{"conversation_id": {{ conversation_id | tojson }}, "turn_index": {{ turn_index }}, "text": {{ text | tojson }}}'
    config: dict[str, Any] = {
        "scenarios": [str(path) for path in scenarios],
        "adapter": {
            "name": "http",
            "options": {"url": url, "body": body, "reply_path": "reply", "max_connections": concurrency},
        },
        "replay": {"concurrency": concurrency, "timeout_s": 30, "retries": 0},
        "output": str(output),
    }
    if rubric is not None:
        config["rubric"] = str(rubric)
    return config


def write_yaml(path: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` as YAML and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def count_turns(paths: list[Path]) -> tuple[int, int]:
    """Return (scenarios, turns) in the scenario files and folders ``paths``."""
    from harness.conversations import load_suite

    suite = load_suite(paths)
    return len(suite.scenarios), sum(len(scenario.turns) for scenario in suite.scenarios)

