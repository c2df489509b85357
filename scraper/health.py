"""Is a crawl run complete and healthy? Judged from its Scrapy stats (docs/stats.md), from what the
database stored, and against the ward's recent healthy nights (its baseline, db.baselines); the
database keeps the verdict (db.runs.close_run).

Only complete and healthy ward runs may mark listings removed: a blocked, truncated, partial or
broken crawl must never be read as listings leaving the market. A well-formed crawl of a site that
misbehaves (a 0件 page for a ward that had 280 listings yesterday, half the ward with a hit count that
agrees, a label renamed on every detail page) looks complete; the baselines make such a night
*suspect*, and a suspect ward is not trusted either. docs/operations.md explains the rules and how the
thresholds were chosen.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.baselines import Baseline, WardBaseline, read_baseline
from db.models import CrawlRun, CrawlRunWard
from db.removal import DEFAULT_REMOVAL_RUNS
from db.runs import close_run, stored_list_sightings
from db.verdicts import RunFigures, RunVerdict, Verdict, WardVerdict, verdict_of
from scraper.statkeys import (
    ARCHIVE_WRITE_ERROR,
    ARCHIVE_WRITE_FAILED,
    DB_COUNTS,
    DB_ITEMS_UNWRITTEN,
    FINISH_REASON,
    StatKeys,
    db_count,
    fields_items,
    parse_fields_filled,
)

# Fields every list card carries; a share of them unreadable means the page template changed.
CORE_FIELDS = ("price", "area_m2", "layout", "address")


@dataclass(frozen=True)
class Thresholds:
    """The verdict's thresholds (settings ``CONDO_VERDICT_<NAME>``; defaults in docs/operations.md)."""

    min_coverage: float = 0.98
    """Unique cards ÷ the site's hit count below which a ward's walk is incomplete. Listings move between
    pages while a crawl runs, so a few can be missed; more means truncation."""
    max_core_field_failure: float = 0.05
    """Share of cards with an unreadable or missing core field above which a run is unhealthy."""
    baseline_nights: int = 7
    """A ward's baseline is the median of its last this many trusted nights."""
    max_fall: float = 0.2
    """Hits or listings seen more than this share below the baseline make the ward's night suspect."""
    min_fall_listings: int = 10
    """… and only when the fall is at least this many listings (a ward of 30 moves by 5 on a quiet day)."""
    max_fill_drop: float = 0.5
    """A field filled on less than (1 − this) × its baseline fill rate makes the night suspect."""
    min_fill_baseline: float = 0.5
    """Only fields filled on at least this share of items on recent nights are watched."""
    min_field_items: int = 10
    """Fill rates are compared only when the night has at least this many items of the page kind."""
    max_fill_chance: float = 1e-4
    """… and the night's count must be one the baseline rate gives by chance less often than this (the
    binomial lower tail): a field whose value depends on the flat (parking, only in towers) is filled on
    few of a night's ten or twenty detail pages by the luck of the mix, while a renamed label fills it
    on none of them."""
    max_removal_share: float = 0.15
    """Removals above this share of a ward's active listings in one night are held for review."""
    min_removals_held: int = 10
    """… and only when they are at least this many (a ward of 20 can lose 4 on a normal night)."""
    long_baseline_nights: int = 28
    """A ward is also compared with the median of this many trusted nights, so that a site shedding a
    few percent a night cannot drag the seven-night baseline down with it …"""
    max_long_fall: float = 0.35
    """… when the site's count is more than this share below it (and at least ``min_fall_listings``).
    Looser than ``max_fall``: over four weeks a small ward moves more (25 % on the replay tests' wards
    of 50–90 listings, 9 % on the demo's; python -m simulator.variation), and the removal check, not
    this rule, is what stops a slow fault from removing anything."""
    max_on_sale_share: float = 0.1
    """Listings missing from the list whose detail pages are still on sale (scraper.removal_check):
    above this share of those checked the ward's night is suspect …"""
    min_on_sale: int = 2
    """… and only when they are at least this many (a site's list and detail pages can disagree for a
    day on a listing or two)."""
    max_detail_mismatch: float = 0.02
    """Detail pages that disagree with their list card (another flat's page) above this share of the
    detail pages read make the night unhealthy …"""
    min_detail_mismatch: int = 3
    """… and only when they are at least this many."""

    @classmethod
    def from_settings(cls, get: Any) -> Thresholds:
        """From a settings getter (``get(name)`` → text or None): ``CONDO_VERDICT_MAX_FALL`` etc."""
        values: dict[str, Any] = {}
        for name, default in vars(cls()).items():
            raw = get(f"CONDO_VERDICT_{name.upper()}")
            if raw is None or raw == "":
                continue
            try:
                values[name] = type(default)(raw)
            except ValueError as error:
                raise ValueError(
                    f"CONDO_VERDICT_{name.upper()} must be a {type(default).__name__}, not {raw!r}"
                ) from error
        return cls(**values)


def _int(stats: Mapping[str, Any], key: str) -> int:
    value = stats.get(key)
    return int(value) if isinstance(value, int | float) else 0


def fill_rates(stats: Mapping[str, Any]) -> dict[tuple[str, str], tuple[int, int]]:
    """(page kind, field) → (items, filled) from the ``fields/…`` stats of scraper.pipelines.FieldStatsPipeline."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for key, value in stats.items():
        kind_field = parse_fields_filled(key)
        if kind_field is not None and isinstance(value, int):
            out[kind_field] = (_int(stats, fields_items(kind_field[0])), value)
    return out


def _fallen(now: float | None, level: float, thresholds: Thresholds) -> bool:
    if now is None:
        return False
    return now < (1 - thresholds.max_fall) * level and level - now >= thresholds.min_fall_listings


def judge_ward(
    stats: Mapping[str, Any],
    prefix: str,
    ward: str,
    ward_code: int,
    thresholds: Thresholds,
    finished: bool,
    baseline: WardBaseline | None = None,
    stored: int | None = None,
    hiding: bool = False,
) -> WardVerdict:
    keys = StatKeys(prefix)
    hits = stats.get(keys.hits(ward))
    cards = _int(stats, keys.cards_unique(ward))
    failed = _int(stats, keys.list_pages_failed(ward))
    verdict = WardVerdict(ward, ward_code, hits, cards, failed, complete=True, healthy=True)
    verdict.list_pages = _int(stats, keys.list_pages_parsed(ward))
    verdict.stored = stored
    verdict.exact = isinstance(hits, int) and cards >= hits
    incomplete, unhealthy, suspect = verdict.reasons, [], []
    if not finished:
        incomplete.append("crawl did not finish")
    if hits is None:
        incomplete.append(f"{ward}: no hit count read")
    if failed:
        incomplete.append(f"{ward}: {failed} list page(s) failed")
    empty_late = _int(stats, keys.list_pages_empty_after_cards(ward))
    if empty_late:
        incomplete.append(f"{ward}: {empty_late} 0件 page(s) after pages with listings")
    if not stats.get(keys.ward_done(ward)):
        incomplete.append(f"{ward}: last list page not reached")
    repeated = _int(stats, keys.list_pages_repeated(ward))
    if repeated:
        incomplete.append(f"{ward}: {repeated} list page(s) repeated an earlier page's listings")
    short = isinstance(hits, int) and hits > 0 and cards < thresholds.min_coverage * hits
    cut = _int(stats, keys.list_pages_cut(ward))
    if cut and short:
        incomplete.append(f"{ward}: {cut} list page(s) cut off before their footer (a truncated response)")
    if short:
        incomplete.append(f"{ward}: {cards} of {hits} listings seen")
    verdict.complete = not incomplete
    other = _int(stats, keys.cards_other_ward(ward))
    if other:
        unhealthy.append(f"{ward}: {other} card(s) from another ward")
    if _int(stats, keys.footer_mismatch(ward)):
        unhealthy.append(f"{ward}: footer id list disagrees with the cards")
    if stored is not None and stored < cards:
        unhealthy.append(f"{ward}: {stored} of {cards} listings seen were stored")
    if baseline is not None:
        if _fallen(hits, baseline.hits, thresholds):
            suspect.append(f"{ward}: the site counted {hits} listings, against {baseline.hits:g} on recent nights")
        elif _fallen(cards, baseline.cards, thresholds):
            suspect.append(f"{ward}: {cards} listings seen, against {baseline.cards:g} on recent nights")
        elif _fallen(hits, baseline.long_hits, replace(thresholds, max_fall=thresholds.max_long_fall)):
            suspect.append(
                f"{ward}: the site counted {hits} listings, against {baseline.long_hits:g} over the last "
                f"{baseline.long_nights} trusted nights (a slow decline)"
            )
    on_sale = _int(stats, keys.verify(ward, "on_sale"))
    checked = on_sale + _int(stats, keys.verify(ward, "gone"))
    if on_sale >= thresholds.min_on_sale and on_sale > thresholds.max_on_sale_share * checked:
        suspect.append(
            f"{ward}: {on_sale} of {checked} listings missing from the list are still on sale (their detail "
            "pages answer): the list is hiding listings, none is removed"
        )
    elif hiding and on_sale:
        # Once the list was caught hiding listings, a night is trusted again only when its check finds
        # none on sale: a sample of 10 can draw mostly real departures by chance, and they pile up
        # while removals wait.
        suspect.append(
            f"{ward}: {on_sale} of {checked} listings missing from the list still on sale, after a night that "
            "found the list hiding listings: none is removed until a check finds none"
        )
    verdict.suspect, verdict.broken = bool(suspect), bool(unhealthy)
    verdict.healthy = not unhealthy and not suspect
    verdict.reasons.extend(unhealthy)
    verdict.reasons.extend(f"suspect: {reason}" for reason in suspect)
    return verdict


def judge_run(
    stats: Mapping[str, Any],
    wards: Sequence[tuple[str, int]],
    prefix: str = "suumo",
    thresholds: Thresholds | None = None,
    baseline: Baseline | None = None,
    stored: Mapping[int, int] | None = None,
    hiding: Collection[str] = (),
) -> RunVerdict:
    """Judge a run from its final stats. ``wards`` are the (slug, JIS code) pairs it was asked to cover;
    ``baseline`` is the recent level of each ward and field (none on a new database); ``stored`` the
    list sightings the database holds for the run, per ward code (None: not checked).

    ``verdict`` is one of ``complete_healthy``, ``suspect``, ``incomplete``, ``unhealthy``,
    ``incomplete_unhealthy``.
    """
    thresholds = thresholds or Thresholds()
    baseline = baseline or Baseline()
    finished = stats.get(FINISH_REASON) == "finished"
    ward_verdicts = [
        judge_ward(
            stats,
            prefix,
            slug,
            code,
            thresholds,
            finished,
            baseline.wards.get(code),
            None if stored is None else stored.get(code, 0),
            slug in hiding,
        )
        for slug, code in wards
    ]
    reasons = [reason for w in ward_verdicts for reason in w.reasons]
    run_unhealthy: list[str] = []
    run_suspect: list[str] = []
    keys = StatKeys(prefix)
    stopped = _int(stats, keys.stopped_on_block)
    if stopped:
        run_unhealthy.append(f"stopped after {stopped} blocked answers in a row")
    blocked = _int(stats, keys.blocked)
    if blocked:
        run_unhealthy.append(f"{blocked} blocked response(s)")
    unrecognised = _int(stats, keys.pages("list", "unrecognised")) + _int(stats, keys.pages("detail", "unrecognised"))
    if unrecognised:
        run_unhealthy.append(f"{unrecognised} page(s) not recognised (layout drift?)")
    unwritten = _int(stats, DB_ITEMS_UNWRITTEN)
    if unwritten:
        run_unhealthy.append(f"{unwritten} item(s) could not be written to the database")
    timeouts = _int(stats, keys.timeouts)
    if stats.get(FINISH_REASON) == "timeouts":
        run_unhealthy.append(
            f"stopped after requests timed out in a row ({timeouts} in all): the site is not answering"
        )
    unarchived = _int(stats, ARCHIVE_WRITE_FAILED)
    if unarchived:
        cause = stats.get(ARCHIVE_WRITE_ERROR) or "write failed"
        run_unhealthy.append(f"{unarchived} page(s) not archived: the page archive cannot be written ({cause})")
    detail_pages = _int(stats, keys.pages("detail", "detail"))
    mismatched = _int(stats, keys("detail", "mismatch"))
    if mismatched >= thresholds.min_detail_mismatch and mismatched > thresholds.max_detail_mismatch * detail_pages:
        run_unhealthy.append(
            f"{mismatched} of {detail_pages} detail page(s) disagree with their list card (another flat's page?)"
        )
    cards = sum(w.cards for w in ward_verdicts)
    for name in CORE_FIELDS:
        bad = _int(stats, keys.field(name, "unparsed")) + _int(stats, keys.field(name, "missing"))
        if cards and bad > thresholds.max_core_field_failure * cards:
            run_unhealthy.append(f"{name} unreadable on {bad} of {cards} cards")
    rates = night_fill_rates(stats, baseline)
    for (kind, name), (items, filled) in sorted(rates.items()):
        usual = baseline.fill_rates.get((kind, name))
        if usual is None or usual < thresholds.min_fill_baseline or items < thresholds.min_field_items:
            continue
        dropped = filled < (1 - thresholds.max_fill_drop) * usual * items
        if dropped and binomial_lower_tail(filled, items, usual) < thresholds.max_fill_chance:
            run_suspect.append(
                f"{kind} pages: {name} filled on {filled} of {items} items, against {usual:.0%} on recent nights"
            )
    for ward in ward_verdicts:
        ward.broken = ward.broken or bool(run_unhealthy)
        ward.suspect = ward.suspect or bool(run_suspect)
        ward.healthy = not ward.broken and not ward.suspect
    reasons.extend(run_unhealthy)
    reasons.extend(f"suspect: {reason}" for reason in run_suspect)
    complete = all(w.complete for w in ward_verdicts) and finished
    broken = any(w.broken for w in ward_verdicts)
    suspect = any(w.suspect for w in ward_verdicts)
    healthy = not broken and not suspect
    return RunVerdict(complete, healthy, verdict_of(complete, broken, suspect), reasons, ward_verdicts, suspect, rates)


def binomial_lower_tail(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(n, p), summed in logs (n in the thousands stays exact enough).

    >>> round(binomial_lower_tail(0, 10, 0.5), 6), binomial_lower_tail(10, 10, 0.3), binomial_lower_tail(0, 5, 1.0)
    (0.000977, 1.0, 0.0)
    """
    if k >= n or p <= 0:
        return 1.0
    if p >= 1:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def night_fill_rates(stats: Mapping[str, Any], baseline: Baseline) -> dict[tuple[str, str], tuple[int, int]]:
    """(page kind, field) → (items, filled) of the night, with the fields the baseline knows that the
    night never filled (kept as 0 filled where the night had items of that kind: what a later baseline
    must see)."""
    rates = fill_rates(stats)
    for kind, name in baseline.fill_rates:
        items = _int(stats, fields_items(kind))
        if (kind, name) not in rates and items:
            rates[(kind, name)] = (items, 0)
    return rates


def wards_hiding(session: Session, run: CrawlRun, wards: Sequence[str], prefix: str = "suumo") -> set[str]:
    """The wards whose previous night (the spider's last run before ``run``) was suspect and whose
    removal check found listings still on sale: the list was caught hiding listings."""
    previous = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.spider == run.spider, CrawlRun.id < run.id)
        .order_by(CrawlRun.id.desc())
        .limit(1)
    ).first()
    if previous is None:
        return set()
    verdicts = dict(
        session.execute(select(CrawlRunWard.ward, CrawlRunWard.verdict).where(CrawlRunWard.run_id == previous.id)).all()
    )
    stats, keys = previous.stats or {}, StatKeys(prefix)
    return {
        ward
        for ward in wards
        if verdicts.get(ward) == Verdict.SUSPECT and _int(stats, keys.verify(ward, "on_sale")) > 0
    }


def run_figures(stats: Mapping[str, Any], prefix: str = "suumo") -> RunFigures:
    """What ``crawl_runs`` keeps of a run beside its verdict, read from its final stats."""
    keys = StatKeys(prefix)
    return RunFigures(
        finish_reason=str(stats.get(FINISH_REASON) or ""),
        list_pages=keys.pages_total(stats, "list"),
        detail_pages=keys.pages_total(stats, "detail"),
        items=_int(stats, "item_scraped_count"),
        blocked=_int(stats, keys.blocked),
        errors=_int(stats, "log_count/ERROR"),
        **{name: _int(stats, db_count(name)) for name in DB_COUNTS},
        stats=dict(stats),
    )


def finish_run(
    session: Session,
    run: CrawlRun,
    stats: Mapping[str, Any],
    wards: Sequence[tuple[str, int]],
    now: dt.datetime,
    removal_runs: int = DEFAULT_REMOVAL_RUNS,
    thresholds: Thresholds | None = None,
    prefix: str = "suumo",
    ended: Sequence[tuple[Any, ...]] = (),
) -> RunVerdict:
    """Judge a run from its final stats (with ``finish_reason``), what the database stored for it and
    the recent trusted nights, and close it in the database (db.runs.close_run: verdict, figures,
    "listing ended" pages, removals). The session is the caller's."""
    thresholds = thresholds or Thresholds()
    baseline = read_baseline(
        session, run, [code for _, code in wards], thresholds.baseline_nights, thresholds.long_baseline_nights
    )
    verdict = judge_run(
        stats,
        wards,
        prefix,
        thresholds,
        baseline,
        stored_list_sightings(session, run.id),
        wards_hiding(session, run, [slug for slug, _ in wards], prefix),
    )
    return close_run(
        session,
        run,
        verdict,
        run_figures(stats, prefix),
        now,
        removal_runs=removal_runs,
        max_removal_share=thresholds.max_removal_share,
        min_removals_held=thresholds.min_removals_held,
        ended=ended,
    )
