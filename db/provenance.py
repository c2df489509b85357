"""Where a database's data came from: a simulated market (``condo demo``, the tests) or the real site.

The simulator marks every listing it makes (its titles carry ``SIMULATED``), so a report, an export
or a browser over a demo database can say so wherever it shows a number.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text


def holds_simulated_data(connectable: Engine | Connection) -> bool:
    """Whether any listing in the database comes from the simulated market."""
    query = text("SELECT 1 FROM listing_snapshots WHERE title LIKE '%SIMULATED%' LIMIT 1")
    if isinstance(connectable, Connection):
        return connectable.execute(query).first() is not None
    with connectable.connect() as connection:
        return connection.execute(query).first() is not None
