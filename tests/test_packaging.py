"""What `pip install` ships: the design card's packages and nothing else, so that `condo` works from any
folder and installs beside other distributions without overwriting one of theirs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.conftest import shared_page

ROOT = Path(__file__).resolve().parent.parent
NOT_SHIPPED = {"tests", "benchmarks"}
"""Packages used from a checkout only."""
COPY_IGNORED = (".venv", ".git", "build", "dist", "data", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis")
"""Not copied to build the wheel: environments, caches and what earlier builds or runs left."""
TOP_LEVEL = {"condo", "db", "reports", "scraper", "simulator"}
"""The installed top-level names: the design card's three, the application and the simulator."""


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
    code = (
        "import condo.alarm.notify, condo.status, db.places, reports.weekly, db.engine, scraper.offline, "
        "simulator.market"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_only_the_allowed_names_are_top_level_in_the_checkout() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "py-modules" not in config["tool"].get("setuptools", {}), "scheduler.py is not installed"
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_SHIPPED
    assert packages == TOP_LEVEL


@pytest.mark.slow
def test_the_wheel_installs_only_the_allowed_names_and_runs_from_anywhere(tmp_path: Path) -> None:
    """Build the wheel, install it into a new virtual environment outside the checkout (its dependencies
    come from this environment's site-packages, so no index is needed), and from another folder run
    ``condo --help``, ``condo parse`` on a real saved page and a two-night ``condo demo``."""
    # Built from a copy: a build in the checkout leaves build/ behind, whose stale modules the next wheel ships.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*COPY_IGNORED))
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("tokyo_condo_tracker-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == TOP_LEVEL, f"the wheel installs {sorted(top)}"
    for data in ("db/places/groups.toml", "reports/templates/report.html.j2", "db/schema.md"):
        assert data in names, f"{data} is not in the wheel"

    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=300)
    python = env / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # The dependencies: this environment's site-packages, after the new one's (a path line in a .pth file
    # adds the folder without running that folder's own .pth files, so the checkout's editable install
    # stays out).
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import condo, db, scraper; print(condo.__file__, db.__file__, scraper.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where and str(env) in where, where

    condo = env / "bin" / "condo"
    env_vars = {"PATH": f"{env / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "CONDO_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(condo), *args],
            cwd=elsewhere,
            env=env_vars,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    done = run("--help")
    assert done.returncode == 0 and "demo" in done.stdout, done.stderr[-2000:]
    page = shared_page("suumo/chuko-detail-koto-nc73305798-2024-02.html")
    done = run("parse", str(page), "--url", "https://suumo.jp/ms/chuko/tokyo/sc_koto/nc_73305798/")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "73305798" in done.stdout and "108000000" in done.stdout, done.stdout[-2000:]
    done = run("demo", "--nights", "2", "--out", "demo", timeout=900)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    truth = json.loads((elsewhere / "demo" / "truth-check.json").read_text())
    assert truth["simulated"] is True
