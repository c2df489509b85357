"""Alembic environment. The URL comes from the Config (set by db.migrate) or DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from db.engine import database_url, make_engine
from db.models import Base
from db.views import STORAGE_VIEWS, VIEW_NAMES

config = context.config
target_metadata = Base.metadata


UNMANAGED_TABLES = {"apscheduler_jobs"}
"""Tables other libraries create in our database (APScheduler's job store)."""


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # Views are created by hand in migrations; autogenerate must not take them for tables.
    return not (type_ == "table" and (name in VIEW_NAMES or name in STORAGE_VIEWS or name in UNMANAGED_TABLES))


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.connect() as connection:
        run_with(connection)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url") or database_url(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
