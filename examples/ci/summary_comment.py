"""Render the summary of a dm-harness run as Markdown, for a pull request comment.

Usage: python summary_comment.py RUN_OR_OUTPUT [--artifact-url URL]

RUN_OR_OUTPUT is a run folder (it holds summary.json) or a folder of run folders, in which
case the newest run is used (run ids sort by time).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.runs import RunSummary

MARKER = "<!-- dm-harness summary -->"
"""Lets a CI job find and replace its own earlier comment."""


def newest_summary(path: Path) -> Path:
    """Return the summary.json of the run folder ``path``, or of the newest run inside it."""
    if (path / "summary.json").is_file():
        return path / "summary.json"
    summaries = sorted(path.glob("*/summary.json"))
    if not summaries:
        raise SystemExit(f"no summary.json in {path} or in its run folders; did the run finish?")
    return summaries[-1]


def render(summary: RunSummary, artifact_url: str | None) -> str:
    """Render the gate verdict, acceptance per intent and the top failure tags."""
    verdict = "passed :white_check_mark:" if summary.gate.passed else "failed :x:"
    lines = [
        MARKER,
        f"### dm-harness launch gate {verdict}",
        f"{summary.passed}/{summary.conversations} conversations accepted ({summary.acceptance:.0%}), run `{summary.run_id}`",
        "",
        "| intent | accepted | rate | bar | gate |",
        "|---|---:|---:|---:|---|",
    ]
    for intent in summary.gate.intents:
        gate = "not gated"
        if intent.gated:
            gate = "pass" if intent.meets_bar else "**fail**"
        lines.append(
            f"| {_cell(intent.intent)} | {intent.passed}/{intent.conversations} | {intent.acceptance:.0%} | {intent.bar:.0%} | {gate} |"
        )
    lines.extend(["", *(f"- {reason}" for reason in summary.gate.reasons), ""])
    if summary.tags:
        top = ", ".join(f"`{tag}` ({count})" for tag, count in list(summary.tags.items())[:5])
        lines.extend([f"Top failure tags: {top}", ""])
    if artifact_url:
        lines.append(f"HTML report: {artifact_url}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # Intent names come from scenario files; a pipe would split the table cell.
    return text.replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    """Print the Markdown summary of the newest run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a run folder, or the folder that holds run folders")
    parser.add_argument("--artifact-url", help="where the CI job uploaded the HTML report")
    args = parser.parse_args(argv)

    summary = RunSummary.model_validate_json(newest_summary(args.path).read_text(encoding="utf-8"))
    sys.stdout.write(render(summary, args.artifact_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
