"""The scheduler's jobs by name (condo.scheduling.jobs does them). A module of its own so that the CLI can
offer the names without importing the scheduler (APScheduler) at start-up."""

JOBS = ("nightly_crawl", "weekly_report", "maintenance", "closed_prices")
