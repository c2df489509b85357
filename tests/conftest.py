"""Shared test fixtures.

The real saved pages live outside the repo, in ``../shared/fixtures/pages/`` (third-party pages are
not copied here). ``CONDO_SHARED_DIR`` overrides the location. A missing page skips its test on a
developer machine and fails it under ``CI=true``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONDO_SHARED_DIR", REPO.parent / "shared"))
PAGES = SHARED / "fixtures" / "pages"
HANDWRITTEN = Path(__file__).resolve().parent / "pages"
FROZEN_NOW = dt.datetime(2026, 9, 6, 18, 0, tzinfo=dt.UTC)

settings.register_profile("ci", max_examples=200, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def shared_page(relative: str) -> Path:
    """Path of a real saved page; skip (or fail under CI=true) when it is not there."""
    path = PAGES / relative
    if not path.is_file():
        message = f"real saved page {path} is missing (set CONDO_SHARED_DIR to the shared/ folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def read_shared(relative: str) -> str:
    return shared_page(relative).read_text(encoding="utf-8")


def read_handwritten(name: str) -> str:
    return (HANDWRITTEN / name).read_text(encoding="utf-8")


# --- databases ---------------------------------------------------------------------------------

import itertools  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from sqlalchemy import Engine, create_engine, text  # noqa: E402


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A real PostgreSQL server for the session, with a migrated template database."""
    from db.engine import make_engine
    from db.migrate import upgrade
    from db.temporary_server import pg_bin, postgres_server

    if pg_bin() is None:
        message = (
            "PostgreSQL 15 server binaries are not installed: apt-get install postgresql-15 (scripts/test.sh does it "
            "as root), or point CONDO_PG_BIN at a folder with initdb and pg_ctl"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with postgres_server() as server:
        admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE condo_template"))
        template = make_engine(server.url("condo_template"))
        upgrade(template)
        template.dispose()
        yield server
        admin.dispose()


_database_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database on each engine: SQLite in a temp file, PostgreSQL cloned from the
    migrated template."""
    from db.engine import make_engine
    from db.migrate import upgrade

    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'condo.sqlite3'}")
        upgrade(made)
        yield made
        made.dispose()
        return
    server = request.getfixturevalue("postgres")
    name = f"condo_test_{next(_database_numbers)}"
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")  # type: ignore[attr-defined]
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE condo_template"))
    made = make_engine(server.url(name))  # type: ignore[attr-defined]
    yield made
    made.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name}"))
    admin.dispose()


# --- ground-truth report ------------------------------------------------------------------------

TRUTH_REPORT: list[str] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its lines to the controller, which prints them all (pytest_testnodedown)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["truth_report"] = list(TRUTH_REPORT)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    TRUTH_REPORT.extend(getattr(node, "workeroutput", {}).get("truth_report", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRUTH_REPORT:
        terminalreporter.section("comparison with the simulator's ground truth (SIMULATED data)")
        for line in TRUTH_REPORT:
            terminalreporter.write_line(line)


# --- nothing left running -----------------------------------------------------------------------

SESSION_MARK = "CONDO_TEST_SESSION"
"""Every process a test starts inherits this variable with the test process's own value, so that one
left running at the end is found even when its parent is gone (an orphan re-parented to init)."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: a worker per core and one more. Much of the suite waits rather than computes (the
    fault drills' simulated hangs and timeouts, crawl and server processes starting): on the developers'
    two cores three workers ran it in 397.9 s against 438.1 s for two (docs/development.md)."""
    return (os.cpu_count() or 1) + 1


def pytest_configure(config: pytest.Config) -> None:
    # Per process (an xdist worker overwrites the value it inherited): each checks its own children.
    os.environ[SESSION_MARK] = f"{os.getpid()}-{os.urandom(4).hex()}"


from scraper.runner import CRAWL_PROCESS_NAME  # noqa: E402

HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")
"""Command lines of multiprocessing's helper processes."""


def processes_marked(mark: str) -> dict[int, str]:
    """Live processes (of this user) started with ``CONDO_TEST_SESSION=mark``: pid → command line."""
    needle = f"{SESSION_MARK}={mark}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            name = (entry / "comm").read_text().strip()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        # A zombie has ended (its parent has not reaped it yet); multiprocessing's resource tracker and fork
        # server (scraper.runner forks the crawls from one) are helpers that end with the test process. A
        # crawl forked from the server keeps the server's command line but has a name of its own.
        helper = any(part in command for part in HELPERS) and name != CRAWL_PROCESS_NAME
        if state != "Z" and not helper:
            found[int(entry.name)] = command
    return found


@pytest.fixture(scope="session", autouse=True)
def nothing_left_running() -> Iterator[None]:
    """After the last test: no process any test started is still alive (a few seconds' grace for those
    shutting down). Any left are killed and the session fails, naming them."""
    yield
    if not Path("/proc/self/environ").exists():
        return
    import contextlib
    import signal
    import time

    mark = os.environ[SESSION_MARK]
    deadline = time.monotonic() + 10
    while (left := processes_marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:
        with contextlib.suppress(OSError):  # ended meanwhile
            os.kill(pid, signal.SIGKILL)
    assert not left, "processes started by the tests were still running at the end (killed now): " + "; ".join(
        f"{pid}: {command[:200]}" for pid, command in sorted(left.items())
    )
