"""Scrapy settings of tokyo-condo-tracker.

Precedence is Scrapy's: ``-s NAME=VALUE`` on the command line > spider ``custom_settings`` > this file.
Defaults are polite: robots.txt obeyed, one request at a time per site, at least 3 s between
requests, AutoThrottle on top, and retries that slow the whole crawl down (back-off) before giving up.
"""

import os

BOT_NAME = "tokyo_condo_tracker"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# Where the SUUMO site is. The offline demo and the tests point this at a server on 127.0.0.1.
SUUMO_BASE_URL = os.environ.get("SUUMO_BASE_URL", "https://suumo.jp")
# Page size requested on list pages: the largest the site offers (10/20/30/50/100).
SUUMO_PAGE_SIZE = 100
# Which detail pages to fetch: an import path of a class with should_fetch(item) -> bool.
# The database issue replaces this with a policy that only fetches new, changed or stale listings.
SUUMO_DETAIL_POLICY = "scraper.detail_policy.FetchAll"

# An honest User-Agent that names the project; override with -s USER_AGENT=... or CONDO_USER_AGENT.
USER_AGENT = os.environ.get(
    "CONDO_USER_AGENT",
    "tokyo-condo-tracker/0.1 (ward-level asking-price research; one request at a time)",
)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 3.0
RANDOMIZE_DOWNLOAD_DELAY = False  # a randomised delay could fall below the 2 s floor
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 3.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
# A SUUMO page is 0.2-0.4 MiB. A response past the cap is cancelled (a failed, counted, logged
# request: the ward's coverage check sees the gap), not parsed for seconds and a gigabyte of memory
# (Scrapy's own default cap is 1 GiB). ``condo parse`` refuses files past the same cap.
DOWNLOAD_MAXSIZE = 8 * 2**20
DOWNLOAD_WARNSIZE = 2 * 2**20
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Each retry doubles the site's delay, up to this many seconds (see scraper.middlewares).
RETRY_BACKOFF_MAX_DELAY = 120.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    # condo reparse: answer from the page archive (CONDO_REPLAY_WARC), never from the network.
    "scraper.middlewares.ArchiveReplayMiddleware": 990,
}
CONDO_REPLAY_WARC = ""
ITEM_PIPELINES = {
    "scraper.pipelines.CleanItemPipeline": 200,
    "scraper.pipelines.ValidateItemPipeline": 300,
    "scraper.pipelines.DedupeItemPipeline": 400,
    "scraper.pipelines.FieldStatsPipeline": 500,
    "scraper.pipelines.PersistItemPipeline": 800,
}
# The price-history database (scraper.database): without it nothing is stored and no run is recorded.
# `condo crawl` passes it through the environment, never on the command line (a password would show in ps).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Items written per transaction: about ten list pages of a crawl; a larger batch reads what is known of
# its listings in fewer queries (benchmarks/store.py), a killed crawl loses at most one unwritten batch.
CONDO_BATCH_SIZE = 1000
# A listing is marked removed after this many trusted nights without it (db.removal; CONDO_REMOVAL_RUNS
# is the old name of the same setting).
CONDO_REMOVAL_NIGHTS = int(os.environ.get("CONDO_REMOVAL_NIGHTS") or os.environ.get("CONDO_REMOVAL_RUNS") or "2")
# A batch that cannot be written is tried this many times, the pause doubling from the back-off; one that
# still fails is kept and tried again, and the night is unhealthy if it is never written.
CONDO_WRITE_ATTEMPTS = 6
CONDO_WRITE_BACKOFF_SECONDS = 0.5
# After this many blocked, captcha or 403 answers in a row the spider stops for the night.
CONDO_MAX_CONSECUTIVE_BLOCKS = 5
# After this many connection failures in a row (refused, no DNS, no route) the spider stops with reason
# "unreachable": a site that cannot be reached is not retried for minutes in silence.
CONDO_MAX_CONSECUTIVE_UNREACHABLE = 5
# After this many requests in a row time out the spider stops with reason "timeouts": a site that drops
# packets (refusing nothing) would otherwise be waited on and backed off from for an hour.
CONDO_MAX_CONSECUTIVE_TIMEOUTS = 6
# Removals must be earned: when a ward's walk is over, the detail pages of this many of its listings that
# tonight's list did not show are fetched (scraper.removal_check); still on sale makes the night suspect.
CONDO_VERIFY_REMOVALS = 10
# The verdict's thresholds (scraper.health.Thresholds; docs/operations.md says how the defaults were chosen):
# CONDO_VERDICT_BASELINE_NIGHTS, CONDO_VERDICT_MAX_FALL, CONDO_VERDICT_MIN_FALL_LISTINGS,
# CONDO_VERDICT_MAX_FILL_DROP, CONDO_VERDICT_MIN_FILL_BASELINE, CONDO_VERDICT_MIN_FIELD_ITEMS,
# CONDO_VERDICT_MAX_REMOVAL_SHARE, CONDO_VERDICT_MIN_REMOVALS_HELD, CONDO_VERDICT_MIN_COVERAGE,
# CONDO_VERDICT_LONG_BASELINE_NIGHTS, CONDO_VERDICT_MAX_ON_SALE_SHARE, CONDO_VERDICT_MIN_ON_SALE,
# CONDO_VERDICT_MAX_DETAIL_MISMATCH, CONDO_VERDICT_MIN_DETAIL_MISMATCH.
# Detail pages older than a per-listing 50–100 % of this many days are fetched again (DatabaseDetailPolicy).
# What only the detail page says (floor, direction, height, fees) rarely changes while a flat is on the
# market; at 30 days the refreshes were half of a night's requests, at 90 a fifth (benchmarks/).
SUUMO_DETAIL_MAX_AGE_DAYS = 90
# Fetch the detail page again when the list price changes (off: the list card carries the price).
SUUMO_DETAIL_ON_PRICE_CHANGE = False
# Every response kept as WARC in this folder (archive/; `condo crawl` sets <data>/archive; empty: off).
CONDO_ARCHIVE_DIR = os.environ.get("CONDO_ARCHIVE_DIR", "")
EXTENSIONS = {
    "scraper.extensions.PageArchive": 400,
    "scraper.extensions.CoverageGuard": 500,
    # Opens the run, and closes it after the coverage guard and before the stats file (signal order).
    "scraper.extensions.CrawlRunRecorder": 800,
    "scraper.extensions.StatsFile": 900,
}
# Path of a JSON file that receives the final crawl stats (off when empty).
STATS_FILE = os.environ.get("CONDO_STATS_FILE", "")
SPIDER_CONTRACTS = {
    "scraper.contracts.SuumoPathContract": 10,
}

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("CONDO_LOG_LEVEL", "INFO")
