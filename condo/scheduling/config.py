"""The scheduler's configuration: defaults overlaid with a TOML file, checked key by key, and the
process's one database engine for it."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from condo.jobs import JOBS
from db.engine import database_url, make_engine
from scraper.runner import spider_names

DEFAULTS: dict[str, dict[str, Any]] = {
    "scheduler": {
        "timezone": "Asia/Tokyo",
        "misfire_grace_seconds": 6 * 3600,
        "max_retries": 3,
        "retry_backoff_seconds": 600,
        "block_backoff_seconds": 3 * 3600,
        "database_url": "",
    },
    "nightly_crawl": {
        "enabled": True,
        "cron": "30 2 * * *",
        "spiders": spider_names(),
        "wards": "koto,bunkyo,minato",
        "time_limit_seconds": 3 * 3600,
        "base_url": "",
        "settings": {},
    },
    "weekly_report": {"enabled": True, "cron": "0 6 * * mon", "out": "data/reports", "lang": "en", "export": ""},
    "maintenance": {
        "enabled": True,
        "cron": "0 4 * * sun",
        "backups": "data/backups",
        "keep_backups": 8,
        "archive_keep_days": 365,
    },
    # Off until MLIT's API key is in CONDO_MLIT_API_KEY: the last `quarters` quarters, once a month.
    "closed_prices": {
        "enabled": False,
        "cron": "0 5 15 * *",
        "wards": "koto,bunkyo,minato",
        "quarters": 4,
        "base_url": "",
    },
    "alarm": {"urls": [], "stale_after_days": 2},
}


class ConfigError(ValueError):
    """The scheduler configuration is wrong; the message names the key and what is expected."""


_ENGINES: dict[str, Engine] = {}


def dispose_engines() -> None:
    """Close the process's database connections (when the scheduler or a one-off job ends)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


@dataclass
class Config:
    sections: dict[str, dict[str, Any]]
    path: Path | None = None

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self["scheduler"]["timezone"])

    @functools.cached_property
    def database_url(self) -> str:
        """Resolved once: the configured URL, else ``DATABASE_URL``, else the default SQLite file."""
        return database_url(self["scheduler"]["database_url"] or None)

    def engine(self) -> Engine:
        """The process's one engine for the configured database: every job the scheduler runs, and the
        job store, share it (configurations are read again for each job; the engine is not).
        :func:`dispose_engines` closes it when the scheduler stops."""
        if self.database_url not in _ENGINES:
            _ENGINES[self.database_url] = make_engine(self.database_url)
        return _ENGINES[self.database_url]

    def trigger(self, job: str) -> CronTrigger:
        return CronTrigger.from_crontab(self[job]["cron"], timezone=self.timezone)


def load_config(path: Path | None) -> Config:
    """Defaults overlaid with a TOML file; unknown keys and wrong types are errors that say what is valid.

    File layout: ``[scheduler]``, ``[jobs.nightly_crawl]``, ``[jobs.weekly_report]``, ``[jobs.maintenance]``.
    """
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise ConfigError(f"{path}: no such configuration file") from error
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from error
    sections = {name: dict(values) for name, values in DEFAULTS.items()}
    given = {
        "scheduler": raw.pop("scheduler", {}),
        "alarm": raw.pop("alarm", {}),
        **{k: v for k, v in raw.pop("jobs", {}).items()},
    }
    if raw:
        raise ConfigError(f"unknown section(s) {sorted(raw)}: expected [scheduler], [alarm] and [jobs.<name>]")
    for section, values in given.items():
        if section not in sections:
            raise ConfigError(f"unknown job {section!r}: jobs are {', '.join(JOBS)}")
        for key, value in values.items():
            if key not in sections[section]:
                raise ConfigError(
                    f"{section}.{key}: unknown key; valid keys are {', '.join(sorted(sections[section]))}"
                )
            expected = type(DEFAULTS[section][key])
            if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
                raise ConfigError(f"{section}.{key}: expected {expected.__name__}, got {value!r}")
            sections[section][key] = value
    config = Config(sections, path)
    try:
        config.timezone  # noqa: B018 (validates)
    except Exception as error:
        raise ConfigError(f"scheduler.timezone: unknown time zone {sections['scheduler']['timezone']!r}") from error
    for job in JOBS:
        try:
            config.trigger(job)
        except ValueError as error:
            raise ConfigError(f"{job}.cron: {sections[job]['cron']!r} is not a crontab expression ({error})") from error
    for key in ("misfire_grace_seconds", "max_retries", "retry_backoff_seconds", "block_backoff_seconds"):
        if sections["scheduler"][key] < 0:
            raise ConfigError(f"scheduler.{key}: must not be negative")
    if not all(isinstance(url, str) and "://" in url for url in sections["alarm"]["urls"]):
        raise ConfigError("alarm.urls: expected a list of Apprise URLs such as 'mailtos://…' or 'json://host/path'")
    if sections["alarm"]["stale_after_days"] < 1:
        raise ConfigError("alarm.stale_after_days: must be at least 1")
    from scraper.settings_check import check_settings

    try:
        check_settings({str(k): str(v) for k, v in sections["nightly_crawl"]["settings"].items()})
    except ValueError as error:
        raise ConfigError(f"nightly_crawl.settings: {error}") from error
    if sections["weekly_report"]["lang"] not in ("en", "ja"):
        raise ConfigError("weekly_report.lang: expected 'en' or 'ja'")
    wards = [slug.strip() for slug in sections["closed_prices"]["wards"].split(",") if slug.strip()]
    if not wards or any(slug not in ("koto", "bunkyo", "minato") for slug in wards):
        raise ConfigError("closed_prices.wards: expected some of koto, bunkyo, minato (comma-separated)")
    if sections["closed_prices"]["quarters"] < 1:
        raise ConfigError("closed_prices.quarters: must be at least 1")
    unknown = [name for name in sections["nightly_crawl"]["spiders"] if name not in spider_names()]
    if unknown or not sections["nightly_crawl"]["spiders"]:
        raise ConfigError(f"nightly_crawl.spiders: expected some of {', '.join(spider_names())}, got {unknown or '[]'}")
    return config
