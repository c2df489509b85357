"""Shared test fixtures.

The real saved pages live outside the repo, in ``../shared/fixtures/pages/`` (third-party pages are
not copied here). ``CONDO_SHARED_DIR`` overrides the location. A missing page skips its test on a
developer machine and fails it under ``CI=true``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CONDO_SHARED_DIR", REPO.parent / "shared"))
PAGES = SHARED / "fixtures" / "pages"
HANDWRITTEN = Path(__file__).resolve().parent / "pages"
FROZEN_NOW = dt.datetime(2026, 9, 6, 18, 0, tzinfo=dt.UTC)

settings.register_profile("ci", max_examples=200, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "dev")


def shared_page(relative: str) -> Path:
    """Path of a real saved page; skip (or fail under CI=true) when it is not there."""
    path = PAGES / relative
    if not path.is_file():
        message = f"real saved page {path} is missing (set CONDO_SHARED_DIR to the shared/ folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def read_shared(relative: str) -> str:
    return shared_page(relative).read_text(encoding="utf-8")


def read_handwritten(name: str) -> str:
    return (HANDWRITTEN / name).read_text(encoding="utf-8")
