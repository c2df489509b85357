"""One crawl per database: locks that belong to the database, not to a working folder.

On PostgreSQL a lock is a session advisory lock held on a connection of its own (two schedulers on
two hosts sharing one database: one runs, the other is told who holds the lock, from
``pg_stat_activity``). On SQLite it is ``fcntl.flock`` on a file beside the database file
(``condo.sqlite3.crawl.lock``), which names its holder. Either way the lock dies with its holder: the
kernel drops the flock, PostgreSQL ends the session.

Names in use: ``crawl`` (a crawl or maintenance: never both at once), ``job-<name>`` (one run of a
scheduled job at a time), ``scheduler`` (one scheduler per database).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import socket
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

_CLASS_ID = 0x636F6E64  # "cond": the first key of the project's advisory locks


class DatabaseLocked(RuntimeError):
    """Another process holds the lock; the message says who, where it can tell."""


def holder_text() -> str:
    """Who takes a lock: host, process id, start time and command (never a password or a URL)."""
    command = " ".join(os.path.basename(part) if index == 0 else part for index, part in enumerate(sys.argv[:3]))
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"host {socket.gethostname()} pid {os.getpid()} since {started} ({command})"


def advisory_key(name: str) -> int:
    """The second key of a lock's advisory-lock pair (a signed 32-bit CRC of the name).

    >>> advisory_key("crawl") == advisory_key("crawl") != advisory_key("scheduler")
    True
    """
    value = zlib.crc32(name.encode())
    return value - 2**32 if value >= 2**31 else value


def lock_file(database_url: str, name: str) -> Path | None:
    """The SQLite lock file of ``name`` beside the database file (None for an in-memory database)."""
    url = make_url(database_url)
    if not url.database or url.database == ":memory:":
        return None
    path = Path(url.database).resolve()
    return path.with_name(f"{path.name}.{name}.lock")


@contextmanager
def database_lock(database_url: str, name: str) -> Iterator[str]:
    """Hold the database's lock ``name`` for the block; raise :class:`DatabaseLocked` at once when
    another process holds it. Yields a description of where the lock lives."""
    backend = make_url(database_url).get_backend_name()
    if backend == "sqlite":
        with _file_lock(database_url, name) as where:
            yield where
    elif backend == "postgresql":
        with _advisory_lock(database_url, name) as where:
            yield where
    else:
        raise ValueError(f"no database lock for {backend} databases")


@contextmanager
def _file_lock(database_url: str, name: str) -> Iterator[str]:
    path = lock_file(database_url, name)
    if path is None:  # an in-memory database lives in one process: nothing to share
        yield "in-memory database (no lock needed)"
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the block)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise DatabaseLocked(f"the {name} lock of {path.name[: -len(name) - 6]} is held by {holder}") from error
        handle.seek(0)
        handle.truncate()
        handle.write(holder_text())
        handle.flush()
        yield str(path)
    finally:
        handle.close()


@contextmanager
def _advisory_lock(database_url: str, name: str) -> Iterator[str]:
    key = advisory_key(name)
    label = f"condo {name} lock: {holder_text()}"[:63]  # application_name holds 63 bytes
    engine = create_engine(database_url, poolclass=NullPool, connect_args={"application_name": label})
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            got = connection.execute(text("SELECT pg_try_advisory_lock(:c, :k)"), {"c": _CLASS_ID, "k": key}).scalar()
            if not got:
                raise DatabaseLocked(f"the {name} lock of the database is held by {_pg_holder(connection, key)}")
            try:
                yield f"PostgreSQL advisory lock ({_CLASS_ID}, {key})"
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:c, :k)"), {"c": _CLASS_ID, "k": key})
    finally:
        engine.dispose()


def _pg_holder(connection: object, key: int) -> str:
    row = connection.execute(  # type: ignore[attr-defined]
        text(
            "SELECT a.application_name, a.client_addr, a.pid, a.backend_start FROM pg_locks l"
            " JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :c AND l.objid = :k"
        ),
        {"c": _CLASS_ID & 0xFFFFFFFF, "k": key & 0xFFFFFFFF},
    ).first()
    if row is None:
        return "another session (it may just have let go)"
    application, address, pid, since = row
    where = f" from {address}" if address else ""
    return f"{application or 'a session'} (server pid {pid}{where}, connected {since:%Y-%m-%d %H:%M %Z})"
