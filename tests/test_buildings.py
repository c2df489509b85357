"""v_buildings (issue 27): a building from its launch to its resales, on both engines, on hand-made
observations whose answers are known."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from tests.test_db_history import item, night

TOWER = {
    "building_name": "ブリリアタワー有明",
    "address": "東京都江東区有明1",
    "district": "有明",
    "built_year": 2026,
    "built_month": 3,
    "total_floors": 33,
    "total_units": 480,
    "page_kind": "detail",
}
LOW_RISE = {
    "building_name": "ザ・パークハウス有明",
    "address": "東京都江東区有明2",
    "district": "有明",
    "built_year": 2001,
    "built_month": 5,
    "total_floors": 5,
    "total_units": 40,
    "page_kind": "detail",
}


def flat(listing_id: str, price_man: int, building: dict[str, Any], floor: int, area: float, **extra: Any) -> dict:
    return item(listing_id, price_man, **building, floor=floor, area_m2=area, **extra)


def project() -> dict[str, Any]:
    return {
        **item("90000001", 10000),
        "property_type": "new",
        "listing_scope": "project",
        "url": "https://suumo.jp/ms/shinchiku/tokyo/sc_koto/nc_90000001/",
        "building_name": "ブリリアタワー有明",
        "price_status": "range",
        "price_yen": None,
        "price_min_yen": 70_000_000,
        "price_max_yen": 150_000_000,
        "area_m2": None,
        "area_min_m2": 50.0,
        "area_max_m2": 100.0,
        "built_year": None,
        "built_month": None,
    }


def rows(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        found = connection.execute(text("SELECT * FROM v_buildings ORDER BY building_id")).mappings().all()
    return {row["building_name"]: dict(row) for row in found}


def test_a_young_towers_resales_and_its_project(engine: Engine) -> None:
    observations = [
        flat("1", 9000, TOWER, 10, 70.0, unoccupied=True, unoccupied_source="tags", rented=False),
        flat("2", 9450, TOWER, 12, 70.0, unoccupied=False, rented=True, rented_source="remarks"),
        flat("3", 6000, LOW_RISE, 3, 60.0, unoccupied=False, rented=False),
        project(),
    ]
    night(engine, 0, observations)
    night(engine, 1, observations)
    buildings = rows(engine)
    tower, low = buildings["ブリリアタワー有明"], buildings["ザ・パークハウス有明"]
    assert (tower["is_tower"], tower["is_low_rise"], low["is_tower"], low["is_low_rise"]) == (1, 0, 0, 1)
    assert (tower["completion_year"], tower["completion_month"], tower["total_floors"]) == (2026, 3, 33)
    assert (tower["units_on_sale"], tower["listings_on_sale"], tower["units_listed_12m"]) == (2, 2, 2)
    # First offered eight months after completion: both are early resales; the 2001 building's is not.
    assert (tower["early_resales_12m"], low["early_resales_12m"]) == (2, 0)
    assert (tower["unoccupied_on_sale"], tower["rented_on_sale"]) == (1, 1)
    assert abs(tower["median_price_per_m2"] - (90_000_000 / 70 + 94_500_000 / 70) / 2) < 0.01
    with engine.connect() as connection:
        project_id = connection.execute(
            text("SELECT listing_id FROM v_projects WHERE source_listing_id = '90000001'")
        ).scalar_one()
    assert tower["project_listing_id"] == project_id and low["project_listing_id"] is None
    assert tower["project_price_min_per_m2"] == 70_000_000 / 50.0


def test_condo_explain_tells_the_building_s_story_and_a_project_s_range(engine: Engine) -> None:
    from click.testing import CliRunner

    from condo.cli import main

    observations = [flat("1", 9000, TOWER, 10, 70.0, unoccupied=True, unoccupied_source="tags"), project()]
    night(engine, 0, observations)
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["explain", "1", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert (
        "Building " in result.output
        and "ブリリアタワー有明, tower of 33 floors, 480 units, completed 2026-03" in result.output
    )
    assert "sold new: first seen, 7,000万円 to 1億5,000万円" in result.output
    assert "1 used listing(s)" in result.output and "(active, unoccupied)" in result.output
    project_story = CliRunner().invoke(main, ["explain", "90000001", "--database-url", url])
    assert "price 7,000万円 to 1億5,000万円 (range)" in project_story.output
    assert "price unknown" not in project_story.output


def named_project(listing_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        **project(),
        "listing_id": listing_id,
        "url": f"https://suumo.jp/ms/shinchiku/tokyo/sc_koto/nc_{listing_id}/",
        "building_name": name,
        "district": "有明",
        "address": "東京都江東区有明1",
        **extra,
    }


def used_in(name: str, listing_id: str, district: str = "有明", **facts: Any) -> dict[str, Any]:
    building = {**TOWER, "building_name": name, "district": district, "address": f"東京都江東区{district}1", **facts}
    return flat(listing_id, 9000, building, 10, 70.0)


def test_projects_and_buildings_are_matched_by_written_rules_on_hard_cases(engine: Engine) -> None:
    """Twin towers sold as one project; a project advertised under a provisional name (renamed when
    built); phases of one project; and buildings that must not be linked (another district, another
    completion)."""
    first_phase = [
        named_project("91000001", "パークタワー有明", sale_phase="第1期", delivery_year=2026, delivery_month=5),
        named_project("91000002", "（仮称）有明二丁目計画", delivery_year=2027, delivery_month=3, total_units=480),
        used_in("パークタワー有明 ミッド", "11"),
        used_in("パークタワー有明 サウス", "12"),
        used_in("パークタワー有明 ウエスト", "13", district="東雲"),  # the project's name, another district
        used_in("パークタワー有明 ガーデン", "16", built_year=2003, built_month=4),  # an old namesake
        used_in("ブリリアタワー有明", "14", built_year=2027, built_month=3, total_units=480),
        used_in("ザ・パークハウス有明", "15", built_year=2001, built_month=5, total_units=480),
    ]
    night(engine, 0, first_phase)
    second = named_project("91000001", "パークタワー有明", sale_phase="第2期", delivery_year=2026, delivery_month=5)
    night(engine, 1, [second, *first_phase[1:]])
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT b.building_name, b.district, p.source_listing_id, b.project_link_rule FROM v_buildings b"
                " LEFT JOIN v_projects p ON p.listing_id = b.project_listing_id ORDER BY b.building_id"
            )
        ).all()
    links = {(name, district): (project_id, rule) for name, district, project_id, rule in found}
    assert links[("パークタワー有明", "有明")] == ("91000001", "same_building")  # both phases: one project
    assert links[("パークタワー有明 ミッド", "有明")] == ("91000001", "tower_of_project")
    assert links[("パークタワー有明 サウス", "有明")] == ("91000001", "tower_of_project")
    assert links[("パークタワー有明 ウエスト", "東雲")] == (None, None)
    assert links[("ブリリアタワー有明", "有明")] == ("91000002", "completion_and_units")
    assert links[("ザ・パークハウス有明", "有明")] == (None, None)
    assert links[("パークタワー有明 ガーデン", "有明")] == (
        None,
        None,
    )  # its name extends the project's, 23 years older
