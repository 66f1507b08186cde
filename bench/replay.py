"""Replay benchmark: dm-harness against a local bot with a fixed latency.

Replays 2,000 single-turn scenarios (banking77 messages) and the 400 bundled multi-turn
scenarios through ``dm-harness run`` with the ``http`` adapter, at concurrency 32 against a
local aiohttp bot that replies to every turn after 20 ms, and prints wall time, conversations per
second, peak memory and the ratio to the physical limit (turns × latency / concurrency).

    python bench/replay.py                      # defaults: 2000 single-turn, concurrency 32, 20 ms
    python bench/replay.py --rubric bench       # the three-check rubric of compare_promptfoo.py

Each suite runs in a fresh ``dm-harness`` process, so the wall time includes start-up (imports,
loading the suite, fitting the similarity space), which is reported on its own: the time from
starting the process to the bot's first request.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _bot_server import BotProcess, measure_plain_client
from _measure import Measurement, load_average, peak_between, run_measured
from _suites import BUNDLED_SCENARIOS, bench_rubric, count_turns, harness_config, write_single_turn_suite, write_yaml

__all__ = ["HarnessRun", "harness_command", "run_harness"]


@dataclass
class HarnessRun:
    """One measured ``dm-harness run`` against the bench bot."""

    label: str
    scenarios: int
    turns: int
    concurrency: int
    latency_ms: float
    measurement: Measurement
    bot: dict[str, object]
    summary: dict[str, object]

    @property
    def limit_s(self) -> float:
        """The physical limit: turns × latency / concurrency."""
        return self.turns * self.latency_ms / 1000 / self.concurrency

    @property
    def startup_s(self) -> float:
        """From starting the process to the bot's first request."""
        first = self.bot.get("first_at")
        return float(first) - self.measurement.started_at if isinstance(first, float) else float("nan")

    @property
    def replay_s(self) -> float:
        """From the bot's first request to its last."""
        first, last = self.bot.get("first_at"), self.bot.get("last_at")
        return float(last) - float(first) if isinstance(first, float) and isinstance(last, float) else float("nan")

    @property
    def tail_s(self) -> float:
        """From the bot's last request to the end of the process: scoring the last
        conversations, the summary and the report files."""
        return self.measurement.wall_s - self.startup_s - self.replay_s

    @property
    def replay_peak_mb(self) -> float:
        """Peak memory of the tree from start-up to the bot's last request (before the reports)."""
        last = self.bot.get("last_at")
        return peak_between(self.measurement, 0, float(last)) if isinstance(last, float) else float("nan")

    @property
    def ratio(self) -> float:
        """Wall time over the physical limit."""
        return self.measurement.wall_s / self.limit_s


def harness_command() -> list[str]:
    """Return the ``dm-harness`` command of the interpreter running this script."""
    script = Path(sys.executable).with_name("dm-harness")
    found = str(script) if script.exists() else shutil.which("dm-harness")
    if not found:
        raise SystemExit("dm-harness is not installed: run `python3 -m pip install -e .` in the repository")
    return [found]


def run_harness(
    label: str,
    scenarios: list[Path],
    *,
    bot: BotProcess,
    concurrency: int,
    workdir: Path,
    rubric: Path | None,
    expected: tuple[int, int],
    extra_args: tuple[str, ...] = (),
) -> HarnessRun:
    """Run ``dm-harness run`` on ``scenarios`` against the bot and measure it.

    Raises:
        RuntimeError: The run ended with a usage error, or did not score every turn.
    """
    output = workdir / "reports" / f"{label}-c{concurrency}"
    config = harness_config(scenarios, url=bot.url, concurrency=concurrency, output=output, rubric=rubric)
    path = write_yaml(workdir / f"harness-{label}-c{concurrency}.yaml", config)

    bot.reset()
    measurement = run_measured([*harness_command(), "run", str(path), "--no-progress", *extra_args])
    if measurement.returncode not in (0, 1):
        raise RuntimeError(f"dm-harness run {path} failed with exit code {measurement.returncode}:\n{measurement.stderr_tail}")
    summary = _summary(output)
    run = HarnessRun(label, *expected, concurrency, bot.latency_ms, measurement, bot.stats(), summary)
    _check_complete(run)
    return run


def _summary(output: Path) -> dict[str, object]:
    found = sorted(output.glob("*/summary.json"))
    if not found:
        raise RuntimeError(f"no summary.json under {output}")
    return json.loads(found[-1].read_text(encoding="utf-8"))


def _check_complete(run: HarnessRun) -> None:
    turns = run.summary.get("turns")
    errors = run.summary.get("bot_errors")
    if turns != run.turns or errors:
        raise RuntimeError(f"{run.label}: scored {turns} of {run.turns} turns with {errors} bot errors")


def _print_table(runs: list[HarnessRun]) -> None:
    print("| suite | scenarios | turns | wall s | start-up s | replay s | after s | conversations/s | limit s | wall / limit | target s (1.5 × limit + 1) | peak MB | peak MB until last reply | CPU s | bot delay ms | met |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for run in runs:
        wall = run.measurement.wall_s
        target = 1.5 * run.limit_s + 1
        met = "yes" if wall <= target and run.measurement.peak_mb < 200 else "no"
        print(
            f"| {run.label} | {run.scenarios} | {run.turns} | {wall:.2f} | {run.startup_s:.2f} | "
            f"{run.replay_s:.2f} | {run.tail_s:.2f} | "
            f"{run.scenarios / wall:.0f} | {run.limit_s:.2f} | {run.ratio:.2f} | {target:.2f} | "
            f"{run.measurement.peak_mb:.0f} | {run.replay_peak_mb:.0f} | {run.measurement.cpu_s:.1f} | "
            f"{run.bot.get('delay_mean_ms')} | {met} |"
        )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Replay benchmark of dm-harness against a local bot.")
    parser.add_argument("--single", type=int, default=2000, help="single-turn scenarios to generate (default 2000)")
    parser.add_argument("--concurrency", type=int, default=32, help="conversations in flight (default 32)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="bot delay per turn in milliseconds (default 20)")
    parser.add_argument("--rubric", default="default", help="'default' (the built-in DM rubric), 'bench' (three checks) or a file")
    parser.add_argument("--rounds", type=int, default=1, help="times each suite is replayed (default 1)")
    parser.add_argument("--workdir", type=Path, help="folder for generated files (default: a new temporary folder)")
    return parser.parse_args()


def _rubric_path(choice: str, workdir: Path) -> Path | None:
    if choice == "default":
        return None
    if choice == "bench":
        return write_yaml(workdir / "bench-rubric.yaml", bench_rubric())
    return Path(choice).resolve()


def main() -> None:
    """Run the replay benchmark and print the results as a Markdown table."""
    args = _parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dm-harness-bench-"))
    single = write_single_turn_suite(workdir / "single", args.single)
    rubric = _rubric_path(args.rubric, workdir)
    suites = {
        "single-turn": [single],
        "multi-turn": [BUNDLED_SCENARIOS],
        "both": [single, BUNDLED_SCENARIOS],
    }
    print(f"machine: {platform.platform()}, {_cpu()}, load average {load_average()}")
    print(f"python {platform.python_version()}; workdir {workdir}; rubric {args.rubric}")

    runs: list[HarnessRun] = []
    with BotProcess(args.latency_ms) as bot:
        plain = measure_plain_client(bot.url, requests=2000, concurrency=args.concurrency, latency_ms=args.latency_ms)
        print(
            f"plain aiohttp client, 2000 requests at concurrency {args.concurrency}: {plain.wall_s:.2f} s, "
            f"limit {plain.limit_s:.2f} s, ratio {plain.ratio:.2f}; bot delay {bot.stats()['delay_mean_ms']} ms"
        )
        for _ in range(args.rounds):
            for label, paths in suites.items():
                expected = count_turns(paths)
                runs.append(run_harness(label, paths, bot=bot, concurrency=args.concurrency, workdir=workdir, rubric=rubric, expected=expected))
    print(f"load average after: {load_average()}")
    _print_table(runs)


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()} × {len(__import__('os').sched_getaffinity(0))}"
    return platform.processor()


if __name__ == "__main__":
    main()
