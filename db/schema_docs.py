"""What docs/schema.md says of the analysts' views, read by the programs that show the views to people
(``condo export``'s data dictionary, ``condo browse``'s descriptions and canned queries).

docs/schema.md is the one place the views are described (a test checks that it documents every column
and that its examples run); the package ships it as ``db/schema.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources


def schema_text() -> str:
    return resources.files("db").joinpath("schema.md").read_text("utf-8")


def _view_sections(schema: str) -> list[tuple[str, str, str]]:
    """(view, its heading's description, its section) for every ``### `v_…`: …`` heading."""
    pattern = r"### `(v_\w+)`:? ?([^\n]*)\n(.*?)(?=\n### |\n## |\Z)"
    return re.findall(pattern, schema, flags=re.DOTALL)


def column_docs(schema: str | None = None) -> dict[str, dict[str, str]]:
    """View → column → meaning, from the views' tables (a row may name several columns).

    >>> column_docs()["v_presence"]["week_jst"]
    "The Japan night it was seen, its ISO week, and its calendar quarter (`2026Q3`: MLIT's quarters)."
    """
    docs: dict[str, dict[str, str]] = {}
    for view, _, section in _view_sections(schema if schema is not None else schema_text()):
        columns = docs.setdefault(view, {})
        for names, meaning in re.findall(r"^\| (`[^|]+`) \| (.+?) \|$", section, flags=re.MULTILINE):
            for name in re.findall(r"`(\w+)`", names):
                columns[name] = meaning.strip()
    return docs


def view_descriptions(schema: str | None = None) -> dict[str, str]:
    """View → what one row is, with the paragraph under its heading.

    >>> view_descriptions()["v_weekly_panel"].split(".")[0]
    'one row per flat and ISO week it was on sale'
    """
    out = {}
    for view, heading, section in _view_sections(schema if schema is not None else schema_text()):
        paragraph = section.strip().split("\n\n")[0]
        text = heading.strip() + ("." if heading.strip() else "")
        if not paragraph.startswith("|"):
            text += " " + " ".join(paragraph.split())
        out[view] = text.strip()
    return out


@dataclass(frozen=True)
class Example:
    title: str
    sql: str


def sql_examples(schema: str | None = None) -> list[Example]:
    """The SQL examples of the Querying section, each with the comment above it as its title.
    Statements end with ``;`` at the end of a line."""
    found = []
    for block in re.findall(r"```sql\n(.*?)```", schema if schema is not None else schema_text(), flags=re.DOTALL):
        for statement in re.split(r";\s*$", block, flags=re.MULTILINE):
            lines = statement.strip().splitlines()
            comments = [line.lstrip("-").strip() for line in lines if line.startswith("--")]
            sql = "\n".join(line for line in lines if not line.startswith("--")).strip()
            if sql:
                found.append(Example(" ".join(comments) if comments else sql[:40], sql))
    return found
