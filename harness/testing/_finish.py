"""The end of a pytest session: write each run, update baselines, and summarize for the terminal."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.runs import RunOutcome
from harness.scoring import collapse_repeats
from harness.testing._baseline import DEFAULT_BASELINE, baseline_destination, write_baseline
from harness.testing._render import gate_status
from harness.testing._session import SuiteSession
from harness.testing._state import CACHE_KEY, PluginState
from harness.testing._verdicts import ConversationVerdict

__all__ = ["finish_session", "summary_lines"]

logger = logging.getLogger(__name__)

def finish_session(state: PluginState, cache: Any) -> None:
    """Write the run of every config, update baselines, and remember the runs for ``--lf``."""
    last_runs: dict[str, str] = {}
    for path in state.configs():
        try:
            suite_session = state.session_for(path)
        except HarnessError as exc:
            logger.warning("dm-harness: %s: run not written: %s", path, exc)
            continue
        outcome = suite_session.finish()
        if outcome is None:
            continue
        state.outcomes[path] = outcome
        last_runs[str(path)] = str(outcome.folder.path)
        state.reports[path] = _write_report(suite_session, outcome)

    if state.options.update_baseline:
        _update_baselines(state)
    if cache is not None and last_runs:
        cache.set(CACHE_KEY, {**cache.get(CACHE_KEY, {}), **last_runs})


def _write_report(suite_session: SuiteSession, outcome: RunOutcome) -> str:
    # Imported here: only a session that ran conversations pays for the report templates.
    from harness.report import write_outputs
    from harness.runs import RunFolder, record_run

    baseline = suite_session.baseline
    baseline_folder = RunFolder(baseline.path.parent, baseline.path.name) if baseline else None
    try:
        paths = write_outputs(outcome.folder, baseline_folder, rubric=suite_session.rubric)
        record_run(outcome.folder)
    except (HarnessError, OSError) as exc:
        # The verdicts are already in the test report; a broken report must not hide them.
        logger.warning("dm-harness: report of %s not written: %s", outcome.folder.path, exc)
        return f"not written: {exc}"
    return str(paths.report)


def _update_baselines(state: PluginState) -> None:
    reference = state.options.baseline or DEFAULT_BASELINE
    written: dict[Path, Path] = {}
    for path, outcome in state.outcomes.items():
        destination = baseline_destination(reference, state.sessions[path].output)
        if destination in written:
            # Two configs must not overwrite each other's baseline.
            state.baseline_updates[path] = (
                f"not updated: {destination} is the baseline of {written[destination]}; "
                "pass a run id to --dmh-baseline so that each config keeps its own in its output folder"
            )
            continue
        write_baseline(outcome.folder, destination)
        written[destination] = path
        state.baseline_updates[path] = f"updated: {destination}"


def summary_lines(state: PluginState) -> list[str]:
    """Return the terminal summary: per run, the gate, acceptance per intent and the run folder."""
    lines = []
    for path, outcome in state.outcomes.items():
        lines.extend(_run_lines(path, outcome, state.sessions[path]))
        if path in state.reports:
            lines.append(f"  report: {state.reports[path]}")
        if path in state.baseline_updates:
            lines.append(f"  baseline {state.baseline_updates[path]}")
    return lines


def _run_lines(path: Path, outcome: RunOutcome, suite_session: SuiteSession) -> list[str]:
    summary = outcome.summary
    verdict = "passed" if summary.gate.passed else "FAILED"
    accepted = f"{summary.passed}/{summary.conversations} conversations accepted ({summary.acceptance:.0%})"
    if summary.complete:
        lines = [f"{path.name}: launch gate {verdict}, {accepted}"]
    else:
        # A selection (-k, --lf, a node id) replays part of the suite, so its gate is not the launch decision.
        lines = [
            f"{path.name}: partial run, {summary.conversations} of {summary.scenarios} scenarios replayed; "
            f"gate over them {verdict}, {accepted}"
        ]
    for intent in summary.gate.intents:
        lines.append(
            f"  {intent.intent}: {intent.passed}/{intent.conversations} ({intent.acceptance:.0%}), "
            f"bar {intent.bar:.0%}, {gate_status(intent, 'meets bar')}"
        )

    lines.extend(_spread_lines(outcome, suite_session))
    lines.extend(_baseline_lines(outcome, suite_session))
    lines.append(f"  run folder: {outcome.folder.path}")
    return lines


def _spread_lines(outcome: RunOutcome, suite_session: SuiteSession) -> list[str]:
    replays: dict[str, list] = {}
    for result in outcome.results:
        replays.setdefault(result.scenario_id, []).append(result)
    verdicts = [
        ConversationVerdict(group[0].scenario, tuple(group), suite_session.min_pass_rate) for group in replays.values()
    ]
    return [f"  nondeterministic: {v.scenario.id}: {v.spread()}" for v in verdicts if v.nondeterministic]


def _baseline_lines(outcome: RunOutcome, suite_session: SuiteSession) -> list[str]:
    baseline = suite_session.baseline
    if baseline is None:
        return []
    collapsed = collapse_repeats(outcome.results, suite_session.min_pass_rate)
    known = sum(not r.passed and baseline.conversation_failed(r.scenario_id) for r in collapsed)
    new = sum(not r.passed and not baseline.conversation_failed(r.scenario_id) for r in collapsed)
    fixed = sum(r.passed and baseline.conversation_failed(r.scenario_id) for r in collapsed)
    return [f"  against baseline {baseline.path}: {new} new failure(s), {known} known failure(s), {fixed} fixed"]
