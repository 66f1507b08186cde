"""The dm_harness pytest plugin, driven through throwaway projects with pytester."""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import harness.testing._finish  # noqa: F401
import harness.testing._fixtures  # noqa: F401
import harness.testing._items  # noqa: F401
from harness.adapters import available_adapters
from harness.scoring import ConversationResult, available_checks
from harness.testing._claims import ClaimQueue
from harness.testing._store import ResultStore

pytest_plugins = ["pytester"]

# In-process inner sessions drop the modules they imported when they end, but numpy cannot be
# imported twice in one process. Importing everything the plugin uses here keeps it loaded.
available_adapters()
available_checks()

# The bot reads bot.json at every call, so one test can change its behavior between inner
# sessions even though the python adapter imports bot.py once per process.
BOT = '''
import json
from pathlib import Path

HERE = Path(__file__).parent


def reply(conversation, message):
    settings = json.loads((HERE / "bot.json").read_text()) if (HERE / "bot.json").exists() else {}
    with open(HERE / "calls.log", "a") as log:
        log.write(conversation.id + "\\n")
    if settings.get("flaky") and conversation.id.endswith("#1"):
        return "Sorry?"
    if message.user in settings.get("broken", []):
        return "Hello there."
    if "price" in message.user:
        return {"text": "A haircut is $25.", "quick_replies": ["Book now"]}
    return "Hello there."
'''

RUBRIC = """
version: "1"
name: tiny
dimensions:
  accuracy:
    min_score: 1.0
    checks:
      - id: states_price
        type: regex
        params: {pattern: '\\$\\d+'}
        tag: missing_fact
  tone:
    min_score: 0.0
    checks:
      - id: short
        type: length
        params: {max_chars: 40}
        tag: off_brand_tone
gate:
  min_acceptance: 0.6
"""

SCENARIOS = {
    "pricing": """
intent: pricing
policy: answer
scenarios:
  - id: pricing-1
    turns:
      - user: what is the price of a haircut?
  - id: pricing-2
    turns:
      - user: hi
      - user: price please
  - id: pricing-3
    turns:
      - user: hello
""",
    "hours": """
intent: hours
policy: answer
scenarios:
  - id: hours-1
    turns:
      - user: price for opening hours
""",
}

CONFIG = """
scenarios: [scenarios]
rubric: rubric.yaml
adapter:
  name: python
  options: {{target: "{bot}:reply"}}
output: reports
"""

NODE_IDS = [
    "harness.yaml::hours::hours-1",
    "harness.yaml::hours::gate",
    "harness.yaml::pricing::pricing-1",
    "harness.yaml::pricing::pricing-2",
    "harness.yaml::pricing::pricing-3",
    "harness.yaml::pricing::gate",
    "harness.yaml::gate",
]


# Plugins that do not touch what these tests check; hypothesis alone re-imports itself in
# every in-process inner session, which costs seconds each time.
QUIET_PLUGINS = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:asyncio", "-p", "no:anyio")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*QUIET_PLUGINS, *args)


def run_subprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*QUIET_PLUGINS, *args)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with a bot, a rubric, four scenarios in two intents and a harness.yaml."""
    pytester.makepyfile(bot=BOT)
    (pytester.path / "rubric.yaml").write_text(RUBRIC)
    (pytester.path / "scenarios").mkdir()
    for intent, text in SCENARIOS.items():
        (pytester.path / "scenarios" / f"{intent}.yaml").write_text(text)
    (pytester.path / "harness.yaml").write_text(CONFIG.format(bot=pytester.path / "bot.py"))
    return pytester


def set_bot(project: pytest.Pytester, **settings: object) -> None:
    (project.path / "bot.json").write_text(json.dumps(settings))


def calls(project: pytest.Pytester) -> list[str]:
    log = project.path / "calls.log"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def run_folders(project: pytest.Pytester) -> list[Path]:
    return sorted(path.parent for path in (project.path / "reports").glob("2*/run.json"))


def test_collect_names(project: pytest.Pytester) -> None:
    result = run(project, "--collect-only", "-q")

    assert [line for line in result.outlines if "::" in line] == NODE_IDS


def test_collect_dmh_prefix(project: pytest.Pytester) -> None:
    (project.path / "harness.yaml").rename(project.path / "dmh_smoke.yaml")

    result = run(project, "--collect-only", "-q")

    assert "dmh_smoke.yaml::pricing::pricing-1" in result.outlines


def test_collect_ignores_other_yaml(project: pytest.Pytester) -> None:
    (project.path / "harness.yaml").rename(project.path / "smoke.yaml")

    result = run(project)

    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_collect_explicit_config(project: pytest.Pytester) -> None:
    (project.path / "harness.yaml").rename(project.path / "smoke.yaml")
    project.makepyfile(test_plain="def test_plain():\n    pass\n")

    result = run(project, "test_plain.py", "--dmh-config", "smoke.yaml", "--collect-only", "-q")

    assert "smoke.yaml::pricing::pricing-1" in result.outlines
    assert "test_plain.py::test_plain" in result.outlines


def test_explicit_config_missing(project: pytest.Pytester) -> None:
    result = run(project, "--dmh-config", "nope.yaml")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--dmh-config: file not found" in result.stderr.str()


def test_no_config_imports_nothing(pytester: pytest.Pytester) -> None:
    # The plugin loads in every session through its entry point, ours included.
    pytester.makepyfile(
        test_plain="""
        import sys

        def test_harness_not_imported():
            loaded = [name for name in ("harness.runs", "harness.scoring", "pydantic", "sklearn") if name in sys.modules]
            assert loaded == []
        """
    )

    result = run_subprocess(pytester)

    result.assert_outcomes(passed=1)


def test_run_outcomes(project: pytest.Pytester) -> None:
    result = run(project)

    result.assert_outcomes(passed=3, failed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_run_all_passing(project: pytest.Pytester) -> None:
    for intent, text in SCENARIOS.items():
        (project.path / "scenarios" / f"{intent}.yaml").write_text(text.replace("hello", "price?").replace(": hi", ": price hi"))

    result = run(project)

    result.assert_outcomes(passed=7)
    assert result.ret == pytest.ExitCode.OK


def test_failure_shows_transcript(project: pytest.Pytester) -> None:
    result = run(project, "-k", "pricing-2")

    result.stdout.fnmatch_lines(
        [
            "conversation pricing-2 failed: 1 of 2 turns failed (intent pricing, policy answer)",
            "turn 1 FAILED: accuracy 0.00 < 1.00 (states_price)",
            "  user: 'hi'",
            "  bot:  'Hello there.'",
            "  failed check states_price (accuracy, major, tag missing_fact): does not match /*",
            "turn 2 passed",
            "  user: 'price please'",
            "  bot:  'A haircut is $25.'",
            "        quick replies: Book now",
            "failure tags: missing_fact",
        ]
    )


def test_failure_has_no_traceback(project: pytest.Pytester) -> None:
    result = run(project, "-k", "pricing-2")

    assert "runtest" not in result.stdout.str()
    assert "Traceback" not in result.stdout.str()


def test_intent_gate_message(project: pytest.Pytester) -> None:
    result = run(project)

    result.stdout.fnmatch_lines(
        [
            "gate failed for intent pricing",
            "  pricing: acceptance 33% (1/3) is under its bar 60%",
            "failed conversations (2):",
            "  pricing-2: missing_fact",
            "  pricing-3: missing_fact",
        ]
    )


def test_launch_gate_message(project: pytest.Pytester) -> None:
    result = run(project)

    result.stdout.fnmatch_lines(
        [
            "launch gate failed",
            "  pricing: acceptance 33% is under its bar 60%",
            "acceptance per intent:",
            "  hours: 1/1 (100%), bar 60%, ok",
            "  pricing: 1/3 (33%), bar 60%, UNDER BAR",
        ]
    )


def test_ungated_intent_skipped(project: pytest.Pytester) -> None:
    rubric = project.path / "rubric.yaml"
    rubric.write_text(rubric.read_text().replace("min_acceptance: 0.6", "min_acceptance: 0.6\n  intents: [hours]"))

    result = run(project, "-rs")

    result.assert_outcomes(passed=4, failed=2, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * intent pricing is not gated by the rubric"])


def test_gate_alone_replays_intent(project: pytest.Pytester) -> None:
    result = run(project, "harness.yaml::pricing::gate")

    result.assert_outcomes(failed=1)
    assert sorted(set(calls(project))) == ["pricing-1", "pricing-2", "pricing-3"]


def test_each_conversation_replayed_once(project: pytest.Pytester) -> None:
    run(project)

    # pricing-2 has two turns; gates reuse the items' replays.
    assert sorted(calls(project)) == ["hours-1", "pricing-1", "pricing-2", "pricing-2", "pricing-3"]


def test_run_folder_written(project: pytest.Pytester) -> None:
    run(project)

    (folder,) = run_folders(project)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["conversations"] == 4
    assert summary["gate"]["passed"] is False
    assert len((folder / "results.jsonl").read_text().splitlines()) == 4
    assert not (folder / ".pytest-results").exists()


def test_terminal_summary(project: pytest.Pytester) -> None:
    result = run(project)

    result.stdout.fnmatch_lines(
        [
            "*= dm-harness =*",
            "harness.yaml: launch gate FAILED, 2/4 conversations accepted (50%)",
            "  hours: 1/1 (100%), bar 60%, meets bar",
            "  pricing: 1/3 (33%), bar 60%, UNDER BAR",
            "  run folder: *reports*",
        ]
    )


def test_terminal_summary_partial(project: pytest.Pytester) -> None:
    result = run(project, "-k", "pricing-1")

    result.stdout.fnmatch_lines(
        ["harness.yaml: partial run, 1 of 4 scenarios replayed; gate over them passed, 1/1 conversations accepted*"]
    )


def test_failure_shows_reference(project: pytest.Pytester) -> None:
    scenarios = project.path / "scenarios" / "pricing.yaml"
    scenarios.write_text(scenarios.read_text().replace("      - user: hello", "      - user: hello\n        reference: It is $25."))

    result = run(project, "-k", "pricing-3")

    result.stdout.fnmatch_lines(["  bot:  'Hello there.'", "  reference: 'It is $25.'"])


def test_config_error_one_line(project: pytest.Pytester) -> None:
    config = project.path / "harness.yaml"
    config.write_text(config.read_text() + "concurrency: 4\n")

    result = run(project)

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["dm-harness: *harness.yaml:*concurrency*"])
    assert "Traceback" not in result.stdout.str()


@pytest.mark.parametrize(
    "option",
    [["--dmh-repeat", "0"], ["--dmh-repeat", "x"], ["--dmh-min-pass-rate", "1.5"]],
    ids=["repeat-zero", "repeat-text", "rate-range"],
)
def test_invalid_option(project: pytest.Pytester, option: list[str]) -> None:
    result = run(project, *option)

    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_bot_error_fails_item(project: pytest.Pytester) -> None:
    (project.path / "bot.py").write_text("def reply(conversation, message):\n    raise RuntimeError('bot down')\n")

    result = run(project, "-k", "pricing-1")

    result.assert_outcomes(failed=1, deselected=6)
    result.stdout.fnmatch_lines(["  bot error: RuntimeError: bot down", "failure tags: bot_error"])


def test_baseline_update_then_compare(project: pytest.Pytester) -> None:
    first = run(project, "--dmh-update-baseline")
    second = run(project, "--dmh-baseline", "baseline", "-rx")

    assert first.ret == pytest.ExitCode.TESTS_FAILED
    assert (project.path / "reports" / "baseline" / "results.jsonl").exists()
    second.assert_outcomes(passed=3, xfailed=4)
    assert second.ret == pytest.ExitCode.OK
    second.stdout.fnmatch_lines(["XFAIL harness.yaml::pricing::pricing-2 - conversation failed in the baseline too*"])


def test_baseline_new_failure(project: pytest.Pytester) -> None:
    run(project, "--dmh-update-baseline")
    set_bot(project, broken=["what is the price of a haircut?"])

    result = run(project, "--dmh-baseline", "baseline")

    result.assert_outcomes(passed=2, failed=1, xfailed=4)
    result.stdout.fnmatch_lines(
        [
            "new failure: it passed in the baseline *baseline",
            "*against baseline *: 1 new failure(s), 2 known failure(s), 0 fixed",
        ]
    )


def test_baseline_path(project: pytest.Pytester) -> None:
    run(project, "--dmh-update-baseline", "--dmh-baseline", "ci/known")

    result = run(project, "--dmh-baseline", "ci/known")

    result.assert_outcomes(passed=3, xfailed=4)


def test_baseline_missing(project: pytest.Pytester) -> None:
    result = run(project, "--dmh-baseline", "nowhere")

    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["dm-harness: --dmh-baseline: baseline run 'nowhere' not found*"])


def test_repeat_passes_at_rate(project: pytest.Pytester) -> None:
    set_bot(project, flaky=True)

    result = run(project, "--dmh-repeat", "3", "--dmh-min-pass-rate", "0.6", "-k", "pricing-1", "-rP")

    result.assert_outcomes(passed=1, deselected=6)
    result.stdout.fnmatch_lines(["2 of 3 replays passed (67%); at least 60% must pass"])
    assert calls(project).count("pricing-1#1") == 1


def test_repeat_fails_under_rate(project: pytest.Pytester) -> None:
    set_bot(project, flaky=True)

    result = run(project, "--dmh-repeat", "3", "-k", "pricing-1")

    result.assert_outcomes(failed=1, deselected=6)
    result.stdout.fnmatch_lines(
        ["replays: 2 of 3 replays passed (67%); at least 100% must pass", "  #1 pass, #2 fail, #3 pass"]
    )


def test_repeat_spread_in_summary(project: pytest.Pytester) -> None:
    set_bot(project, flaky=True)

    result = run(project, "--dmh-repeat", "3", "--dmh-min-pass-rate", "0.6")

    result.stdout.fnmatch_lines(["  nondeterministic: hours-1: 2 of 3 replays passed (67%)*"])


def test_last_failed_reruns_failures(project: pytest.Pytester) -> None:
    run(project)
    calls(project)

    result = run(project, "--lf")

    result.assert_outcomes(failed=4, deselected=3)
    # The gates reuse the previous results of the conversations that passed.
    assert sorted(calls(project)) == ["pricing-2", "pricing-2", "pricing-3"]


def test_last_failed_after_fix(project: pytest.Pytester) -> None:
    run(project)
    scenarios = project.path / "scenarios" / "pricing.yaml"
    scenarios.write_text(scenarios.read_text().replace("user: hello", "user: price hello"))

    result = run(project, "--lf")

    # pricing-3 now passes, which lifts pricing to 2/3 and both gates over their bars.
    result.assert_outcomes(passed=3, failed=1, deselected=3)


def test_xdist_splits_and_gates(project: pytest.Pytester) -> None:
    result = run_subprocess(project, "-n", "2")

    result.assert_outcomes(passed=3, failed=4)
    result.stdout.fnmatch_lines(["harness.yaml: launch gate FAILED, 2/4 conversations accepted (50%)"])
    assert sorted(calls(project)) == ["hours-1", "pricing-1", "pricing-2", "pricing-2", "pricing-3"]


def test_xdist_one_run_folder(project: pytest.Pytester) -> None:
    run_subprocess(project, "-n", "2")

    (folder,) = run_folders(project)
    assert json.loads((folder / "summary.json").read_text())["conversations"] == 4


def test_xdist_gate_alone(project: pytest.Pytester) -> None:
    # Gates spread over two workers each need every conversation of their scope.
    result = run_subprocess(project, "-n", "2", "-k", "gate")

    result.assert_outcomes(passed=1, failed=2)
    assert sorted(calls(project)) == ["hours-1", "pricing-1", "pricing-2", "pricing-2", "pricing-3"]


def test_junitxml_verdicts(project: pytest.Pytester) -> None:
    run(project, "--junitxml=junit.xml")

    cases = {case.get("name"): case for case in ET.parse(project.path / "junit.xml").iter("testcase")}
    failure = cases["pricing-2"].find("failure")
    properties = {prop.get("name"): prop.get("value") for prop in cases["pricing-2"].iter("property")}
    assert cases["pricing-1"].find("failure") is None
    assert failure is not None
    assert "failed check states_price" in (failure.text or "")
    assert properties["verdict"] == "fail"
    assert properties["failure_tags"] == "missing_fact"
    assert cases["pricing-2"].get("classname") == "harness.yaml.pricing"


def test_fixtures(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_bot="""
        import pytest

        def test_multi_turn(bot):
            first = bot.send("hi")
            second = bot.send("and the price?")
            assert first.text == "Hello there."
            assert second.text == "A haircut is $25."
            assert len(bot.history) == 2

        def test_assert_reply_passes(bot, assert_reply):
            bot.send("price?")
            results = assert_reply(bot, "states_price")
            assert [result.id for result in results] == ["states_price"]

        def test_assert_reply_fails(assert_reply):
            with pytest.raises(AssertionError, match="states_price .*does not match"):
                assert_reply("Hello there.", "states_price")

        def test_assert_reply_unknown(assert_reply):
            with pytest.raises(ValueError, match="valid ids: states_price, short"):
                assert_reply("Hello", "nope")

        def test_harness_run(harness_run):
            assert harness_run.summary.conversations == 4
            assert harness_run.summary.gate.passed is False
        """
    )

    result = run(project, "test_bot.py")

    result.assert_outcomes(passed=5)


def test_fixture_without_config(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bot="def test_multi_turn(bot):\n    bot.send('hi')\n")

    result = run(pytester)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the bot fixture needs a run config*"])


def test_bot_session_restart(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_bot="""
        def test_restart(bot):
            bot.send("hi")
            first = bot.conversation.id
            bot.restart()
            assert bot.conversation.id != first
            assert bot.history == []
        """
    )

    run(project, "test_bot.py").assert_outcomes(passed=1)


def make_result(scenario_id: str, user: str = "hi") -> ConversationResult:
    from datetime import UTC, datetime

    from harness.conversations import Reply, Scenario, Turn

    scenario = Scenario(id=scenario_id, intent="pricing", policy="answer", turns=[Turn(user=user)])
    return ConversationResult(
        run_id="run",
        scenario=scenario,
        policy="answer",
        turns=[{"index": 0, "turn": scenario.turns[0], "reply": Reply.from_text("hello"), "passed": True}],
        passed=True,
        started_at=datetime.now(UTC),
        duration_ms=1.0,
    )


def test_store_claim_once(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)

    assert store.claim("a/b c") is True
    assert store.claim("a/b c") is False


def test_store_save_then_wait(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.claim("s1")
    store.save("s1", [make_result("s1")])

    assert [result.scenario_id for result in store.wait("s1") or []] == ["s1"]
    assert store.claim("s1") is True


def test_store_released_claim(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.claim("s1")
    store.release("s1")

    assert store.wait("s1") is None


def test_store_stale_claim(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.claim("s1")
    claim = next(tmp_path.glob("*.claim"))
    owner = json.loads(claim.read_text())
    # A pid far above any pid_max, so no process has it.
    claim.write_text(json.dumps({**owner, "pid": 2**30}))

    assert store.wait("s1") is None
    assert not claim.exists()


def test_store_live_claim_not_stale(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.claim("s1")

    assert store._claim_is_stale("s1") is False
    assert json.loads(next(tmp_path.glob("*.claim")).read_text())["pid"] == os.getpid()


def test_store_line_separator(tmp_path: Path) -> None:
    # U+2028 stays unescaped in JSON, and str.splitlines() would split the line there.
    store = ResultStore(tmp_path)
    store.save("s1", [make_result("s1", user="how much?\u2028thanks")])

    (loaded,) = store.load("s1") or []

    assert loaded.scenario.turns[0].user == "how much?\u2028thanks"


class LateStore(ResultStore):
    """A store whose first look-up misses results that another process saves just after it."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.lookups = 0

    def load(self, scenario_id: str) -> list[ConversationResult] | None:
        self.lookups += 1
        return None if self.lookups == 1 else super().load(scenario_id)


def test_claim_queue_saved_before_claim(tmp_path: Path) -> None:
    store = LateStore(tmp_path)
    store.claim("s1")
    store.save("s1", [make_result("s1")])
    results: dict[str, list[ConversationResult]] = {}
    scenario = make_result("s1").scenario

    queue = ClaimQueue(store, results, [scenario], [], lambda scenario: None)

    assert queue.next() is None
    assert queue.resolved is True
    assert [result.scenario_id for result in results["s1"]] == ["s1"]
    assert list(tmp_path.glob("*.claim")) == []


def test_claim_queue_ahead_while_unresolved(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    results: dict[str, list[ConversationResult]] = {}
    first, second, third = (make_result(name).scenario for name in ("s1", "s2", "s3"))
    queue = ClaimQueue(store, results, [first], [second, third], lambda scenario: None)

    handed_out = [queue.next(), queue.next()]
    queue.finish("s1", [make_result("s1")])

    assert handed_out == [first, second]
    assert queue.next() is None
    assert store.claim("s3") is True


def test_claim_queue_release_unfinished(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    queue = ClaimQueue(store, {}, [make_result("s1").scenario], [], lambda scenario: None)
    queue.next()

    queue.release_unfinished()

    assert store.claim("s1") is True


SEPARATOR_SCENARIOS = """
intent: pricing
policy: answer
scenarios:
  - id: pricing-1
    turns:
      - user: "how much?\\u2028thanks"
        reference: A haircut is $25.
"""

RECORDED_CONFIG = """
scenarios: [scenarios]
rubric: rubric.yaml
adapter: {name: recorded}
output: reports
"""


def test_line_separator_in_scenario(pytester: pytest.Pytester) -> None:
    (pytester.path / "rubric.yaml").write_text(RUBRIC)
    (pytester.path / "scenarios").mkdir()
    (pytester.path / "scenarios" / "pricing.yaml").write_text(SEPARATOR_SCENARIOS)
    (pytester.path / "harness.yaml").write_text(RECORDED_CONFIG)

    result = run(pytester)

    result.assert_outcomes(passed=3)
    (folder,) = run_folders(pytester)
    (line,) = (folder / "results.jsonl").read_text(encoding="utf-8").split("\n")[:-1]
    assert json.loads(line)["scenario"]["turns"][0]["user"] == "how much?\u2028thanks"


# Async, so that the replays overlap however few threads asyncio's default executor has
# (a sync bot runs in that executor, min(32, cores + 4) threads in Python 3.11).
SLOW_BOT = """
import asyncio
import time
from pathlib import Path

HERE = Path(__file__).parent


async def reply(conversation, message):
    started = time.time()
    await asyncio.sleep(0.3)
    with open(HERE / "calls.log", "a") as log:
        log.write(f"{conversation.id} {started} {time.time()}\\n")
    return "A haircut is $25."
"""

SLOW_TURN_S = 0.3
SLOW_TURNS = 2
SLOW_SCENARIOS = 8

SLOW_CONFIG = """
scenarios: [scenarios]
rubric: rubric.yaml
adapter:
  name: python
  options: {{target: "{bot}:reply"}}
replay: {{concurrency: {concurrency}}}
output: reports
"""


def make_slow_project(pytester: pytest.Pytester, concurrency: int) -> pytest.Pytester:
    """A project whose bot takes 0.3 s per turn, with eight two-turn conversations."""
    pytester.makepyfile(slow_bot=SLOW_BOT)
    (pytester.path / "rubric.yaml").write_text(RUBRIC)
    (pytester.path / "scenarios").mkdir()
    turns = "      - user: price?\n" * SLOW_TURNS
    scenarios = "".join(f"  - id: slow-{index}\n    turns:\n{turns}" for index in range(SLOW_SCENARIOS))
    (pytester.path / "scenarios" / "slow.yaml").write_text(f"intent: pricing\npolicy: answer\nscenarios:\n{scenarios}")
    config = SLOW_CONFIG.format(bot=pytester.path / "slow_bot.py", concurrency=concurrency)
    (pytester.path / "harness.yaml").write_text(config)
    return pytester


def max_in_flight(lines: list[str]) -> int:
    """Return how many bot calls overlapped at most, from ``id start end`` log lines."""
    events = []
    for line in lines:
        _, started, ended = line.split()
        events.extend([(float(started), 1), (float(ended), -1)])
    # At equal times an end sorts before a start, so touching calls do not count as overlapping.
    in_flight = peak = 0
    for _, change in sorted(events):
        in_flight += change
        peak = max(peak, in_flight)
    return peak


def test_concurrency_from_config(pytester: pytest.Pytester) -> None:
    project = make_slow_project(pytester, concurrency=8)

    result = run(project)

    result.assert_outcomes(passed=SLOW_SCENARIOS + 2)
    # One conversation at a time, as before the fix, gives 1 here.
    assert max_in_flight(calls(project)) == min(8, SLOW_SCENARIOS)


def test_concurrency_bound(pytester: pytest.Pytester) -> None:
    project = make_slow_project(pytester, concurrency=3)

    run(project)

    assert max_in_flight(calls(project)) == 3


@pytest.mark.parametrize("concurrency", [8, 4])
def test_xdist_concurrent_once(pytester: pytest.Pytester, concurrency: int) -> None:
    project = make_slow_project(pytester, concurrency=concurrency)

    result = run_subprocess(project, "-n", "2")

    result.assert_outcomes(passed=SLOW_SCENARIOS + 2)
    lines = calls(project)
    expected = sorted(f"slow-{index}" for index in range(SLOW_SCENARIOS) for _ in range(SLOW_TURNS))
    assert sorted(line.split()[0] for line in lines) == expected
    # Two workers replay concurrency / 2 conversations each.
    assert max_in_flight(lines) <= concurrency
