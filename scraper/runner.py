"""Run one spider in its own process (a Twisted reactor cannot restart) and follow its progress.

The library behind ``condo crawl``: the child is ``scrapy crawl``; its log goes to a file, its
progress lines to a callback, its final stats to a JSON file that the parent reads back.

On Linux the child is forked from a fork server (``multiprocessing``'s) that has imported Scrapy,
Twisted, SQLAlchemy and the parsers' libraries once (PRELOAD), so that a night, a replay or a demo
does not pay for those imports on every crawl; it is still one process per crawl, with its own
environment, folder and reactor. ``CONDO_CRAWL_START=exec`` (or another system) starts each crawl
as ``python -m scrapy crawl`` instead.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

PRELOAD = (
    "scrapy.cmdline",
    "scrapy.crawler",
    "scrapy.commands.crawl",
    "scrapy.http",
    "scrapy.spiders",
    "sqlalchemy.orm",
    "alembic.command",
    "parsel",
    "lxml.html",
    "w3lib.html",
    "warcio",
)
"""What the fork server imports once. Third-party modules only: ours read the environment when they
are imported (scraper.settings), and each crawl has an environment of its own. None of these installs
a Twisted reactor (Scrapy installs the one its settings name, in the crawl)."""
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


CRAWL_PROCESS_NAME = "condo-crawl"
"""The name (``/proc/<pid>/comm``) of a crawl forked from the fork server."""


def _name_process(name: str) -> None:
    """Linux's name of this process (what ps and top show beside its command line)."""
    import ctypes

    pr_set_name = 15
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_name, name.encode()[:15])


def die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies, so a killed job does
    not leave its crawl running (and writing) with nobody holding the crawl lock. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _forking() -> bool:
    return sys.platform.startswith("linux") and os.environ.get("CONDO_CRAWL_START", "fork") != "exec"


_fork_context: Any = None


def fork_context() -> Any:
    """The fork server's context, made once per process (the server starts with the first crawl)."""
    global _fork_context
    if _fork_context is None:
        _fork_context = multiprocessing.get_context("forkserver")
        _fork_context.set_forkserver_preload(list(PRELOAD))
    return _fork_context


def detach_forked_child(stderr: Any) -> None:
    """In a child forked from the fork server: die with it, name the process, drop the server's
    keep-alive pipe, and take ``stderr`` (a pipe's writing end) as standard error, standard input and
    output from /dev/null."""
    die_with_parent()  # the fork server's death (it ends when the process that started it has ended)
    _name_process(CRAWL_PROCESS_NAME)  # a fork keeps the server's command line: ps and top show this
    # multiprocessing hands every child a copy of the pipe that keeps the fork server alive while any of
    # its clients live; a crawl is no client, and holding it would keep the server (and so the crawl)
    # alive after the process that started the crawl was killed.
    from multiprocessing import forkserver

    alive = getattr(forkserver._forkserver, "_forkserver_alive_fd", None)
    if alive is not None:
        os.close(alive)
        forkserver._forkserver._forkserver_alive_fd = None  # type: ignore[attr-defined]
    os.dup2(stderr.fileno(), 2)
    stderr.close()
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)


def _crawl_in_child(argv: list[str], env: dict[str, str], cwd: str, stderr: Any) -> None:
    """The forked crawl: its environment, folder and standard streams, then ``scrapy crawl`` (whose exit
    code becomes the process's)."""
    detach_forked_child(stderr)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = argv
    from scrapy.cmdline import execute

    execute(argv)


@contextmanager
def main_module_hidden() -> Iterator[None]:
    """While a crawl is started: multiprocessing would import the caller's main module again in the
    child (``python -m condo`` would run the command a second time there); the crawl needs none of it."""
    main = sys.modules["__main__"]
    saved: dict[str, Any] = {name: main.__dict__[name] for name in ("__spec__", "__file__") if name in main.__dict__}
    main.__dict__["__spec__"] = None
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


class _ForkedCrawl:
    """A crawl forked from the fork server, with the few methods of ``subprocess.Popen`` the runner uses."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        context = fork_context()
        reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=_crawl_in_child, args=(argv, env, os.getcwd(), writer))
        with main_module_hidden():
            self._process.start()
        writer.close()
        self._reader = reader
        # The exit status comes once through the fork server's pipe: the watchdog's polls and the wait
        # must not read it at the same time.
        self._lock = threading.Lock()
        self.pid = self._process.pid
        self.stderr = open(reader.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115

    def poll(self) -> int | None:
        with self._lock:
            return self._process.exitcode

    def wait(self) -> int:
        while True:
            with self._lock:
                self._process.join(0.2)
                code = self._process.exitcode
            if code is not None:
                break
        self.stderr.close()
        self._reader.close()
        return int(code)

    def send_signal(self, signum: int) -> None:
        if self.poll() is None and self.pid:
            os.kill(self.pid, signum)


class CrawlStarter(Protocol):
    """What runs a crawl elsewhere than in a process of its own (scraper.crawl_session.CrawlSession):
    ``start`` returns an object with the methods of ``subprocess.Popen`` the runner uses (``poll``,
    ``wait``, ``send_signal``, ``stderr``)."""

    def start(self, argv: list[str], env: dict[str, str]) -> Any: ...


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
    session: CrawlStarter | None = None,
) -> SpiderRun:
    """Run ``scrapy crawl <spider>`` in a child process and wait for it.

    ``time_limit`` (seconds) closes the spider gracefully (``CLOSESPIDER_TIMEOUT``); a child still alive
    two minutes after that is killed, and its run stays unfinished (the next run marks it interrupted).
    With a ``session`` (scraper.crawl_session) the crawl runs in the session's long-lived process.
    """
    stats_file = Path(tempfile.mkstemp(prefix=f"{spider}-", suffix=".json")[1])
    arguments: list[str] = ["crawl", spider, "-s", f"STATS_FILE={stats_file}"]
    if wards:
        arguments += ["-a", f"wards={wards}"]
    all_settings = dict(settings or {})
    child_env = {**os.environ, **(env or {}), "SCRAPY_SETTINGS_MODULE": "scraper.settings"}
    if "DATABASE_URL" in all_settings:
        # Through the environment: a command line (and a PostgreSQL password in it) is visible in ps.
        child_env["DATABASE_URL"] = all_settings.pop("DATABASE_URL")
    if time_limit:
        all_settings.setdefault("CLOSESPIDER_TIMEOUT", str(int(time_limit)))
    for name, value in all_settings.items():
        arguments += ["-s", f"{name}={value}"]
    log_file = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115 (closed below)
    # In the caller's folder, so that relative paths in the settings mean what they meant to the caller;
    # Scrapy finds the project through SCRAPY_SETTINGS_MODULE, not a scrapy.cfg (it works from a wheel).
    process: Any
    if session is not None:
        process = session.start(["scrapy", *arguments], child_env)
    elif _forking():
        process = _ForkedCrawl(["scrapy", *arguments], child_env)
    else:
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", *arguments],
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
