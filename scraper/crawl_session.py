"""Crawls one after another in one long-lived process: the nights of a replay, a demo or a re-parse.

A Twisted reactor cannot restart, so ``scrapy crawl`` is one crawl per process (scraper.runner), and a
91-night demo started 182 of them, each importing the project, reading its settings, starting a reactor
and tearing it down. A :class:`CrawlSession` starts one worker (forked from the runner's fork server)
that installs the reactor once and runs each crawl it is given as a Scrapy ``CrawlerRunner`` crawl, with
what the crawl would have had in a process of its own:

- its environment and folder (``CONDO_NOW``, ``DATABASE_URL``, a busy timeout...), set before it starts;
- the project's settings module read again under that environment (``scraper.settings`` reads the
  environment when it is imported), then ``scrapy crawl``'s own option handling of its ``-s`` settings
  and ``-a`` arguments;
- a fresh log handler writing to the worker's standard error, which the session hands to the runner
  line by line up to the crawl's end marker, and an exit status as ``scrapy crawl`` gives it (1 when the
  crawl could not start or failed).

Crawls run one at a time. A crawl killed by the runner's watchdog takes the worker with it: the next
crawl starts a new worker. The nightly ``condo crawl`` keeps a process per crawl (two a night, and a
crashed crawl never shares a process with the next).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from scraper.runner import detach_forked_child, fork_context, main_module_hidden

END_MARKER = "\x1econdo-crawl-ended "
"""The line the worker writes to its standard error when a crawl has ended, before its exit status."""

logger = logging.getLogger(__name__)


def _settings_for(argv: list[str]) -> tuple[Any, list[str], Any]:
    """The settings, positional arguments and options ``scrapy crawl`` would have for ``argv`` (read
    under the current environment and folder)."""
    import importlib
    import sys

    from scrapy.cmdline import ScrapyArgumentParser
    from scrapy.commands.crawl import Command
    from scrapy.utils.project import get_project_settings

    module = os.environ.get("SCRAPY_SETTINGS_MODULE", "")
    if module in sys.modules:
        importlib.reload(sys.modules[module])
    settings = get_project_settings()
    command = Command()
    parser = ScrapyArgumentParser(usage="scrapy crawl [options] <spider>", conflict_handler="resolve")
    settings.setdict(command.default_settings, priority="command")
    command.settings = settings
    command.add_options(parser)
    options, arguments = parser.parse_known_args(args=argv[2:])
    command.process_options(arguments, options)
    if len(arguments) != 1:
        raise ValueError(f"a crawl runs exactly one spider, not {arguments}")
    return settings, arguments, options


def _start_crawl(argv: list[str], env: dict[str, str], cwd: str, ended: Any) -> None:
    """In the worker's reactor thread: set the crawl's environment and folder, read its settings, log to
    standard error and start it; ``ended(status)`` is called when it has ended."""
    from scrapy.crawler import CrawlerRunner
    from scrapy.utils.log import install_scrapy_root_handler, log_scrapy_info
    from twisted.python.failure import Failure

    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        settings, arguments, options = _settings_for(argv)
        install_scrapy_root_handler(settings)
        log_scrapy_info(settings)
        runner = CrawlerRunner(settings)
        finished = runner.crawl(arguments[0], **options.spargs)
    except Exception:
        logger.exception("the crawl could not start: %s", " ".join(argv))
        ended(1)
        return

    def done(result: Any) -> None:
        if isinstance(result, Failure):
            logger.error("the crawl failed", exc_info=(result.type, result.value, result.getTracebackObject()))
        ended(1 if isinstance(result, Failure) or runner.bootstrap_failed else 0)

    finished.addBoth(done)


def _serve(commands: Any, stderr: Any, env: dict[str, str]) -> None:
    """The worker: install the project's reactor, then run each crawl received on ``commands`` (argv,
    environment, folder) as it comes, writing END_MARKER and its status after each; end when the
    session closes the pipe."""
    import sys

    detach_forked_child(stderr)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the session owner's to handle
    os.environ.clear()
    os.environ.update(env)
    from scrapy.utils.log import configure_logging
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.reactor import install_reactor

    settings = get_project_settings()
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor as installed

    reactor: Any = installed
    configure_logging({**settings.copy_to_dict(), "LOG_INSTALL_ROOT_HANDLER": False})

    def ended(status: int) -> None:
        for handler in logging.root.handlers:
            handler.flush()
        sys.stderr.write(f"{END_MARKER}{status}\n")
        sys.stderr.flush()

    def listen() -> None:
        while True:
            try:
                command = commands.recv()
            except (EOFError, OSError):
                break
            if command is None:
                break
            reactor.callFromThread(_start_crawl, *command, ended)
        reactor.callFromThread(reactor.stop)

    threading.Thread(target=listen, name="crawl commands", daemon=True).start()
    reactor.run(installSignalHandlers=False)


class _SessionCrawl:
    """A crawl running in the session's worker, with the few methods of ``subprocess.Popen`` the runner
    uses (its standard error ends at the crawl's end marker)."""

    def __init__(self, session: CrawlSession):
        self._session = session
        self.returncode: int | None = None
        self.pid = session.pid
        self.stderr = _CrawlLines(self)

    def _lines(self) -> Iterator[str]:
        while self.returncode is None:
            line = self._session._readline()
            if not line:  # the worker has died (killed): its status is the crawl's
                self.returncode = self._session._reap()
                return
            if line.startswith(END_MARKER):
                self.returncode = int(line[len(END_MARKER) :])
                return
            yield line

    def poll(self) -> int | None:
        """The exit status once the crawl has ended (its end marker read) or its worker has died; the
        worker is reaped by the reader of the lines (the watchdog's polls run beside that reader)."""
        if self.returncode is None and not self._session._alive():
            return self._session.worker_status()
        return self.returncode

    def wait(self) -> int:
        for _ in self._lines():
            pass
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None and self._session._alive() and self.pid:
            os.kill(self.pid, signum)


class _CrawlLines:
    """A crawl's log lines, read from the worker's standard error (closing them leaves the pipe open)."""

    def __init__(self, crawl: _SessionCrawl):
        self._lines = crawl._lines()

    def __iter__(self) -> Iterator[str]:
        return self._lines

    def close(self) -> None:
        pass


class CrawlSession:
    """One long-lived process for crawls run one after another (see the module's text). Use it as a
    context manager and hand it to ``scraper.runner.run_spider_process(..., session=...)``."""

    def __init__(self) -> None:
        self._process: Any = None
        self._commands: Any = None
        self._reader: Any = None
        self._stderr: Any = None
        self._running: _SessionCrawl | None = None
        self.crawls = 0
        """Crawls started in this session."""
        self.workers = 0
        """Worker processes started (more than one only when a crawl was killed)."""

    def __enter__(self) -> CrawlSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def worker_status(self) -> int | None:
        """The worker's exit status (None while it runs, or when there is none)."""
        return None if self._process is None else self._process.exitcode

    def _alive(self) -> bool:
        return self._process is not None and self._process.is_alive()

    def _start_worker(self, env: dict[str, str]) -> None:
        context = fork_context()
        receiver, self._commands = context.Pipe(duplex=False)
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(receiver, writer, env), name="condo-crawl-session")
        with main_module_hidden():
            self._process.start()
        receiver.close()
        writer.close()
        self._stderr = open(self._reader.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        self.workers += 1

    def start(self, argv: list[str], env: dict[str, str]) -> _SessionCrawl:
        """Run ``scrapy crawl`` with ``argv`` (``["scrapy", "crawl", spider, ...]``) in the worker, under
        ``env`` and the caller's folder; the worker is started first if there is none (or it died)."""
        if self._running is not None and self._running.returncode is None:
            self._running.wait()  # its lines unread (its reader gave up): they must not become the next's
        if not self._alive():
            self._reap()
            self._start_worker(env)
        self._commands.send((argv, env, os.getcwd()))
        self.crawls += 1
        self._running = _SessionCrawl(self)
        return self._running

    def _readline(self) -> str:
        return str(self._stderr.readline())

    def _reap(self) -> int:
        """Forget a dead (or closing) worker; its exit status (negative: killed by that signal)."""
        if self._process is None:
            return 0
        self._process.join(5)
        code = self._process.exitcode
        if code is None:  # still alive after its pipe was closed
            self._process.kill()
            self._process.join()
            code = self._process.exitcode
        for end in (self._stderr, self._reader, self._commands):
            if end is not None:
                end.close()
        self._process = self._commands = self._reader = self._stderr = None
        return int(code)

    def close(self) -> None:
        """End the worker (after its crawl, if one is running: call this between crawls)."""
        if self._process is None:
            return
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._commands.send(None)
        self._reap()
