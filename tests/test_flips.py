"""Simulated flips (issue 27): resales of new flats before handover and in young towers, added to a
market without changing any other listing, shown on the simulated pages as the real pages write them,
and reported by the database's views exactly as the truth has them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from parsel import Selector

from db.engine import make_engine
from scraper.parsing.fieldlog import FieldLog
from scraper.suumo.detail import parse_detail
from simulator.flips import add_flips, flip_check, flip_truth
from simulator.market import MarketConfig, build_market
from simulator.projects import build_projects
from simulator.replay import replay
from simulator.site import SimulatedSuumo

CONFIG = MarketConfig(seed=41, buildings_per_ward=8, arrivals_per_day={"koto": 2.0, "bunkyo": 1.0, "minato": 1.0})
NIGHTS = 6


def crawled_config() -> MarketConfig:
    """The first seed from 41 whose market has a resale before handover in its first NIGHTS nights (a
    small market has few): the replay below must have every kind of flip to check."""
    for seed in range(41, 141):
        config = dataclasses.replace(CONFIG, seed=seed, days=NIGHTS)
        market = build_market(config)
        flips = add_flips(market, build_projects(config))
        if any(f.project_id for f in flips) and any(f.rented for f in flips):
            return config
    raise AssertionError("no seed from 41 to 140 gives a resale before handover in the first nights")


def test_flips_leave_every_other_listing_as_it_was() -> None:
    plain, flipped = build_market(CONFIG), build_market(CONFIG)
    flips = add_flips(flipped, build_projects(CONFIG))
    assert flips and len(flipped.listings) == len(plain.listings) + len(flips)
    for listing_id, listing in plain.listings.items():
        assert dataclasses.asdict(flipped.listings[listing_id]) == dataclasses.asdict(listing)
    assert {f.listing_id for f in flips} == set(flipped.flips)
    assert any(f.project_id for f in flips) and any(f.rented for f in flips) and any(f.unoccupied for f in flips)


def test_a_flip_s_page_says_what_it_is() -> None:
    market = build_market(CONFIG)
    flips = add_flips(market, build_projects(CONFIG))
    site = SimulatedSuumo(market)
    for flip in (next(f for f in flips if f.project_id), next(f for f in flips if f.rented)):
        listing = market.listings[flip.listing_id]
        ward = market.building_of(listing).ward
        site.start_night(flip.first_day, set())
        _, body, _ = site.detail(ward, flip.listing_id)
        url = f"http://127.0.0.1/ms/chuko/tokyo/sc_{ward}/nc_{flip.listing_id}/"
        fields = FieldLog()
        item = parse_detail(Selector(text=body), url, "used", dt.datetime(2026, 9, 8, tzinfo=dt.UTC), fields)
        assert item is not None and not fields.counts, fields.counts
        assert (item.unoccupied, item.rented, item.handover) == (flip.unoccupied, flip.rented, flip.handover)
        assert item.agent_licence is not None and item.agent_licence_renewals is not None
        if flip.unoccupied:
            assert item.unoccupied_source == "tags"
        if flip.rented:
            assert item.rented_source == "remarks"


def test_the_database_reports_the_flips_the_truth_has(tmp_path: Path) -> None:
    config = crawled_config()
    market = build_market(config)
    projects = build_projects(config)
    add_flips(market, projects)
    url = f"sqlite:///{tmp_path / 'flips.sqlite3'}"
    nights = replay(market, url, range(NIGHTS), tmp_path / "logs", new_condos=True)
    assert all(run.returncode == 0 for night in nights for run in night.runs)
    engine = make_engine(url)
    try:
        check = flip_check(market, engine, range(NIGHTS), projects)
    finally:
        engine.dispose()
    truth = flip_truth(market, range(NIGHTS), projects)
    assert check == {name: {"reported": n, "truth": n} for name, n in truth.items()}
    assert check["early_resales"]["truth"] > 0 and check["linked_projects"]["truth"] > 0
