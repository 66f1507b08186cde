"""pytest plugin of dm-harness, registered through the ``pytest11`` entry point ``dm_harness``.

**Collection.** pytest collects run configs named ``harness.yaml`` or ``dmh_*.yaml`` (and the
file given to ``--dmh-config``, whatever its name) as test files. No other YAML file is
collected. A run config yields one item per conversation, named by scenario id and grouped by
intent, one ``gate`` item per intent, and one ``gate`` item for the launch gate::

    harness.yaml::pricing::pricing-0001     fails when the conversation fails its rubric
    harness.yaml::pricing::gate             fails when pricing's acceptance is under its bar
    harness.yaml::gate                      fails when the launch gate fails

A gate item of an intent that the rubric does not gate is skipped.

**Fixtures.** ``harness_config`` (the run config file: ``--dmh-config``, else ``harness.yaml``
in the rootdir), ``harness_run`` (the whole suite as a finished
:class:`~harness.runs.RunOutcome`), ``bot`` (a :class:`~harness.testing.BotSession` for
hand-written multi-turn tests) and ``assert_reply`` (a :class:`~harness.testing.ReplyChecker`
that applies named rubric checks to one reply).

**Options.** ``--dmh-config FILE`` names the run config. With ``--dmh-baseline RUN``, a
conversation or gate that failed in the baseline run too is reported as xfailed, so only new
failures fail. ``--dmh-update-baseline`` writes this session's run as the baseline.
``--dmh-repeat N`` replays each conversation N times, and it passes when at least
``--dmh-min-pass-rate RATE`` of its replays pass.

**Concurrency.** Conversations are replayed ``replay.concurrency`` at a time, as in
``dm-harness run``. An item whose conversation has no result yet replays it, and until that
result is in, the free replay slots start the selected conversations after it in run order.
The item returns once the replays it started are done, so the items after it find their
results ready. A gate item replays the conversations it needs in the same slots.

**xdist.** Every process of a session shares one run folder
``<output>/<session token>-<config digest>/``. A conversation is replayed once per session.
The first process that needs it (for its own item, a gate item, or a free slot) claims it with
a lock file, replays it and stores its results. Any other process that needs it waits for
those results, and meanwhile its free slots replay unclaimed conversations. So with
``-n auto`` the conversations are split across workers, and a gate item that runs before the
others have finished replays the unclaimed conversations itself and waits for the claimed
ones. Each of N workers replays ``ceil(concurrency / N)`` conversations at a time, so the
session as a whole replays the config's concurrency at once, or up to N - 1 more when N does
not divide it. The process that ends the session (the xdist controller, or the only process)
writes ``results.jsonl`` and ``summary.json`` as ``dm-harness run`` does.

**--lf.** Deselected conversations are not replayed for a gate item that reruns: the gate reuses
their results from this config's previous session, when the scenario, the rubric and the
config are unchanged.

**Exit codes** are pytest's own: 0 all items passed (xfailed known failures included), 1 some
item failed, 2 interrupted or a collection error (such as an invalid run config), 3 internal
error, 4 usage error (such as an invalid ``--dmh-*`` value), 5 no tests collected.

Nothing beyond the standard library is imported until a run config is collected or a fixture
is used, so sessions without a run config pay nothing for the plugin. Disable the plugin with
``-p no:dm_harness``, for example in a project whose ``harness.yaml`` is not a run config.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.testing._state import CACHE_KEY, PluginOptions, PluginState, new_session_token

if TYPE_CHECKING:
    from harness.conversations import Scenario
    from harness.runs import RunOutcome
    from harness.testing import BotSession, ReplyChecker

STATE_KEY = pytest.StashKey[PluginState]()
TOKEN_KEY = "dm_harness_token"
OUTPUT_KEY = "dm_harness"
CONFIG_NAME = "harness.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--dmh-*`` options."""
    group = parser.getgroup("dm-harness", "dm-harness: replay and score bot conversations as tests")
    group.addoption(
        "--dmh-config", metavar="FILE",
        help="run config to collect (whatever its name) and to use in the harness fixtures "
        f"(default: {CONFIG_NAME} in the rootdir)",
    )
    group.addoption(
        "--dmh-baseline", metavar="RUN",
        help="baseline run folder, or run id in the config's output folder: conversations and gates "
        "that failed there too are reported as xfailed, so only new failures fail",
    )
    group.addoption(
        "--dmh-update-baseline", action="store_true",
        help="at the end, write this session's run as the baseline (--dmh-baseline, else "
        "'baseline' in the config's output folder)",
    )
    group.addoption("--dmh-repeat", metavar="N", type=_repeats, help="replay each conversation N times (1-100)")
    group.addoption(
        "--dmh-min-pass-rate", metavar="RATE", type=_rate,
        help="with --dmh-repeat: share of replays (0-1) that must pass for a conversation to pass",
    )


def _repeats(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 100, got {text!r}")
    return int(text)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1 such as 0.8, got {text!r}")
    return value


def pytest_configure(config: pytest.Config) -> None:
    """Set up the session state; with ``--dmh-config``, make sure that file is collected."""
    options = PluginOptions(
        config=config.getoption("dmh_config"),
        repeats=config.getoption("dmh_repeat"),
        min_pass_rate=config.getoption("dmh_min_pass_rate"),
        baseline=config.getoption("dmh_baseline"),
        update_baseline=config.getoption("dmh_update_baseline"),
        last_failed=bool(config.getoption("lf", False)),
    )
    worker_input = getattr(config, "workerinput", None)
    token = worker_input.get(TOKEN_KEY) if worker_input else None
    cache = getattr(config, "cache", None)
    previous = cache.get(CACHE_KEY, {}) if options.last_failed and cache is not None else {}
    workers = int(worker_input.get("workercount", 1)) if worker_input else 1
    state = PluginState(options=options, token=token or new_session_token(), previous_runs=previous, workers=workers)
    config.stash[STATE_KEY] = state

    if options.config:
        _collect_explicit_config(config, _explicit_config(config))
    if worker_input is None and config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistController(state), "dm_harness_xdist")


def _explicit_config(config: pytest.Config) -> Path:
    path = Path(config.invocation_params.dir, config.getoption("dmh_config")).resolve()
    if not path.is_file():
        raise pytest.UsageError(f"--dmh-config: file not found: {path}")
    return path


def _collect_explicit_config(config: pytest.Config, path: Path) -> None:
    # Add the file to the collection arguments unless one of them already covers it.
    invocation = config.invocation_params.dir
    covered = [Path(invocation, arg.split("::")[0]).resolve() for arg in config.args]
    if not any(path == arg or arg in path.parents for arg in covered):
        config.args.append(str(path))


class _XdistController:
    """Hooks of the xdist controller: share the session token, learn the workers' configs."""

    def __init__(self, state: PluginState) -> None:
        self.state = state

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Send the session token to a worker, so every worker writes to the same run folder."""
        node.workerinput[TOKEN_KEY] = self.state.token

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Record the run configs a worker collected, so the controller can finish their runs."""
        output = getattr(node, "workeroutput", {}).get(OUTPUT_KEY, {})
        self.state.worker_configs.update(Path(path) for path in output.get("configs", []))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``harness.yaml``, ``dmh_*.yaml`` and the ``--dmh-config`` file as run configs."""
    name = file_path.name
    is_config = name == CONFIG_NAME or (name.startswith("dmh_") and name.endswith(".yaml"))
    state = parent.config.stash[STATE_KEY]
    if not is_config and not (state.options.config and _is_explicit(parent.config, file_path)):
        return None

    from harness.testing._items import RunConfigFile

    return RunConfigFile.from_parent(parent, path=file_path, state=state)


def _is_explicit(config: pytest.Config, file_path: Path) -> bool:
    return file_path.resolve() == Path(config.invocation_params.dir, config.getoption("dmh_config")).resolve()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Record which conversations were selected, after ``-k``, ``--lf`` and the like, in run order."""
    state = session.config.stash[STATE_KEY]
    if not state.sessions:
        return
    from harness.testing._items import ConversationItem

    planned: dict[Path, list[Scenario]] = {path: [] for path in state.sessions}
    for item in session.items:
        if isinstance(item, ConversationItem):
            planned[item.suite_session.path].append(item.scenario)
    for path, scenarios in planned.items():
        state.sessions[path].select(scenarios)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Close adapters; in the process that ends the session, write the runs and baselines."""
    config = session.config
    state = config.stash[STATE_KEY]
    for suite_session in state.sessions.values():
        suite_session.close()
    if hasattr(config, "workerinput"):
        config.workeroutput[OUTPUT_KEY] = state.worker_output()  # type: ignore[attr-defined]
        return
    if state.active:
        from harness.testing._finish import finish_session

        finish_session(state, getattr(config, "cache", None))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print each run's gate verdict, acceptance per intent and run folder."""
    state = config.stash[STATE_KEY]
    if not state.outcomes:
        return
    from harness.testing._finish import summary_lines

    terminalreporter.section("dm-harness")
    for line in summary_lines(state):
        terminalreporter.write_line(line)


def _state(config: pytest.Config) -> PluginState:
    return config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def harness_config(pytestconfig: pytest.Config) -> Path | None:
    """Return the run config file: ``--dmh-config``, else ``harness.yaml`` in the rootdir, else None."""
    if pytestconfig.getoption("dmh_config"):
        return _explicit_config(pytestconfig)
    default = pytestconfig.rootpath / CONFIG_NAME
    return default if default.is_file() else None


def _require(path: Path | None, fixture: str) -> Path:
    if path is None:
        raise pytest.UsageError(
            f"the {fixture} fixture needs a run config: pass --dmh-config FILE, put {CONFIG_NAME} in "
            "the rootdir, or override the harness_config fixture"
        )
    return path


@pytest.fixture(scope="session")
def harness_run(pytestconfig: pytest.Config, harness_config: Path | None) -> RunOutcome:
    """Return the whole suite of the run config as a finished run, replayed once per session.

    It shares replays with the collected conversation items. Its folder's ``results.jsonl``
    and ``summary.json`` are written when the session ends.
    """
    path = _require(harness_config, "harness_run")
    return _state(pytestconfig).session_for(path).outcome()


@pytest.fixture
def bot(request: pytest.FixtureRequest, harness_config: Path | None) -> Iterator[BotSession]:
    """Yield a conversation with the bot of the run config, for hand-written multi-turn tests."""
    from harness.runs import load_run_config
    from harness.testing import BotSession
    from harness.testing._session import with_options

    path = _require(harness_config, "bot")
    config = with_options(load_run_config(path), _state(request.config).options)
    session = BotSession(config, name=request.node.name)
    yield session
    session.close()


@pytest.fixture
def assert_reply(harness_config: Path | None) -> ReplyChecker:
    """Return a helper that applies named rubric checks to one reply: ``assert_reply(reply, "check_id")``.

    The rubric is the run config's, or the built-in DM rubric without a run config.
    """
    from harness.rubrics import DEFAULT_RUBRIC, load_rubric
    from harness.runs import load_run_config
    from harness.testing import ReplyChecker

    rubric_path = DEFAULT_RUBRIC
    if harness_config is not None:
        config = load_run_config(harness_config)
        rubric_path = config.resolve(config.rubric) if config.rubric else DEFAULT_RUBRIC
    return ReplyChecker(load_rubric(rubric_path), rubric_path)
