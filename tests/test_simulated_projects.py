"""The simulated new-condo projects: deterministic, phased, mostly in Koto's bay, and rendered so that the
real parsers read what the bulk loader writes (the two paths into a database agree)."""

from __future__ import annotations

from typing import Any

import pytest

from scraper.offline import parse_html
from simulator.load import project_observation
from simulator.market import build_market, demo_config
from simulator.projects import BAY_DISTRICTS, build_projects
from simulator.site import SimulatedSuumo

CONFIG = demo_config(20260901, 63)
COMPARED = (
    "listing_id",
    "listing_scope",
    "building_name",
    "ward_code",
    "district",
    "price_status",
    "price_min_yen",
    "price_max_yen",
    "area_min_m2",
    "area_max_m2",
    "rooms_min",
    "rooms_max",
    "delivery_year",
    "delivery_month",
    "land_tenure",
    "walk_minutes",
)


def test_same_config_same_projects_and_phases_in_order() -> None:
    first, again = build_projects(CONFIG), build_projects(CONFIG)
    assert first == again and len(first) >= 6
    for project in first:
        starts = [phase.start_day for phase in project.phases]
        assert starts == sorted(starts) and project.first_day < starts[0] < project.end_day
        assert all(phase.units >= 1 for phase in project.phases)
        lows = [phase.price_min_yen for phase in project.phases]
        assert lows == sorted(lows)  # later phases are dearer on a rising market
    koto = [p for p in first if p.ward == "koto"]
    assert sum(p.district in BAY_DISTRICTS for p in koto) >= len(koto) / 2


def test_adding_projects_left_the_used_market_as_it_was() -> None:
    """Projects and tenure draw from their own random streams: the used market's listings are unchanged."""
    market = build_market(CONFIG)
    ids = list(market.listings)[:5]
    assert ids == list(build_market(CONFIG).listings)[:5]
    assert len(market.listings) == len(build_market(CONFIG).listings)


@pytest.fixture(scope="module")
def site() -> SimulatedSuumo:
    return SimulatedSuumo(build_market(CONFIG))


@pytest.mark.parametrize("day", [0, 20, 45])
def test_the_pages_parse_into_what_the_loader_writes(site: SimulatedSuumo, day: int) -> None:
    site.start_night(day, set())
    market = site.market
    seen = 0
    for ward in ("koto", "bunkyo", "minato"):
        url = f"https://suumo.jp/ms/shinchiku/tokyo/sc_{ward}/?pc=100"
        page = parse_html(site.respond(f"/ms/shinchiku/tokyo/sc_{ward}/?pc=100")[1], url)
        assert page.hit_count == len(site.ward_projects(ward)) == len(page.items)
        assert not page.fields.unparsed
        for card in page.items:
            project = site.projects[card.listing_id]
            want: dict[str, Any] = project_observation(market, project, day, "list")
            assert {k: getattr(card, k) for k in COMPARED} == {k: want.get(k) for k in COMPARED}
            assert card.sale_phase == want["sale_phase"]
            detail_url = f"https://suumo.jp/ms/shinchiku/tokyo/sc_{ward}/nc_{card.listing_id}/"
            detail = parse_html(site.respond(f"/ms/shinchiku/tokyo/sc_{ward}/nc_{card.listing_id}/")[1], detail_url)
            (item,) = detail.items
            want = project_observation(market, project, day, "detail")
            assert {k: getattr(item, k) for k in COMPARED} == {k: want.get(k) for k in COMPARED}
            for name in ("total_units", "units_on_sale", "most_common_price_yen", "agent", "sale_schedule"):
                assert getattr(item, name) == want[name], name
            assert not detail.fields.unparsed
            seen += 1
    assert seen > 0
