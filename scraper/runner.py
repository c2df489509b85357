"""Run one spider in its own process (a Twisted reactor cannot restart) and follow its progress.

The library behind ``condo crawl``: the child is ``python -m scrapy crawl``; its log goes to a file,
its progress lines to a callback, its final stats to a JSON file that the parent reads back.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PROGRESS = re.compile(r"progress ward=(?P<ward>\w+) page=(?P<page>\d+) cards=(?P<cards>\d+) hits=(?P<hits>\d+|None)")


@dataclass
class Progress:
    ward: str
    page: int
    cards: int
    hits: int | None


@dataclass
class SpiderRun:
    spider: str
    returncode: int
    stats: dict[str, Any] = field(default_factory=dict)
    log_path: Path | None = None
    killed_after_time_limit: bool = False

    @property
    def run_id(self) -> int | None:
        value = self.stats.get("db/run_id")
        return int(value) if isinstance(value, int) else None


def spider_names() -> list[str]:
    """The project's spiders, as Scrapy's spider loader finds them in ``SPIDER_MODULES`` (the one list:
    ``condo crawl``, the scheduler and ``condo status`` all ask here).

    >>> spider_names()
    ['suumo_chuko', 'suumo_shinchiku']
    """
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    from scraper import settings

    return sorted(SpiderLoader.from_settings(Settings({"SPIDER_MODULES": settings.SPIDER_MODULES})).list())


def die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies, so a killed job does
    not leave its crawl running (and writing) with nobody holding the crawl lock. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def parse_progress(line: str) -> Progress | None:
    """Read a spider's progress log line.

    >>> parse_progress("... progress ward=koto page=2 cards=150 hits=240")
    Progress(ward='koto', page=2, cards=150, hits=240)
    """
    match = _PROGRESS.search(line)
    if not match:
        return None
    hits = match.group("hits")
    return Progress(
        match.group("ward"), int(match.group("page")), int(match.group("cards")), None if hits == "None" else int(hits)
    )


def run_spider_process(
    spider: str,
    *,
    wards: str | None = None,
    settings: Mapping[str, str] | None = None,
    time_limit: float | None = None,
    log_path: Path | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> SpiderRun:
    """Run ``scrapy crawl <spider>`` in a child process and wait for it.

    ``time_limit`` (seconds) closes the spider gracefully (``CLOSESPIDER_TIMEOUT``); a child still alive
    two minutes after that is killed, and its run stays unfinished (the next run marks it interrupted).
    """
    stats_file = Path(tempfile.mkstemp(prefix=f"{spider}-", suffix=".json")[1])
    command: list[str] = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"STATS_FILE={stats_file}"]
    if wards:
        command += ["-a", f"wards={wards}"]
    all_settings = dict(settings or {})
    child_env = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "scraper.settings"}
    if "DATABASE_URL" in all_settings:
        # Through the environment: a command line (and a PostgreSQL password in it) is visible in ps.
        child_env["DATABASE_URL"] = all_settings.pop("DATABASE_URL")
    if time_limit:
        all_settings.setdefault("CLOSESPIDER_TIMEOUT", str(int(time_limit)))
    for name, value in all_settings.items():
        command += ["-s", f"{name}={value}"]
    log_file = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        command,
        # The caller's folder, so that relative paths in the settings mean what they meant to the caller;
        # Scrapy finds the project through SCRAPY_SETTINGS_MODULE, not a scrapy.cfg (it works from a wheel).
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env,
        preexec_fn=die_with_parent,
    )
    killed = threading.Event()

    def watchdog() -> None:
        deadline = time.monotonic() + (time_limit or 0) + 120
        while process.poll() is None:
            if time_limit and time.monotonic() > deadline:
                killed.set()
                process.send_signal(signal.SIGKILL)
                return
            time.sleep(1)

    threading.Thread(target=watchdog, daemon=True).start()
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if log_file:
                log_file.write(line)
            if on_progress and (progress := parse_progress(line)):
                on_progress(progress)
        returncode = process.wait()
    finally:
        process.stderr.close()
        if log_file:
            log_file.close()
    stats: dict[str, Any] = {}
    if stats_file.exists() and stats_file.stat().st_size:
        stats = json.loads(stats_file.read_text())
    stats_file.unlink(missing_ok=True)
    return SpiderRun(spider, returncode, stats, log_path, killed.is_set())
