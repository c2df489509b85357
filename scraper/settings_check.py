"""Check the project's own crawl settings before a crawl starts, so that a bad value is one line naming
the setting, not a traceback from inside Scrapy's start-up (where an extension first reads it)."""

from __future__ import annotations

from collections.abc import Mapping

from scraper.health import Thresholds

WHOLE_NUMBERS = {
    "CONDO_MAX_CONSECUTIVE_BLOCKS": 1,
    "CONDO_MAX_CONSECUTIVE_UNREACHABLE": 1,
    "CONDO_MAX_CONSECUTIVE_TIMEOUTS": 1,
    "CONDO_VERIFY_REMOVALS": 0,
    "CONDO_REMOVAL_NIGHTS": 1,
    "CONDO_BATCH_SIZE": 1,
    "CONDO_WRITE_ATTEMPTS": 1,
    "SUUMO_PAGE_SIZE": 1,
}
"""Settings that are whole numbers, with their least value."""
NUMBERS = {"DOWNLOAD_DELAY": 0.0, "DOWNLOAD_TIMEOUT": 0.001, "SUUMO_DETAIL_MAX_AGE_DAYS": 0.0}
"""Settings that are numbers, with their least value."""


def check_settings(values: Mapping[str, str]) -> None:
    """Raise ValueError, one line naming the setting and what it must be, for a bad value.

    >>> check_settings({"CONDO_VERDICT_MAX_FALL": "0.3", "DOWNLOAD_DELAY": "5"})
    >>> check_settings({"CONDO_VERDICT_MAX_FALL": "a lot"})
    Traceback (most recent call last):
    ...
    ValueError: CONDO_VERDICT_MAX_FALL must be a float, not 'a lot'
    >>> check_settings({"CONDO_VERDICT_MAX_FAL": "0.3"})
    Traceback (most recent call last):
    ...
    ValueError: unknown setting CONDO_VERDICT_MAX_FAL; the verdict's settings are CONDO_VERDICT_MIN_COVERAGE, ...
    """
    known = {f"CONDO_VERDICT_{name.upper()}" for name in vars(Thresholds())}
    for name in values:
        if name.startswith("CONDO_VERDICT_") and name not in known:
            listed = ", ".join(f"CONDO_VERDICT_{n.upper()}" for n in vars(Thresholds()))
            raise ValueError(f"unknown setting {name}; the verdict's settings are {listed}")
    Thresholds.from_settings(values.get)
    for name, least in WHOLE_NUMBERS.items():
        raw = values.get(name)
        if raw is None:
            continue
        if not str(raw).strip().lstrip("-").isdigit() or int(raw) < least:
            raise ValueError(f"{name} must be a whole number of at least {least}, not {raw!r}")
    for name, floor in NUMBERS.items():
        raw = values.get(name)
        if raw is None:
            continue
        try:
            number = float(raw)
        except ValueError:
            number = None
        if number is None or number < floor:
            raise ValueError(f"{name} must be a number of at least {floor:g}, not {raw!r}")
