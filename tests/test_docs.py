"""The docs describe what the code does: every item field and every stat family is documented."""

from __future__ import annotations

import re

import pytest

from scraper.items import ITEM_FIELDS
from tests.conftest import REPO

DATA_FORMAT = (REPO / "docs" / "data-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", ITEM_FIELDS)
def test_every_item_field_is_documented(field: str) -> None:
    assert re.search(rf"^\| `{field}` \| \w+ \|", DATA_FORMAT, re.M), f"{field} missing from docs/data-format.md"


def test_no_documented_field_that_the_item_lacks() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \| \w+ \|", DATA_FORMAT, re.M))
    assert documented == set(ITEM_FIELDS)


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", readme, re.S)
    assert blocks[0].strip() == "bash scripts/bootstrap.sh && .venv/bin/condo demo"
    assert blocks[1].strip() == "bash scripts/test.sh"
    assert "scripts/test.sh" in (REPO / ".ci" / "run").read_text()


SCHEMA = (REPO / "docs" / "schema.md").read_text(encoding="utf-8")


def test_every_view_column_and_table_is_documented(engine: object) -> None:
    from sqlalchemy import inspect

    from db.views import VIEW_NAMES

    inspector = inspect(engine)
    for view in VIEW_NAMES:
        section = SCHEMA.split(f"### `{view}`", 1)[1].split("###", 1)[0]
        documented = set(re.findall(r"`(\w+)`", section))
        columns = {column["name"] for column in inspector.get_columns(view)}
        assert columns <= documented, f"{view}: undocumented columns {sorted(columns - documented)}"
    for table in inspector.get_table_names():
        if table not in ("alembic_version", "apscheduler_jobs"):
            assert f"| `{table}` |" in SCHEMA, f"table {table} missing from docs/schema.md"
