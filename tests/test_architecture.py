"""The house's floors, checked: which of our packages may import which (docs/development.md).

``db`` is the ground and imports nothing of ours; ``scraper``, ``reports`` and the other capabilities
stand on it; ``condo`` is the thin top. An import that runs back up (``db`` importing ``scraper``,
as ``db/policy.py`` once did) fails here, in ``.ci/run``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ALLOWED: dict[str, set[str]] = {
    "places": set(),
    "archive": set(),
    "db": set(),
    "scraper": {"db", "places", "archive"},
    "alarm": {"db"},
    "reports": {"db", "places", "scraper"},
    "exports": {"db"},
    "browse": {"db"},
    "closed_prices": {"db"},
    "simulator": {"db", "places", "scraper", "reports", "closed_prices", "archive"},
    "condo": {
        "db",
        "places",
        "scraper",
        "reports",
        "simulator",
        "alarm",
        "exports",
        "browse",
        "closed_prices",
        "archive",
    },
    "benchmarks": {"db", "places", "scraper", "reports", "simulator", "archive"},
    "scheduler": {"condo"},
}
"""Package → the packages of ours it may import (besides itself). Tests may import anything."""


def imports_of(path: Path) -> set[str]:
    """The top-level names a module imports (absolute imports; relative ones stay in the package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


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


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "policy.py"
    module.write_text("import os\nfrom scraper.items import ListingItem\nfrom . import sibling\n")
    assert imports_of(module) == {"os", "scraper"}
