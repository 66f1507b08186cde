"""Benchmark the report of a large run: render time, file size and Chromium's load time.

The run is real: the bundled scenarios (400 SGD conversations) are cloned under new ids up to
``--conversations`` scenarios and replayed through the example bot (``examples.dm_bot:reply``)
with the default rubric, so the report contains real replies, checks and reasons. Then:

- ``write_outputs`` renders report.html, junit.xml and results.csv, timed step by step in this
  process (scikit-learn is already imported by the run, as it is after ``dm-harness run``);
- headless Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright) opens the report from
  disk ``--loads`` times; the load time is from navigation start until the page's script has
  rendered the first page of transcripts (``body[data-ready]``);
- a search and a filter are timed from input to the updated transcript count.

Targets: render < 3 s, file < 10 MB, load < 2 s. The section ``## Report`` of
bench/RESULTS.md is replaced with the figures (``--no-write`` leaves it alone).

Usage: python3 bench/report.py [--conversations 2500] [--loads 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # examples.dm_bot is imported from the checkout

from harness.conversations import Scenario, dump_scenario_file, load_suite  # noqa: E402
from harness.report import CSV_FILE, JUNIT_FILE, REPORT_FILE, build_remediation, load_run  # noqa: E402
from harness.report._csv import write_csv  # noqa: E402
from harness.report._html import render_report  # noqa: E402
from harness.report._junit import render_junit  # noqa: E402
from harness.report._outputs import write_outputs  # noqa: E402
from harness.runs import AdapterConfig, ReplayConfig, RunConfig, RunFolder, execute  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "## Report"
TARGETS = {"render_s": 3.0, "size_mb": 10.0, "load_s": 2.0}


def main() -> None:
    """Run the benchmark and record its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2500)
    parser.add_argument("--loads", type=int, default=5, help="Chromium loads; the median is recorded")
    parser.add_argument("--no-write", action="store_true", help="print the figures; leave RESULTS.md alone")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dmh-bench-report-") as temporary:
        folder, replay_s = _run(Path(temporary), args.conversations)
        figures = {"conversations": args.conversations, "replay_s": replay_s}
        figures.update(_time_render(folder))
        figures["load_average"] = os.getloadavg()[0]
        figures.update(_time_browser(folder.path / REPORT_FILE, args.loads))
    text = _section(figures)
    print(text)
    if not args.no_write:
        _write_section(text)


def _run(root: Path, count: int) -> tuple[RunFolder, float]:
    scenarios = root / "scenarios"
    scenarios.mkdir()
    for intent, group in _cloned(count).items():
        dump = dump_scenario_file(intent, group[0].policy, group)
        (scenarios / f"{intent}.yaml").write_text(yaml.safe_dump(dump, sort_keys=False, allow_unicode=True), encoding="utf-8")
    config = RunConfig(
        scenarios=[str(scenarios)],
        adapter=AdapterConfig(name="python", options={"target": "examples.dm_bot:reply"}),
        replay=ReplayConfig(concurrency=16),
        output=str(root / "reports"),
    )
    started = time.perf_counter()
    outcome = asyncio.run(execute(config))
    return outcome.folder, time.perf_counter() - started


def _cloned(count: int) -> dict[str, list[Scenario]]:
    bundled = load_suite([REPO / "scenarios"]).scenarios
    groups: dict[str, list[Scenario]] = {}
    for number in range(count):
        source = bundled[number % len(bundled)]
        copy = source.model_copy(update={"id": f"{source.id}-c{number // len(bundled)}"})
        groups.setdefault(source.intent, []).append(copy)
    return groups


def _time_render(folder: RunFolder) -> dict[str, Any]:
    # The folder still contains the results the run parsed, as it does when `dm-harness run`
    # calls write_outputs, so the first call is what a run adds to its own time.
    first_s, first_cpu_s = _timed(lambda: write_outputs(folder))
    repeated = [_timed(lambda: write_outputs(folder))[0] for _ in range(3)]
    cold_s, _ = _timed(lambda: _report_command(folder))

    # The same steps one by one, collector paused as write_outputs pauses it.
    gc.disable()
    steps: dict[str, float] = {}
    clock = time.perf_counter()
    run = load_run(folder)
    steps["read_s"] = _lap(clock)
    clock = time.perf_counter()
    remediation = build_remediation(run.collapsed)
    steps["remediation_s"] = _lap(clock)
    clock = time.perf_counter()
    html = render_report(run, remediation)
    steps["html_s"] = _lap(clock)
    clock = time.perf_counter()
    render_junit(run)
    steps["junit_s"] = _lap(clock)
    clock = time.perf_counter()
    write_csv(run.results, folder.path / f".bench-{CSV_FILE}")
    steps["csv_s"] = _lap(clock)
    gc.enable()

    return {
        "render_s": first_s,
        "render_cpu_s": first_cpu_s,
        "render_again_s": statistics.median(repeated),
        "report_command_s": cold_s,
        **steps,
        "size_mb": (folder.path / REPORT_FILE).stat().st_size / 1e6,
        "html_chars": len(html),
        "junit_mb": (folder.path / JUNIT_FILE).stat().st_size / 1e6,
        "csv_mb": (folder.path / CSV_FILE).stat().st_size / 1e6,
        "results_mb": folder.results_path.stat().st_size / 1e6,
        "groups": len(remediation),
        "failed": sum(not result.passed for result in run.collapsed),
    }


def _lap(clock: float) -> float:
    return time.perf_counter() - clock


def _timed(action: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def _report_command(folder: RunFolder) -> None:
    # A new process: Python start, imports and reading results.jsonl are all counted.
    command = [sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main(sys.argv[1:]))"]
    command += ["report", folder.run_id, "--out", str(folder.path.parent)]
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)


def _time_browser(report: Path, loads: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        version = browser.version
        times = [_load_once(browser, report) for _ in range(loads)]
        search_s, filter_s = _interaction(browser, report)
        browser.close()
    return {
        "load_s": statistics.median(times),
        "loads": loads,
        "load_max_s": max(times),
        "search_s": search_s,
        "filter_s": filter_s,
        "chromium": version,
    }


def _load_once(browser: Any, report: Path) -> float:
    page = browser.new_page()
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    # Navigation start is performance.now() == 0 in the page, so this is the whole load.
    elapsed_ms = page.evaluate("performance.now()")
    page.close()
    return elapsed_ms / 1000


def _interaction(browser: Any, report: Path) -> tuple[float, float]:
    page = browser.new_page()
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    before = page.inner_text("#transcript-count")
    started = time.perf_counter()
    page.fill("#filter-search", "address")
    page.wait_for_function("text => document.getElementById('transcript-count').textContent !== text", arg=before)
    # The search waits 120 ms for more typing before it filters; that pause is counted.
    search_s = time.perf_counter() - started
    before = page.inner_text("#transcript-count")
    started = time.perf_counter()
    page.select_option("#filter-verdict", "passed")
    page.wait_for_function("text => document.getElementById('transcript-count').textContent !== text", arg=before)
    filter_s = time.perf_counter() - started
    page.close()
    return search_s, filter_s


def _section(figures: dict[str, Any]) -> str:
    def verdict(key: str) -> str:
        return "met" if figures[key] < TARGETS[key] else "MISSED"

    over = ", over the 3 s render target" if figures["report_command_s"] >= TARGETS["render_s"] else ""

    return f"""{SECTION}

`python3 bench/report.py`, on {platform.machine()} with {_cpus()} CPUs, Python {platform.python_version()} and Chromium
{figures['chromium']} (headless, driven by Playwright). Other work shared the machine: the
1-minute load average was {figures['load_average']:.1f} while rendering, so wall times include waiting for a CPU.

The run has {figures['conversations']:,} conversations: the 400 bundled SGD scenarios, cloned under new
ids, replayed through `examples.dm_bot:reply` with the default rubric in {figures['replay_s']:.1f} s.
{figures['failed']:,} conversations failed, in {figures['groups']} remediation groups. results.jsonl is {figures['results_mb']:.1f} MB.

| measure | result | target | |
|---|---|---|---|
| render all outputs after the run (`write_outputs`: remediation, HTML, JUnit, CSV) | {figures['render_s']:.2f} s (CPU {figures['render_cpu_s']:.2f} s) | < 3 s | {verdict('render_s')} |
| report.html size | {figures['size_mb']:.2f} MB | < 10 MB | {verdict('size_mb')} |
| Chromium load, from navigation start to the first page of transcripts (median of {figures['loads']}, max {figures['load_max_s']:.2f} s) | {figures['load_s']:.2f} s | < 2 s | {verdict('load_s')} |

Steps of the render, timed one by one: remediation list with clustering {figures['remediation_s']:.2f} s,
HTML {figures['html_s']:.2f} s, JUnit XML {figures['junit_s']:.2f} s, CSV {figures['csv_s']:.2f} s. Reading results.jsonl took
{figures['read_s']:.2f} s there, because the run folder keeps the results it parsed during the run.
Rendering the same run again takes {figures['render_again_s']:.2f} s (median of 3).

`dm-harness report RUN` in a new process takes {figures['report_command_s']:.2f} s{over}. Besides rendering, it
starts Python, imports the packages (scikit-learn alone takes about a second) and parses the
{figures['results_mb']:.0f} MB of results.jsonl.

junit.xml is {figures['junit_mb']:.1f} MB and results.csv {figures['csv_mb']:.1f} MB. In the browser, a text search updates
the list {figures['search_s'] * 1000:.0f} ms after typing (120 ms of that is the wait for more keys), and
the verdict filter takes {figures['filter_s'] * 1000:.0f} ms.
"""


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


def _write_section(text: str) -> None:
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start = existing.find(f"\n{SECTION}\n")
    if start < 0:
        updated = existing.rstrip("\n") + "\n\n" + text
    else:
        end = existing.find("\n## ", start + 1)
        tail = existing[end:] if end >= 0 else ""
        updated = existing[: start + 1] + text + tail
    RESULTS.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
