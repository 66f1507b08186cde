"""Timing a tool as a subprocess: wall time, peak memory, and when it first reached the bot.

Peak memory is measured two ways. ``os.wait4`` gives the kernel's ``ru_maxrss`` of the child:
the largest resident set of the process or of any one of its waited-for descendants. Polling
``/proc`` every 50 ms sums the resident sets of the whole process tree, which counts the
helper processes a tool starts. The report uses the larger of the two.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Measurement", "load_average", "peak_between", "run_measured"]

_PAGE = os.sysconf("SC_PAGE_SIZE")
_POLL_S = 0.05


@dataclass
class Measurement:
    """One measured run of a command."""

    command: list[str]
    returncode: int
    wall_s: float
    started_at: float
    """Wall-clock time (``time.time()``) when the process was started."""

    maxrss_mb: float
    """``ru_maxrss`` from ``wait4``: the largest single process."""

    tree_peak_mb: float
    """Largest sum of resident sets over the process tree, polled every 50 ms."""

    cpu_s: float = 0.0
    """User plus system CPU time of the process and its waited-for descendants."""

    samples: list[tuple[float, int]] = field(default_factory=list)
    """(``time.time()``, resident bytes of the tree) every 50 ms."""

    stderr_tail: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        """Peak memory: the larger of the two measurements."""
        return max(self.maxrss_mb, self.tree_peak_mb)


def run_measured(
    command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout_s: float = 900
) -> Measurement:
    """Run ``command`` to its end and measure it.

    Raises:
        subprocess.TimeoutExpired: The command ran longer than ``timeout_s``; it is killed.
    """
    stderr_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-stderr-{os.getpid()}-{time.monotonic_ns()}.log"
    with stderr_path.open("w+", encoding="utf-8", errors="replace") as stderr:
        started_at = time.time()
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr)
        poller = _TreePoller(process.pid)
        poller.start()
        returncode, usage = _wait(process, timeout_s)
        wall = time.perf_counter() - start
        poller.stop()

        stderr.seek(0)
        tail = stderr.read()[-2000:]
    stderr_path.unlink(missing_ok=True)
    return Measurement(
        command,
        returncode,
        wall,
        started_at,
        maxrss_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=max((rss for _, rss in poller.samples), default=0) / 2**20,
        cpu_s=usage.ru_utime + usage.ru_stime,
        samples=poller.samples,
        stderr_tail=tail,
    )


def peak_between(measurement: Measurement, start: float, end: float) -> float:
    """Return the largest polled tree RSS, in MiB, between two ``time.time()`` values."""
    inside = [rss for at, rss in measurement.samples if start <= at <= end]
    return max(inside, default=0) / 2**20


def _wait(process: subprocess.Popen[bytes], timeout_s: float) -> tuple[int, resource.struct_rusage]:
    deadline = time.monotonic() + timeout_s
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage
        if time.monotonic() > deadline:
            process.kill()
            raise subprocess.TimeoutExpired(process.args, timeout_s)
        time.sleep(0.01)


class _TreePoller(threading.Thread):
    """Polls the resident set of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append((time.time(), sum(_rss(pid) for pid in _tree(self.pid))))
            self._stop_event.wait(_POLL_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _tree(root: int) -> list[int]:
    pids = [root]
    index = 0
    while index < len(pids):
        pids.extend(_children(pids[index]))
        index += 1
    return pids


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * _PAGE


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, to show how busy the machine was."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
