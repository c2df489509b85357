"""Engines and sessions. SQLite by default (a file under the data folder); ``DATABASE_URL`` switches to
PostgreSQL (``postgresql+psycopg://user:pass@host/db``).

Callers own the session: library functions take a ``Session`` and never commit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATA_DIR = Path("data")


def data_dir() -> Path:
    """The data folder: ``CONDO_DATA_DIR`` or ``./data``."""
    return Path(os.environ.get("CONDO_DATA_DIR", str(DEFAULT_DATA_DIR)))


def database_url(url: str | None = None) -> str:
    """The database URL: the argument, else ``DATABASE_URL``, else SQLite at ``<data>/condo.sqlite3``.

    A relative SQLite path is made absolute (from the current folder), so that the URL means the same
    file to a child process that runs elsewhere (the spider process runs in the project's folder).

    >>> database_url("sqlite:////tmp/x.sqlite3")
    'sqlite:////tmp/x.sqlite3'
    """
    chosen = url or os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'condo.sqlite3'}"
    try:
        parsed = make_url(chosen)
    except ArgumentError:
        return chosen  # make_engine says what is wrong with it
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute() and not parsed.database.startswith("file:"):
            return parsed.set(database=str(path.resolve())).render_as_string(hide_password=False)
    return chosen


def masked_url(url: str) -> str:
    """The URL as it may be shown: the password replaced by ``***``.

    >>> masked_url("postgresql+psycopg://condo:secret@db.local/condo")
    'postgresql+psycopg://condo:***@db.local/condo'
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(a URL that cannot be read)"


DEFAULT_BUSY_TIMEOUT_MS = 30_000


def busy_timeout_ms() -> int:
    """How long a SQLite connection waits for another's write lock: ``CONDO_SQLITE_BUSY_TIMEOUT_MS``
    or 30 s. (The write-lock drill shortens it; a write that still fails is retried by the crawl.)"""
    raw = os.environ.get("CONDO_SQLITE_BUSY_TIMEOUT_MS", "")
    if not raw:
        return DEFAULT_BUSY_TIMEOUT_MS
    if not raw.isdigit():
        raise ValueError(f"CONDO_SQLITE_BUSY_TIMEOUT_MS must be milliseconds (a whole number), not {raw!r}")
    return int(raw)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.close()


DRIVER_PACKAGES = {
    "MySQLdb": "mysqlclient",
    "pymysql": "PyMySQL",
    "psycopg2": "psycopg2-binary (or write postgresql+psycopg://, the driver this project installs)",
    "psycopg": "psycopg[binary]",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "cx_Oracle": "cx_Oracle",
    "oracledb": "oracledb",
    "pyodbc": "pyodbc",
    "pymssql": "pymssql",
}
"""The package that provides each database driver module SQLAlchemy may ask for."""


class MissingDriverError(Exception):
    """The URL names a database driver that is not installed."""


class NoDatabaseError(Exception):
    """A command that only reads was pointed at a SQLite file that does not exist (it is not created)."""


def make_engine(url: str | None = None, must_exist: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, foreign keys and a busy timeout, and its folder.

    ``must_exist`` (for commands that only read): a SQLite file that is not there raises
    NoDatabaseError instead of being created, empty, at a mistyped path.
    """
    resolved = make_url(database_url(url))
    if resolved.get_backend_name() == "sqlite":
        if must_exist and resolved.database and resolved.database != ":memory:":
            if not Path(resolved.database).is_file():
                raise NoDatabaseError(
                    f"no database at {resolved.database}: check --database-url (or DATABASE_URL), or create it "
                    "with `condo db upgrade` and fill it with `condo crawl` (or `condo demo`)"
                )
        elif resolved.database and resolved.database != ":memory:":
            Path(resolved.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(resolved, pool_pre_ping=True, **kwargs)
    except ImportError as error:
        module = (getattr(error, "name", None) or "").split(".")[0] or str(error)
        package = DRIVER_PACKAGES.get(module, module)
        raise MissingDriverError(
            f"the database driver for {resolved.drivername!r} is not installed (module {module}): "
            f"pip install {package}; this project is tested on SQLite and PostgreSQL (postgresql+psycopg://)"
        ) from error


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
