"""The house's floors, checked: which of our packages may import which (docs/development.md).

``db`` is the ground and imports nothing of ours; ``scraper`` stands on it, ``reports`` on both, the
simulator on those; ``condo`` is the thin top. Some rooms inside a floor stand on less (ROOMS). An
import that runs back up (``db`` importing ``scraper``, as ``db/policy.py`` once did) fails here, in
``.ci/run``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ALLOWED: dict[str, set[str]] = {
    "db": set(),
    "scraper": {"db"},
    "reports": {"db", "scraper"},
    "simulator": {"db", "scraper", "reports"},
    "condo": {"db", "scraper", "reports", "simulator"},
    "benchmarks": {"db", "scraper", "reports", "simulator"},
    "scheduler": {"condo"},
}
"""Package → the packages of ours it may import (besides itself). Tests may import anything."""


ROOMS: dict[str, set[str]] = {
    "db.places": set(),
    "scraper.archive": set(),
    "scraper.closed_prices": {"db"},
    "reports.exports": {"db"},
    "reports.browse": {"db"},
    "condo.alarm": {"db"},
}
"""Rooms inside the floors that stand on less than their floor: the wards and district groups (read by
the parsers, the reports and the simulator) and the page archive on nothing of ours; the MLIT client,
the exports, Datasette and the alarm on ``db`` alone. Module or package → what of ours it may import
(besides itself)."""


def full_imports_of(path: Path) -> set[str]:
    """The modules a module imports (absolute imports; relative ones stay in the package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def imports_of(path: Path) -> set[str]:
    """The top-level names a module imports."""
    return {name.split(".")[0] for name in full_imports_of(path)}


def modules_of(package: str) -> list[Path]:
    if (REPO / f"{package}.py").is_file():
        return [REPO / f"{package}.py"]
    return sorted((REPO / package).rglob("*.py"))


def test_every_package_of_ours_has_a_floor() -> None:
    packages = {p.name for p in REPO.iterdir() if p.is_dir() and (p / "__init__.py").is_file()} - {"tests"}
    assert packages <= set(ALLOWED), f"give {sorted(packages - set(ALLOWED))} a place in ALLOWED"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_run_only_down(package: str) -> None:
    ours = set(ALLOWED) | {"tests"}
    wrong = {
        f"{path.relative_to(REPO)} imports {name}"
        for path in modules_of(package)
        for name in imports_of(path) & ours
        if name != package and name not in ALLOWED[package]
    }
    assert not wrong, f"{package} may import only {sorted(ALLOWED[package]) or 'nothing of ours'}: {sorted(wrong)}"


def room_paths(room: str) -> list[Path]:
    base = REPO.joinpath(*room.split("."))
    return [base.with_suffix(".py")] if base.with_suffix(".py").is_file() else sorted(base.rglob("*.py"))


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_rooms_stand_on_less_than_their_floor(room: str) -> None:
    paths = room_paths(room)
    assert paths, f"{room} is not in the checkout: update ROOMS"
    ours = set(ALLOWED) | {"tests"}
    wrong = {
        f"{path.relative_to(REPO)} imports {name}"
        for path in paths
        for name in full_imports_of(path)
        if name.split(".")[0] in ours
        and not within(name, room)
        and not any(within(name, allowed) for allowed in ROOMS[room])
    }
    assert not wrong, f"{room} may import only {sorted(ROOMS[room]) or 'nothing of ours'}: {sorted(wrong)}"


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "policy.py"
    module.write_text("import os\nfrom scraper.items import ListingItem\nfrom . import sibling\n")
    assert imports_of(module) == {"os", "scraper"}
    assert full_imports_of(module) == {"os", "scraper.items"}
