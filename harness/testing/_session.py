"""One run config inside a pytest session: its suite, its run folder and its replays.

Every pytest process (the only one, or each xdist worker) keeps one :class:`SuiteSession` per
collected run config. The processes of a session share one run folder,
``<output>/<session token>-<config digest>/``, whose :class:`ResultStore` makes sure each
scenario is replayed once. The process that ends the session (the only one, or the xdist
controller) calls :meth:`SuiteSession.finish`, which writes ``results.jsonl`` and
``summary.json`` as ``dm-harness run`` does.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from harness.conversations import Scenario
from harness.errors import ConfigError
from harness.runs import (
    RunConfig,
    RunFolder,
    RunManifest,
    RunOutcome,
    RunSummary,
    load_inputs,
    load_run_config,
    summarize_run,
)
from harness.runs import build_manifest
from harness.scoring import ConversationResult
from harness.testing._baseline import Baseline, find_baseline, load_baseline
from harness.testing._claims import ClaimQueue
from harness.testing._replayer import Replayer
from harness.testing._state import PluginOptions
from harness.testing._store import ResultStore
from harness.testing._verdicts import ConversationVerdict

__all__ = ["SuiteSession", "run_id_for", "with_options"]

logger = logging.getLogger(__name__)

STORE_DIR = ".pytest-results"


def run_id_for(token: str, config_path: Path) -> str:
    """Return the run id of one config in one session: the session token and a path digest."""
    digest = hashlib.sha256(str(config_path.resolve()).encode()).hexdigest()[:4]
    return f"{token}-{digest}"


class SuiteSession:
    """One run config in a pytest session.

    Args:
        path: The run config file.
        options: The session's ``--dmh-*`` options.
        token: The session token, the same in every xdist worker.
        previous_run: The run folder of this config's previous session, for ``--lf``.
        workers: Processes of the session that replay: the number of xdist workers, else 1.
            Each replays ``ceil(concurrency / workers)`` conversations at once.

    Raises:
        ConfigError: The config, its scenarios, its rubric or the baseline is invalid.
    """

    def __init__(
        self, path: Path, options: PluginOptions, token: str, previous_run: Path | None = None, *, workers: int = 1
    ) -> None:
        self.path = path
        self.options = options
        self.config = with_options(load_run_config(path), options)
        self.suite, self.rubric, self.rubric_path = load_inputs(self.config)
        self.output = self.config.resolve(self.config.output)
        self.folder = RunFolder(self.output, run_id_for(token, path))
        self.store = ResultStore(self.folder.path / STORE_DIR)
        self.baseline = self._load_baseline()
        # Ids of the scenarios whose items run in this session; None until collection ends.
        self.selected: set[str] | None = None
        # Scenarios of the selected items in run order, which replay slots take ahead of need.
        self.plan: list[Scenario] = []
        self.concurrency = math.ceil(self.config.replay.concurrency / max(1, workers))

        self._previous_run = previous_run if options.last_failed else None
        self._carried: dict[str, list[ConversationResult]] | None = None
        self._results: dict[str, list[ConversationResult]] = {}
        self._plan_index: dict[str, int] = {}
        self._replayer: Replayer | None = None

    @property
    def min_pass_rate(self) -> float:
        """Share of a scenario's replays that must pass."""
        return self.config.replay.min_pass_rate

    def select(self, scenarios: Iterable[Scenario]) -> None:
        """Record the scenarios of the items that run in this session, in run order.

        A deselected scenario is replayed only for a gate item that needs it (or reused from
        the previous session with ``--lf``).
        """
        self.plan = list({scenario.id: scenario for scenario in scenarios}.values())
        self.selected = {scenario.id for scenario in self.plan}
        self._plan_index = {scenario.id: index for index, scenario in enumerate(self.plan)}

    def verdict(self, scenario: Scenario) -> ConversationVerdict:
        """Return the verdict of one scenario, replaying it unless the session already has it.

        While it replays, the free replay slots replay the scenarios after it in the plan.
        """
        self._resolve([scenario], self._plan_after(scenario))
        return self._verdict(scenario)

    def verdicts(self, scenarios: Iterable[Scenario]) -> list[ConversationVerdict]:
        """Return the verdicts of ``scenarios``, replaying those no process of the session has replayed."""
        scenarios = list(scenarios)
        self._resolve(scenarios, self.plan)
        return [self._verdict(scenario) for scenario in scenarios]

    def outcome(self) -> RunOutcome:
        """Return the whole suite as a finished run, replaying what the session has not yet."""
        verdicts = self.verdicts(self.suite.scenarios)
        results = [replay for verdict in verdicts for replay in verdict.replays]
        summary = self._summarize(results, started_at=min(result.started_at for result in results))
        return RunOutcome(folder=self.folder, summary=summary, results=results)

    def finish(self) -> RunOutcome | None:
        """Write ``results.jsonl`` and ``summary.json`` from every stored result; None when none.

        Results are written in suite order, and the shared claim folder is removed.
        """
        stored = [self.store.load(scenario.id) for scenario in self.suite.scenarios]
        results = [result for replays in stored if replays for result in replays]
        if not results:
            return None
        self._ensure_folder()

        text = "".join(result.model_dump_json() + "\n" for result in results)
        self.folder.results_path.write_text(text, encoding="utf-8")
        summary = self._summarize(results, started_at=self.folder.manifest().created_at)
        self.folder.write_summary(summary)
        shutil.rmtree(self.store.root, ignore_errors=True)
        return RunOutcome(folder=self.folder, summary=summary, results=results)

    def close(self) -> None:
        """Close the adapter and the event loop of this process."""
        if self._replayer is not None:
            self._replayer.close()
            self._replayer = None

    def _verdict(self, scenario: Scenario) -> ConversationVerdict:
        return ConversationVerdict(scenario, tuple(self._results[scenario.id]), self.min_pass_rate)

    def _resolve(self, required: list[Scenario], ahead: Iterable[Scenario]) -> None:
        # Take what is stored, replay what no process claimed, and wait for the rest. A queue
        # ends when every required scenario has results; the loop only guards against a
        # scenario left without them.
        pending = [scenario for scenario in required if scenario.id not in self._results]
        while pending:
            self._ensure_folder()
            queue = ClaimQueue(self.store, self._results, pending, ahead, self._carried_over)
            self._replayer_for().run(queue)
            pending = [scenario for scenario in pending if scenario.id not in self._results]

    def _plan_after(self, scenario: Scenario) -> Iterator[Scenario]:
        # The scenarios after this one first: without xdist they are the items that run next.
        # An xdist worker's items are the whole collection, and which of them the controller
        # sends it is not known ahead, so another worker may find some of these claimed here
        # and wait for them.
        index = self._plan_index.get(scenario.id)
        if index is None:
            return iter(self.plan)
        count = len(self.plan)
        return (self.plan[(index + step) % count] for step in range(1, count))

    def _replayer_for(self) -> Replayer:
        if self._replayer is None:
            self._replayer = Replayer(
                self.config, self.suite, self.rubric, self.folder.run_id, concurrency=self.concurrency
            )
        return self._replayer

    def _carried_over(self, scenario: Scenario) -> list[ConversationResult] | None:
        # With --lf, a scenario that pytest deselected passed last time: a gate reuses that
        # result instead of replaying it. A selected scenario failed last time and is replayed.
        if self._previous_run is None or self.selected is None or scenario.id in self.selected:
            return None
        if self._carried is None:
            self._carried = self._load_previous()
        results = self._carried.get(scenario.id)
        if results and all(result.scenario == scenario for result in results):
            return results
        return None

    def _load_previous(self) -> dict[str, list[ConversationResult]]:
        previous = RunFolder(self._previous_run.parent, self._previous_run.name)
        if not previous.manifest_path.exists() or not _same_setup(previous, self._manifest()):
            return {}
        grouped: dict[str, list[ConversationResult]] = {}
        for result in previous.iter_results():
            grouped.setdefault(result.scenario_id, []).append(result)
        return grouped

    def _ensure_folder(self) -> None:
        # Every process may get here first; each writes the same manifest atomically.
        if self.folder.manifest_path.exists():
            return
        self.folder.path.mkdir(parents=True, exist_ok=True)
        temporary = self.folder.path / f".run.json.{os.getpid()}.tmp"
        temporary.write_text(self._manifest().model_dump_json(indent=2), encoding="utf-8")
        os.replace(temporary, self.folder.manifest_path)

    def _manifest(self) -> RunManifest:
        return build_manifest(self.folder.run_id, self.config, self.suite, self.rubric, self.rubric_path, None)

    def _summarize(self, results: list[ConversationResult], *, started_at: datetime) -> RunSummary:
        return summarize_run(
            results,
            self.rubric,
            run_id=self.folder.run_id,
            adapter=self.config.adapter.name,
            rubric_path=str(self.rubric_path),
            scenarios=len(self.suite.scenarios),
            started_at=started_at,
            finished_at=datetime.now(UTC),
            repeats=self.config.replay.repeats,
            min_pass_rate=self.min_pass_rate,
        )

    def _load_baseline(self) -> Baseline | None:
        if not self.options.baseline:
            return None
        path = find_baseline(self.options.baseline, self.output)
        if path is None:
            if self.options.update_baseline:
                return None
            raise ConfigError(
                f"baseline run {self.options.baseline!r} not found (looked for a run folder at that path "
                f"and in {self.output})",
                field="--dmh-baseline",
                fix="pass a run folder or run id, or create the baseline with --dmh-update-baseline",
            )
        return load_baseline(path, self.rubric)


def with_options(config: RunConfig, options: PluginOptions) -> RunConfig:
    """Apply ``--dmh-repeat`` and ``--dmh-min-pass-rate`` to a run config."""
    replay_updates: dict[str, object] = {}
    if options.repeats is not None:
        replay_updates["repeats"] = options.repeats
    if options.min_pass_rate is not None:
        replay_updates["min_pass_rate"] = options.min_pass_rate
    if not replay_updates:
        return config
    replay_config = config.replay.model_validate({**config.replay.model_dump(), **replay_updates})
    return config.model_copy(update={"replay": replay_config})


def _same_setup(previous: RunFolder, current: RunManifest) -> bool:
    manifest = previous.manifest()
    return (manifest.config, manifest.rubric, manifest.checks) == (current.config, current.rubric, current.checks)
