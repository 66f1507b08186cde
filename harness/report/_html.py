"""``report.html``: the self-contained remediation report of one run.

The page is rendered from Jinja2 templates with autoescaping, because every user message and
bot reply is untrusted text. It loads nothing from the network: styles, the script and the
charts (SVG) are inline, and a Content-Security-Policy allows only that inline style and
script, by hash, so markup that slipped into the page could neither run nor fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from harness.report._compare import RunComparison
from harness.report._remediation import RemediationGroup
from harness.report._run_data import RunData
from harness.report._transcripts import transcript_payload
from harness.rubrics import DIMENSIONS
from harness.runs import mask_secrets
from harness.scoring import IntentSummary

__all__ = ["CriticalFailure", "render_report", "write_report"]


@dataclass(frozen=True)
class CriticalFailure:
    """A critical check that failed in one intent."""

    intent: str
    check_id: str
    conversations: int
    reason: str
    gated: bool


def render_report(
    run: RunData, remediation: list[RemediationGroup], comparison: RunComparison | None = None
) -> str:
    """Render the report of ``run`` as one HTML document.

    Args:
        run: The finished run.
        remediation: The remediation list, from :func:`build_remediation`.
        comparison: The comparison with a baseline run, shown in its own section.
    """
    environment = _environment()
    script = environment.get_template("_script.js.j2").render()
    style = environment.get_template("_style.css.j2").render()
    return environment.get_template("report.html.j2").render(
        run=run,
        manifest=run.manifest,
        summary=run.summary,
        intents=run.summary.gate.intents,
        under_bar=_under_bar(run),
        critical=_critical_failures(run),
        dimensions=[(d, run.summary.dimensions[d]) for d in DIMENSIONS if d in run.summary.dimensions],
        remediation=remediation,
        comparison=comparison,
        config=json.dumps(mask_secrets(run.manifest.config), indent=2, sort_keys=True),
        data=transcript_payload(run.results),
        script=Markup(script),
        style=Markup(style),
        csp=_content_security_policy(script, style),
    )


def write_report(
    run: RunData, path: Path, remediation: list[RemediationGroup], comparison: RunComparison | None = None
) -> None:
    """Write :func:`render_report` to ``path``."""
    path.write_text(render_report(run, remediation, comparison), encoding="utf-8")


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("harness.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Compact JSON keeps the transcripts blob small; tojson still escapes <, >, & and ' so the
    # blob cannot close its <script> element.
    environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    environment.filters["pct"] = lambda value: "–" if value is None else f"{value:.0%}"
    environment.filters["signed_pct"] = _signed_percent
    environment.filters["mask"] = mask_secrets
    environment.filters["unit_interval"] = _unit_interval
    return environment


def _signed_percent(value: float | None) -> str:
    if value is None:
        return "–"
    points = round(value * 100)
    return f"{points:+d} pts" if points else "±0 pts"


def _unit_interval(value: float | None) -> float:
    # Chart bars take a share in [0, 1]; a missing value draws no bar.
    return 0.0 if value is None else min(max(float(value), 0.0), 1.0)


def _content_security_policy(script: str, style: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _under_bar(run: RunData) -> list[tuple[IntentSummary, int]]:
    # Pairs each gated intent under its bar with how many more passing conversations it needs.
    # The small epsilon keeps 0.8 * 10 (8.000000000000002 in floating point) from rounding up to 9.
    gaps = []
    for summary in run.summary.gate.intents:
        if summary.gated and not summary.meets_bar:
            needed = math.ceil(summary.bar * summary.conversations - 1e-9)
            gaps.append((summary, max(needed - summary.passed, 0)))
    return gaps


def _critical_failures(run: RunData) -> list[CriticalFailure]:
    counts: Counter[tuple[str, str]] = Counter()
    reasons: dict[tuple[str, str], str] = {}
    for result in run.collapsed:
        failed = {(result.intent, c.id): c.reason for t in result.turns for c in t.failed_checks if c.severity == "critical"}
        counts.update(failed.keys())
        for key, reason in failed.items():
            reasons.setdefault(key, reason)

    gated = {summary.intent: summary.gated for summary in run.summary.gate.intents}
    return [
        CriticalFailure(intent, check_id, count, mask_secrets(reasons[(intent, check_id)]), gated.get(intent, False))
        for (intent, check_id), count in counts.most_common()
    ]

