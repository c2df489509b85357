"""One-screen summaries of crawl runs (``condo crawl`` ends with one)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CrawlRun, CrawlRunWard


@dataclass
class RunSummary:
    run_id: int
    spider: str
    verdict: str
    reasons: str | None
    list_pages: int
    detail_pages: int
    items: int
    new_listings: int
    price_changes: int
    removed: int
    relisted: int
    blocked: int
    wards: list[tuple[str, int | None, int, bool, bool]]  # ward, hits, cards, complete, healthy

    def lines(self) -> list[str]:
        out = [
            f"run {self.run_id} {self.spider}: {self.verdict}",
            f"  pages: {self.list_pages} list, {self.detail_pages} detail; items: {self.items}",
            f"  new {self.new_listings}, price changes {self.price_changes}, removed {self.removed}, "
            f"relisted {self.relisted}, blocked responses {self.blocked}",
        ]
        for ward, hits, cards, complete, healthy in self.wards:
            coverage = f"{cards} of {hits} listings" if hits is not None else f"{cards} listings, no hit count"
            state = "complete" if complete else "INCOMPLETE"
            state += ", healthy" if healthy else ", UNHEALTHY"
            out.append(f"  {ward}: {coverage} ({state})")
        if self.reasons:
            out.append(f"  why: {self.reasons}")
        return out


def run_summary(session: Session, run_id: int) -> RunSummary | None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return None
    wards = session.scalars(select(CrawlRunWard).where(CrawlRunWard.run_id == run_id).order_by(CrawlRunWard.ward)).all()
    return RunSummary(
        run_id=run.id,
        spider=run.spider,
        verdict=run.verdict or "unfinished",
        reasons=run.verdict_reasons,
        list_pages=run.list_pages or 0,
        detail_pages=run.detail_pages or 0,
        items=run.items or 0,
        new_listings=run.new_listings or 0,
        price_changes=run.price_changes or 0,
        removed=run.removed or 0,
        relisted=run.relisted or 0,
        blocked=run.blocked or 0,
        wards=[(w.ward, w.hits, w.cards, w.complete, w.healthy) for w in wards],
    )
