"""What `pip install` ships: every package of the project, so that `condo` works from any folder."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_SHIPPED = {"tests", "benchmarks"}
"""Packages used from a checkout only."""


def test_every_package_is_in_the_install() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_SHIPPED
    missing = sorted(name for name in packages if not any(fnmatch(name, pattern) for pattern in patterns))
    assert not missing, f"packages pip would not install (add them to [tool.setuptools.packages.find]): {missing}"


def test_condo_runs_outside_the_checkout(tmp_path: Path) -> None:
    """The installed command, run from another folder (no checkout on sys.path), imports every command."""
    script = Path(sys.executable).with_name("condo")
    done = subprocess.run(
        [str(script), "status", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    code = "import alarm.notify, condo.status, places, reports.weekly, db.engine, scraper.offline, simulator.market"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
