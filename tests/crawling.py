"""Run the real spiders in a subprocess against a local site (a Scrapy reactor cannot restart)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import REPO

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_MAX_DELAY=0.2"]


@dataclass
class CrawlResult:
    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str


def run_spider(spider: str, base_url: str, tmp: Path, *args: str) -> CrawlResult:
    items_path, stats_path = tmp / f"{spider}.jsonl", tmp / f"{spider}-stats.json"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        spider,
        "-s",
        f"SUUMO_BASE_URL={base_url}",
        "-s",
        f"STATS_FILE={stats_path}",
        "-O",
        f"{items_path}:jsonlines",
        *FAST,
        *args,
    ]
    env = {**os.environ, "CONDO_LOG_LEVEL": "INFO"}
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    items = [json.loads(line) for line in items_path.read_text().splitlines()] if items_path.exists() else []
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    return CrawlResult(done.returncode, items, stats, done.stderr)
