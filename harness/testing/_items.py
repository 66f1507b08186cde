"""The pytest nodes of a run config: one item per conversation, grouped by intent, and gate items.

::

    harness.yaml                      RunConfigFile
    ├── pricing                       IntentCollector
    │   ├── pricing-0001              ConversationItem
    │   ├── pricing-0002              ConversationItem
    │   └── gate                      IntentGateItem: acceptance of pricing ≥ its bar
    └── gate                          LaunchGateItem: the launch gate over every intent
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.conversations import Scenario
from harness.errors import ConfigError, HarnessError
from harness.scoring import evaluate_gate, summarize_intents
from harness.testing._render import render_conversation, render_gate, render_intent_gate
from harness.testing._session import SuiteSession
from harness.testing._state import PluginState
from harness.testing._verdicts import ConversationVerdict, collapse, intent_gate_reasons

__all__ = [
    "ConversationFailed",
    "ConversationItem",
    "GateFailed",
    "IntentCollector",
    "IntentGateItem",
    "LaunchGateItem",
    "RunConfigFile",
]

GATE_ITEM = "gate"


class ConversationFailed(AssertionError):
    """A conversation failed its rubric; the message is the transcript with the failed checks."""


class GateFailed(AssertionError):
    """An intent or the whole suite failed the launch gate."""


def _repr_harness_error(excinfo: pytest.ExceptionInfo[BaseException]) -> str | None:
    # Harness errors are for the user to fix, so they read as one line without a traceback.
    if excinfo.errisinstance(ConfigError):
        return f"dm-harness: {excinfo.value.render()}"  # type: ignore[union-attr]
    if excinfo.errisinstance(HarnessError):
        return f"dm-harness: {excinfo.value}"
    if excinfo.errisinstance((ConversationFailed, GateFailed)):
        return str(excinfo.value)
    return None


class RunConfigFile(pytest.File):
    """A run config collected as a test file."""

    def __init__(self, *, state: PluginState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.state = state

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        """Yield one collector per intent, then the launch gate item."""
        suite_session = self.state.session_for(self.path)
        for intent, scenarios in suite_session.suite.by_intent().items():
            yield IntentCollector.from_parent(self, name=intent, suite_session=suite_session, scenarios=scenarios)
        yield LaunchGateItem.from_parent(self, name=GATE_ITEM, suite_session=suite_session)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        """Render a config, scenario, rubric or baseline error as one line."""
        return _repr_harness_error(excinfo) or super().repr_failure(excinfo)


class IntentCollector(pytest.Collector):
    """The conversations of one intent, then the intent's gate item."""

    def __init__(self, *, suite_session: SuiteSession, scenarios: list[Scenario], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite_session = suite_session
        self.scenarios = scenarios

    def collect(self) -> Iterator[pytest.Item]:
        """Yield one item per scenario, then the gate item."""
        for scenario in self.scenarios:
            yield ConversationItem.from_parent(self, name=scenario.id, suite_session=self.suite_session, scenario=scenario)
        yield IntentGateItem.from_parent(
            self, name=GATE_ITEM, suite_session=self.suite_session, intent=self.name, scenarios=self.scenarios
        )


class _HarnessItem(pytest.Item):
    suite_session: SuiteSession

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:  # type: ignore[override]
        """Render verdicts and harness errors as plain text, other errors as pytest does."""
        return _repr_harness_error(excinfo) or super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Locate the item at its run config."""
        return self.path, None, self.nodeid.split("::", 1)[-1]

    def _xfail_known_failure(self, failed_in_baseline: bool, what: str) -> None:
        baseline = self.suite_session.baseline
        if baseline is not None and failed_in_baseline:
            self.user_properties.append(("baseline", "failed"))
            pytest.xfail(f"{what} failed in the baseline too ({baseline.path})")


class ConversationItem(_HarnessItem):
    """One scenario: replayed, scored, and passed or failed by its rubric."""

    def __init__(self, *, suite_session: SuiteSession, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite_session = suite_session
        self.scenario = scenario

    def runtest(self) -> None:
        """Fail when the conversation fails its rubric, unless it failed in the baseline too."""
        verdict = self.suite_session.verdict(self.scenario)
        self._record(verdict)
        if verdict.passed:
            return

        baseline = self.suite_session.baseline
        self._xfail_known_failure(baseline is not None and baseline.conversation_failed(self.scenario.id), "conversation")
        note = ""
        if baseline is not None and self.scenario.id in baseline.conversations:
            note = f"new failure: it passed in the baseline {baseline.path}"
        raise ConversationFailed(render_conversation(verdict, note))

    def _record(self, verdict: ConversationVerdict) -> None:
        # user_properties reach the JUnit XML report as <property> elements.
        result = verdict.result
        self.user_properties.extend(
            [
                ("scenario", self.scenario.id),
                ("intent", self.scenario.intent),
                ("verdict", "pass" if verdict.passed else "fail"),
            ]
        )
        if result.tags:
            self.user_properties.append(("failure_tags", ",".join(result.tags)))
        if len(verdict.replays) > 1:
            self.user_properties.append(("replays_passed", f"{verdict.passed_replays}/{len(verdict.replays)}"))
        if len(verdict.replays) > 1 and verdict.passed:
            # A failure message shows the spread already; a pass shows it with -rP.
            self.add_report_section("call", "dm-harness replays", verdict.spread())


class IntentGateItem(_HarnessItem):
    """The gate of one intent: its acceptance rate against its bar, and no critical failure."""

    def __init__(self, *, suite_session: SuiteSession, intent: str, scenarios: list[Scenario], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite_session = suite_session
        self.intent = intent
        self.scenarios = scenarios

    def runtest(self) -> None:
        """Fail when the intent is gated and fails the gate; skip when it is not gated."""
        rubric = self.suite_session.rubric
        results = collapse(self.suite_session.verdicts(self.scenarios))
        summary = summarize_intents(results, rubric)[0]
        self.user_properties.extend(
            [("intent", self.intent), ("acceptance", f"{summary.acceptance:.4f}"), ("bar", f"{summary.bar:.4f}")]
        )
        if not summary.gated:
            pytest.skip(f"intent {self.intent} is not gated by the rubric")

        reasons = intent_gate_reasons(summary, rubric)
        self.user_properties.append(("verdict", "fail" if reasons else "pass"))
        if not reasons:
            return
        baseline = self.suite_session.baseline
        self._xfail_known_failure(baseline is not None and baseline.intent_failed(self.intent), f"gate of {self.intent}")
        failed = [result for result in results if not result.passed]
        raise GateFailed(render_intent_gate(summary, reasons, failed))


class LaunchGateItem(_HarnessItem):
    """The launch gate over the whole suite: every gated intent meets its bar."""

    def __init__(self, *, suite_session: SuiteSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite_session = suite_session

    def runtest(self) -> None:
        """Fail when the launch gate fails, unless it failed in the baseline too."""
        rubric = self.suite_session.rubric
        results = collapse(self.suite_session.verdicts(self.suite_session.suite.scenarios))
        gate = evaluate_gate(summarize_intents(results, rubric), rubric)
        self.user_properties.append(("verdict", "pass" if gate.passed else "fail"))
        if gate.passed:
            return

        baseline = self.suite_session.baseline
        self._xfail_known_failure(baseline is not None and not baseline.gate_passed, "launch gate")
        raise GateFailed(render_gate(gate))
