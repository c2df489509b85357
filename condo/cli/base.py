"""What every ``condo`` command shares: the ``condo`` group (one line, never a traceback, for a database
that cannot be reached), the database option and :func:`database`, which opens it and closes it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from scraper.runner import spider_names

if TYPE_CHECKING:
    from sqlalchemy import Engine


class SpiderChoice(click.Choice):
    """``click.Choice`` over the project's spiders, asked of Scrapy's spider loader when first needed:
    loading every spider module at start-up would slow every command."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(spider_names())

    @choices.setter
    def choices(self, _value: object) -> None:
        return


DATABASE_URL_OPTION = click.option(
    "--database-url", envvar="DATABASE_URL", help="SQLAlchemy URL (default: sqlite:///data/condo.sqlite3)."
)


class CondoGroup(click.Group):
    """The ``condo`` command: a database that cannot be reached or named ends a command with one line
    saying so and what to check (exit 1), never with a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from alembic.util import CommandError
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

        from db.engine import MissingDriverError, NoDatabaseError

        check = " Check the database URL: --database-url, DATABASE_URL, or database_url in the scheduler's config."
        try:
            return super().invoke(ctx)
        except (NoDatabaseError, MissingDriverError) as error:
            problem, check = str(error), ""
        except CommandError as error:
            problem, check = f"the schema cannot be migrated: {str(error).splitlines()[0]}", ""
        except NoSuchModuleError as error:
            dialect = str(error).rsplit(":", 1)[-1].strip()
            problem = f"no database driver for {dialect!r} (a URL starts sqlite:/// or postgresql+psycopg://)"
        except ArgumentError:
            problem = "the database URL cannot be read (sqlite:///path/to/file or postgresql+psycopg://user@host/db)"
        except DBAPIError as error:
            first = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
            if _no_schema(first):
                problem, check = (
                    "the database has no tables yet: run `condo db upgrade` (then `condo crawl` or `condo demo`)",
                    "",
                )
            elif error.connection_invalidated or "connect" in first.lower():
                problem = f"the database cannot be reached: {first}"
            else:
                raise
        click.echo(f"Error: {problem}.{check}", err=True)
        ctx.exit(1)


NO_TABLES = "the database has no tables yet: run `condo db upgrade` (then `condo crawl` or `condo demo`)"


def _no_schema(message: str) -> bool:
    """Whether a driver's error says a table is missing (SQLite, PostgreSQL)."""
    return message.startswith("no such table") or ("relation" in message and "does not exist" in message)


@click.group(cls=CondoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tokyo-condo-tracker")
def main() -> None:
    """Track Tokyo condo asking prices (Koto, Bunkyo, Minato) from SUUMO.

    \b
    Example:
      condo parse page.html --url https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/
    """


@contextmanager
def database(url: str | None, must_exist: bool = False) -> Iterator[Engine]:
    """The database of ``--database-url`` (else DATABASE_URL, else the default SQLite file), closed when
    the block ends; ``must_exist``: a SQLite file that is not there is an error, not a new database."""
    from db.engine import database_url, make_engine

    engine = make_engine(database_url(url), must_exist=must_exist)
    try:
        yield engine
    finally:
        engine.dispose()
