"""A real PostgreSQL 15 server on a temporary directory and a free local port, for the tests and the
benchmarks (which must not import the test package).

No stand-in: the suite runs its database tests on this server as well as on SQLite. When the server
binaries are missing the PostgreSQL tests skip, and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = [Path(os.environ.get("CONDO_PG_BIN", "")), Path("/usr/lib/postgresql/15/bin")]


def pg_bin() -> Path | None:
    for directory in PG_BIN_DIRS:
        if str(directory) and (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    port: int
    user: str = "postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the package's "postgres" account runs it instead.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    binaries = pg_bin()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    root = Path(tempfile.mkdtemp(prefix="condo-pg-", dir="/tmp"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield PostgresServer(port)
    finally:
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)
