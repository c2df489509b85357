"""What needs attention, read from the database (callers own the session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CrawlRun, CrawlRunWard, JobOutcome, JobRun
from db.verdicts import Verdict

STALE_AFTER = dt.timedelta(days=2)
"""Default: warn when a spider has had no complete and healthy crawl for this long."""


@dataclass(frozen=True)
class Attention:
    """One thing a person should look at: what happened, where, and what to look at."""

    what: str
    where: str
    look_at: str
    kind: str = "job"
    """untrusted (a ward's night), held (removals held for review), stale (no trusted crawl for days) or
    job (a job failed)."""

    def line(self) -> str:
        return f"{self.where}: {self.what} (look at: {self.look_at})"


def night_attention(session: Session, run_ids: list[int]) -> list[Attention]:
    """The runs' wards that are not trusted, and the removals they held for review."""
    out: list[Attention] = []
    for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_(run_ids)).order_by(CrawlRun.id)):
        night = run.night.isoformat() if run.night else "?"
        where = f"{run.spider}, night of {night} (run {run.id})"
        if run.verdict is None:
            out.append(Attention("the crawl never finished", where, "the crawl log; `condo status`", "untrusted"))
            continue
        wards = session.scalars(select(CrawlRunWard).where(CrawlRunWard.run_id == run.id)).all()
        # Ward rows from before the verdict column have only complete and healthy.
        bad = [
            w for w in wards if (w.verdict != Verdict.COMPLETE_HEALTHY if w.verdict else not (w.complete and w.healthy))
        ]
        if bad or run.verdict != Verdict.COMPLETE_HEALTHY:
            verdicts = ", ".join(f"{w.ward} {w.verdict or 'untrusted'}" for w in bad) or run.verdict
            out.append(
                Attention(
                    f"{verdicts}: {run.verdict_reasons or 'no reason recorded'}",
                    where,
                    "the crawl log and the site itself; nothing was removed from these wards tonight",
                    "untrusted",
                )
            )
        held = [w for w in wards if (w.removals_held or 0) > 0]
        if held:
            counts = ", ".join(f"{w.removals_held} in {w.ward}" for w in held)
            out.append(
                Attention(
                    f"removals held for review ({counts}): too many for one night",
                    where,
                    f"whether those listings really left the site; then `condo db release-held {run.id}`",
                    "held",
                )
            )
    return out


def _trusted(ward: CrawlRunWard) -> bool:
    # Ward rows from before the verdict column have only complete and healthy.
    return ward.verdict == Verdict.COMPLETE_HEALTHY if ward.verdict else bool(ward.complete and ward.healthy)


def standing_attention(session: Session, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> list[Attention]:
    """What needs attention now: each spider's latest night, held removals not released, jobs whose
    last run failed or was interrupted, and spiders with no trusted crawl for ``stale_after`` (every
    spider that has crawled into this database)."""
    out: list[Attention] = []
    for spider in session.scalars(select(CrawlRun.spider).distinct().order_by(CrawlRun.spider)).all():
        latest = session.scalars(
            select(CrawlRun)
            .where(CrawlRun.spider == spider)
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(1)
        ).first()
        if latest is None:
            continue
        out += [a for a in night_attention(session, [latest.id]) if a.kind == "untrusted"]
        last_good = session.scalar(
            select(func.max(CrawlRun.started_at)).where(
                CrawlRun.spider == spider, CrawlRun.verdict == Verdict.COMPLETE_HEALTHY
            )
        )
        if last_good is not None and last_good.tzinfo is None:
            last_good = last_good.replace(tzinfo=dt.UTC)
        if last_good is None or now - last_good > stale_after:
            since = f"since {last_good:%Y-%m-%d %H:%M} UTC" if last_good else "ever"
            out.append(
                Attention(
                    f"no complete and healthy crawl {since}",
                    spider,
                    "the scheduler (`condo status`), the crawl logs and the site",
                    "stale",
                )
            )
    held_runs = session.scalars(
        select(CrawlRunWard.run_id).where(CrawlRunWard.removals_held > 0).distinct().order_by(CrawlRunWard.run_id)
    ).all()
    out += [a for a in night_attention(session, list(held_runs)) if a.kind == "held"]
    jobs = session.execute(
        select(JobRun.job, JobRun.outcome, JobRun.error, JobRun.started_at).where(
            JobRun.id.in_(select(func.max(JobRun.id)).group_by(JobRun.job))
        )
    ).all()
    for job, outcome, error, started in sorted(jobs):
        if outcome in (JobOutcome.FAILED, JobOutcome.INTERRUPTED, JobOutcome.RETRYING):
            out.append(
                Attention(
                    f"last run {outcome}: {error or 'no message'}",
                    f"job {job} ({started:%Y-%m-%d %H:%M} UTC)",
                    "data/logs/scheduler.log",
                )
            )
    return out
