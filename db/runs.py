"""Crawl runs as first-class data: open a run, close it with its stats and verdict, apply removals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.health import RunVerdict, Thresholds, judge_run
from db.models import CrawlRun, CrawlRunWard
from db.removal import DEFAULT_REMOVAL_RUNS, apply_removals


def start_run(
    session: Session, spider: str, source: str, property_type: str, wards: Sequence[str], now: dt.datetime
) -> CrawlRun:
    """Record the start of a run. Earlier runs of the same spider that never finished were killed:
    they are marked interrupted (not complete, not healthy) so nothing ever trusts them."""
    session.execute(
        update(CrawlRun)
        .where(CrawlRun.spider == spider, CrawlRun.finished_at.is_(None), CrawlRun.verdict.is_(None))
        .values(verdict="interrupted", complete=False, healthy=False, verdict_reasons="the crawl never finished")
    )
    run = CrawlRun(spider=spider, source=source, property_type=property_type, wards=",".join(wards), started_at=now)
    session.add(run)
    session.flush()
    return run


def _int(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key)
    return int(value) if isinstance(value, int | float) else 0


def finish_run(
    session: Session,
    run: CrawlRun,
    stats: Mapping[str, Any],
    wards: Sequence[tuple[str, int]],
    counts: Mapping[str, int],
    now: dt.datetime,
    removal_runs: int = DEFAULT_REMOVAL_RUNS,
    thresholds: Thresholds | None = None,
    prefix: str = "suumo",
) -> RunVerdict:
    """Store the run's stats and verdict, its per-ward coverage, and apply the removal rules."""
    verdict = judge_run(stats, wards, prefix, thresholds)
    for ward in verdict.wards:
        session.add(
            CrawlRunWard(
                run_id=run.id,
                ward_code=ward.ward_code,
                ward=ward.ward,
                hits=ward.hits,
                cards=ward.cards,
                list_pages_failed=ward.list_pages_failed,
                complete=ward.complete,
                healthy=ward.healthy,
                reasons="; ".join(ward.reasons) or None,
            )
        )
    session.flush()
    run.finished_at = now
    run.finish_reason = str(stats.get("finish_reason") or "")
    run.complete, run.healthy, run.verdict = verdict.complete, verdict.healthy, verdict.verdict
    run.verdict_reasons = "; ".join(verdict.reasons) or None
    run.list_pages = sum(v for k, v in stats.items() if k.startswith(f"{prefix}/list_pages/") and isinstance(v, int))
    run.detail_pages = sum(
        v for k, v in stats.items() if k.startswith(f"{prefix}/detail_pages/") and isinstance(v, int)
    )
    run.items = _int(stats, "item_scraped_count")
    run.blocked = _int(stats, f"{prefix}/blocked")
    run.errors = _int(stats, "log_count/ERROR")
    run.new_listings = counts.get("new_listings", 0)
    run.price_changes = counts.get("price_changes", 0)
    run.relisted = counts.get("relisted", 0)
    run.stats = {k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in stats.items()}
    run.removed = apply_removals(session, run, removal_runs, now)
    session.flush()
    return verdict


def latest_runs(session: Session, limit: int = 20) -> list[CrawlRun]:
    return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)).all())
