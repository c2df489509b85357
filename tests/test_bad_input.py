"""Every command against the bad inputs a newcomer meets (issue 19): a database URL that cannot be
read, names no driver or reaches no server; a database file that is missing or has no tables; a
wrong option value; a file that is no page or no configuration. Each is a message naming the problem
and a non-zero exit code (1 for a problem with the world, 2 for a wrong command line), never a
traceback, never a password, and never a database created at a mistyped path.

The crawl of a site that cannot be reached (exit 4) is in tests/test_newcomer.py (it takes seconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from condo.cli import main

UNREADABLE = "garbage"
NO_DRIVER = "nosuchdriver://x"
NOT_INSTALLED = "mysql://user@127.0.0.1/condo"
"""A dialect SQLAlchemy knows whose driver (mysqlclient) is not installed."""
UNREACHABLE = "postgresql+psycopg://condo:s3cret@127.0.0.1:1/condo"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    exit_code: int
    message: str
    files: dict[str, str] = field(default_factory=dict)
    """Files to write in the test's folder first (name → text)."""
    on_stdout: bool = False
    """The message is part of the command's own output (``condo status`` lists what needs attention)."""


def url_cases(*command: str, out: bool = False) -> list[Case]:
    """The three unusable database URLs, the missing SQLite file and the file without tables."""
    extra = ("--out", "out") if out else ()
    return [
        Case("unreadable URL", (*command, "--database-url", UNREADABLE, *extra), 1, "the database URL cannot be read"),
        Case("no driver", (*command, "--database-url", NO_DRIVER, *extra), 1, "no database driver for 'nosuchdriver'"),
        Case(
            "driver not installed",
            (*command, "--database-url", NOT_INSTALLED, *extra),
            1,
            "the database driver for 'mysql' is not installed (module MySQLdb): pip install mysqlclient",
        ),
        Case("no server", (*command, "--database-url", UNREACHABLE, *extra), 1, "the database cannot be reached"),
        Case("missing file", (*command, "--database-url", "sqlite:///typo/condo.sqlite3", *extra), 1, "no database at"),
        Case("no tables", (*command, "--database-url", "sqlite:///empty.sqlite3", *extra), 1, "no tables yet"),
    ]


CONFIG_UNREACHABLE = f'[scheduler]\ndatabase_url = "{UNREACHABLE}"\n'

CASES: dict[str, list[Case]] = {
    "parse": [
        Case("missing file", ("parse", "nope.html"), 2, "does not exist"),
        Case("empty file", ("parse", "page.html"), 2, "the file is empty", {"page.html": ""}),
        Case("not HTML", ("parse", "page.html"), 2, "not an HTML page", {"page.html": "\0\1\2\3" * 300}),
        Case(
            "not a WARC file", ("parse", "--warc", "page.html"), 2, "no SUUMO page in these files", {"page.html": "<p>"}
        ),
    ],
    "db upgrade": [
        *url_cases("db", "upgrade")[:3],
        Case(
            "unknown revision",
            ("db", "upgrade", "--database-url", "sqlite:///new.sqlite3", "--revision", "9999"),
            1,
            "the schema cannot be migrated: Can't locate revision identified by '9999'",
        ),
    ],
    "db release-held": [
        *url_cases("db", "release-held", "3"),
        Case("run id not a number", ("db", "release-held", "three"), 2, "'three' is not a valid integer"),
    ],
    "crawl": [
        *url_cases("crawl")[:3],
        Case("unknown ward", ("crawl", "--wards", "shibuya"), 2, "unknown ward 'shibuya': choose from koto"),
        Case("unknown spider", ("crawl", "--spider", "suumo"), 2, "'suumo' is not one of 'suumo_chuko'"),
        Case("setting without a value", ("crawl", "-s", "DOWNLOAD_DELAY"), 2, "expected NAME=VALUE"),
        Case(
            "bad verdict setting",
            ("crawl", "-s", "CONDO_VERDICT_MAX_FALL=a lot"),
            2,
            "CONDO_VERDICT_MAX_FALL must be a float, not 'a lot'",
        ),
        Case(
            "misspelt verdict setting",
            ("crawl", "-s", "CONDO_VERDICT_MAXFALL=0.3"),
            2,
            "unknown setting CONDO_VERDICT_MAXFALL",
        ),
        Case("negative sample", ("crawl", "-s", "CONDO_VERIFY_REMOVALS=-1"), 2, "CONDO_VERIFY_REMOVALS must be"),
    ],
    "demo": [
        Case("no nights", ("demo", "--nights", "0"), 2, "0 is not in the range 1<=x<=400"),
        Case("unknown fault", ("demo", "--faults", "meteor@2"), 2, "unknown fault 'meteor'"),
        Case("out is a file", ("demo", "--out", "notes.txt"), 2, "is a file", {"notes.txt": "mine"}),
        Case(
            "out holds other files",
            ("demo", "--out", "thesis"),
            2,
            "not made by condo demo",
            {"thesis/chapter1.tex": "three years of work"},
        ),
    ],
    "browse": [
        *url_cases("browse"),
        Case("bad port", ("browse", "--port", "99999"), 2, "99999 is not in the range 1<=x<=65535"),
    ],
    "mlit fetch": [
        Case("unknown ward", ("mlit", "fetch", "--wards", "chiyoda"), 2, "'chiyoda' is neither a ward"),
        Case("bad quarter", ("mlit", "fetch", "--from", "2021-1"), 2, "'2021-1' is not a quarter such as 2021Q1"),
        Case("backwards", ("mlit", "fetch", "--from", "2024Q2", "--to", "2024Q1"), 2, "2024Q2 is after 2024Q1"),
        Case("no key", ("mlit", "fetch", "--to", "2024Q1"), 1, "no API key: set CONDO_MLIT_API_KEY"),
    ],
    "mlit import": [
        Case("missing file", ("mlit", "import", "nope.json"), 2, "does not exist"),
        Case("not JSON", ("mlit", "import", "r.json"), 1, "r.json: not JSON", {"r.json": "<html>503</html>"}),
        Case(
            "an error answer",
            ("mlit", "import", "r.json"),
            1,
            "the API answered status 'ERROR'",
            {"r.json": '{"status": "ERROR", "message": "bad key"}'},
        ),
        Case(
            "unreadable URL",
            ("mlit", "import", "r.json", "--database-url", UNREADABLE),
            1,
            "cannot be read",
            {"r.json": '{"status": "OK", "data": []}'},
        ),
    ],
    "explain": [*url_cases("explain", "73305798")],
    "archive prune": [
        Case("no archive", ("archive", "prune", "--archive", "nope"), 1, "no page archive at nope"),
        Case("negative days", ("archive", "prune", "--keep-days", "-1"), 2, "-1 is not in the range x>=0"),
    ],
    "reparse": [
        Case("missing folder", ("reparse", "--archive", "nope"), 2, "does not exist"),
        Case(
            "no WARC",
            ("reparse", "--archive", "empty"),
            1,
            "no WARC file of the page archive in empty",
            {"empty/readme.txt": "x"},
        ),
    ],
    "export": [
        *url_cases("export", out=True),
        Case("unknown format", ("export", "--format", "xlsx"), 2, "choose from parquet, csv, sqlite, not 'xlsx'"),
    ],
    "report weekly": [
        *url_cases("report", "weekly", out=True),
        Case("bad week", ("report", "weekly", "--week", "2026-44"), 2, "is not of the form YYYY-Www"),
        Case("unknown language", ("report", "weekly", "--lang", "fr"), 2, "'fr' is not one of 'en', 'ja'"),
    ],
    "schedule": [
        Case("missing config", ("schedule", "--config", "nope.toml", "--list"), 2, "no such configuration file"),
        Case("broken config", ("schedule", "--config", "s.toml", "--list"), 2, "not valid TOML", {"s.toml": "[jobs"}),
        Case("unknown job", ("schedule", "--run", "backup"), 2, "'backup' is not one of 'nightly_crawl'"),
        Case(
            "bad crawl setting in the config",
            ("schedule", "--config", "s.toml", "--list"),
            2,
            "nightly_crawl.settings: CONDO_VERDICT_MIN_COVERAGE must be a float, not 'most'",
            {"s.toml": '[jobs.nightly_crawl.settings]\nCONDO_VERDICT_MIN_COVERAGE = "most"\n'},
        ),
        Case(
            "database unreachable",
            ("schedule", "--config", "s.toml", "--run", "maintenance"),
            1,
            "the database cannot be reached",
            {"s.toml": CONFIG_UNREACHABLE},
        ),
    ],
    "status": [
        *url_cases("status")[:3],
        Case(
            "missing file",
            ("status", "--database-url", "sqlite:///typo/condo.sqlite3"),
            1,
            "! The database is missing: no database at",
            on_stdout=True,
        ),
        Case(
            "no tables",
            ("status", "--database-url", "sqlite:///empty.sqlite3"),
            1,
            "! The database has no tables yet: run `condo db upgrade`",
            on_stdout=True,
        ),
        Case("missing config", ("status", "--config", "nope.toml"), 2, "no such configuration file"),
    ],
}


def leaf_commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            names += leaf_commands(command, f"{prefix}{name} ")
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_command_meets_bad_input() -> None:
    assert set(leaf_commands(main)) == set(CASES), "give each command its bad-input cases"


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=f"{command}: {case.name}") for command, cases in CASES.items() for case in cases]
)
def test_bad_input_is_a_message_and_an_exit_code(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.chdir(tmp_path)
    with sqlite3.connect(tmp_path / "empty.sqlite3") as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")  # a SQLite file, but not ours
    for name, text in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    env = {"DATABASE_URL": "", "CONDO_DATA_DIR": str(tmp_path / "data"), "CONDO_MLIT_API_KEY": ""}
    result = CliRunner().invoke(main, list(case.args), env=env)
    assert result.exit_code == case.exit_code, result.output
    assert case.message in " ".join((result.stdout if case.on_stdout else result.stderr).split()), result.output
    assert "Traceback" not in result.output and "s3cret" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if case.exit_code == 1 and not case.on_stdout:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    created = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) if case.exit_code else before
    assert not [p for p in created if p not in before and p.suffix == ".sqlite3"], "a database was created"
