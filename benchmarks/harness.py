"""Timers, memory high-water marks, profiles and the machine description shared by the benchmarks.

Every figure is a median of repeats measured in the same process as its floor, alternating with it,
so a ratio compares two things done on the same machine, with the same Python, under the same load.
"""

from __future__ import annotations

import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("scrapy", "lxml", "parsel", "sqlalchemy", "psycopg", "pandas", "numpy", "matplotlib", "pyarrow")


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory, OS, Python and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    with suppress(ValueError, OSError):
        memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "versions": versions,
        "code": code_version(),
    }


def code_version() -> str | None:
    """The commit the figures were measured at (``+changes`` when the working tree differed), or None
    outside a git checkout."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+changes" if changed else "")


def _status_kib(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Memory:
    """Resident memory of this process before a piece of work and its high-water mark during it (MiB)."""

    before_mib: float | None = None
    peak_mib: float | None = None

    @property
    def added_mib(self) -> float | None:
        if self.before_mib is None or self.peak_mib is None:
            return None
        return round(self.peak_mib - self.before_mib, 1)


@contextmanager
def peak_memory() -> Iterator[Memory]:
    """Measure the resident-set high-water mark of the work inside the block.

    Linux resets the mark when 5 is written to /proc/self/clear_refs; elsewhere the figures stay None
    (the results say so rather than guess).
    """
    memory = Memory()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kib("VmRSS")
    except OSError:
        before = None
    memory.before_mib = round(before / 1024, 1) if before is not None else None
    yield memory
    peak = _status_kib("VmHWM") if before is not None else None
    memory.peak_mib = round(peak / 1024, 1) if peak is not None else None


@dataclass
class Timing:
    """Repeated wall-clock timings of one piece of work, in seconds."""

    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_s": round(self.median, 6),
            "min_s": round(min(self.seconds), 6),
            "max_s": round(max(self.seconds), 6),
            "repeats": len(self.seconds),
        }


def repeat(work: Callable[[], Any], repeats: int, setup: Callable[[], Any] | None = None) -> Timing:
    """Time ``work`` ``repeats`` times (``setup`` runs before each, untimed)."""
    timing = Timing()
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        timing.seconds.append(time.perf_counter() - start)
    return timing


def interleaved(
    work: Callable[[], Any],
    floor: Callable[[], Any],
    repeats: int,
    work_setup: Callable[[], Any] | None = None,
    floor_setup: Callable[[], Any] | None = None,
) -> tuple[Timing, Timing]:
    """Time ``work`` and its ``floor`` ``repeats`` times each, alternating (work, floor, work, …).

    On a shared machine the speed drifts by tens of per cent over seconds; timed in two blocks, the
    work and its floor would see different machines and the ratio would carry that drift. Alternated,
    both see the same conditions."""
    work_timing, floor_timing = Timing(), Timing()
    for _ in range(repeats):
        for timing, run, setup in ((work_timing, work, work_setup), (floor_timing, floor, floor_setup)):
            if setup is not None:
                setup()
            timing.seconds.append(timed(run))
    return work_timing, floor_timing


def timed(work: Callable[[], Any]) -> float:
    """Wall-clock seconds of one run of ``work``."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def profile(work: Callable[[], Any], top: int = 25) -> str:
    """A cProfile of one run of ``work``: the functions with the most cumulative time, as text."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        work()
    finally:
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    text = out.getvalue()
    # Drop pstats' preamble (the header lines before the table are about the profiler, not the work).
    return text[text.find("   ncalls") :] if "   ncalls" in text else text


def ratio(figure: float, floor: float) -> float:
    """figure ÷ floor, rounded for the results (both in the same unit)."""
    return round(figure / floor, 3) if floor else float("nan")


def progress(message: str) -> None:
    """One line of progress on stderr (the results go to the file and to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
