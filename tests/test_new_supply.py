"""The report's new-supply table (reports/new_supply.py) on hand-made projects: counts, releases,
the range per m², the premium over the used median, and suppression below MIN_PROJECTS."""

from __future__ import annotations

import math

import pandas as pd

from reports.data import HISTORY_COLUMNS, PROJECT_COLUMNS, ReportData
from reports.new_supply import MIN_PROJECTS, supply_findings, supply_table

JST = "Asia/Tokyo"
END = pd.Timestamp("2026-10-12", tz=JST)  # the Monday after the report week


def t(day: str) -> pd.Timestamp:
    return pd.Timestamp(day, tz=JST)


def project(listing_id: int, ward_code: int, district: str, tenure: str | None = "ownership") -> dict[str, object]:
    return dict(
        listing_id=listing_id,
        ward_code=ward_code,
        district=district,
        area_min_m2=40.0,
        area_max_m2=80.0,
        land_tenure=tenure,
        first_seen_at=t("2026-09-01"),
        last_seen_at=t("2026-10-11"),
        removed_at=pd.NaT,
    )


def history(listing_id: int, when: str, low: float | None, high: float | None, **flags: object) -> dict[str, object]:
    row: dict[str, object] = dict(
        listing_id=listing_id,
        changed_at=t(when),
        price_min_yen=low,
        price_max_yen=high,
        previous_price_min_yen=None,
        price_range_changed=0,
        phase_changed=0,
        sale_phase="第1期",
        units_on_sale=None,
    )
    row.update(flags)
    return row


def data(projects: list[dict[str, object]], rows: list[dict[str, object]]) -> ReportData:
    """As reports.data.load gives them: times in JST (an unknown time NaT of the same type)."""
    empty = pd.DataFrame()
    frame = pd.DataFrame(projects, columns=PROJECT_COLUMNS)
    for column in ("first_seen_at", "last_seen_at", "removed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(JST)
    return ReportData(
        empty,
        empty,
        empty,
        empty,
        empty,
        empty,
        projects=frame,
        project_history=pd.DataFrame(rows, columns=HISTORY_COLUMNS),
    )


LATEST = pd.DataFrame(
    [
        {"area": "Koto", "segment": "all", "median_price_per_m2": 1_000_000.0},
        {"area": "Minato", "segment": "all", "median_price_per_m2": 1_500_000.0},
    ]
)


def test_koto_projects_releases_and_range() -> None:
    koto = [project(1, 13108, "豊洲"), project(2, 13108, "有明", "fixed_term_leasehold"), project(3, 13108, "東雲")]
    rows = [
        # 1: priced before the window, a second phase opens in it (40 units).
        history(1, "2026-08-20", 60e6, 120e6),
        history(
            1,
            "2026-09-25",
            64e6,
            128e6,
            price_range_changed=1,
            phase_changed=1,
            sale_phase="第2期",
            previous_price_min_yen=60e6,
            units_on_sale=40,
        ),
        # 2: a preview whose first phase is priced in the window; its units come a night later.
        history(2, "2026-09-01", None, None),
        history(2, "2026-10-01", 48e6, 96e6, price_range_changed=1),
        history(2, "2026-10-02", 48e6, 96e6, units_on_sale=25),
        # 3: priced all along, nothing released in the window.
        history(3, "2026-09-01", 56e6, 112e6),
    ]
    table = supply_table(data(koto, rows), LATEST, END).set_index("area")
    row = table.loc["Koto"]
    assert (row.projects, row.leasehold_projects, row.priced_projects) == (3, 1, 3)
    assert (row.phases_opened, row.units_released) == (2, 65.0)
    # Low ends 1.6, 1.2, 1.4 million yen/m²; high ends the same (the dearest over the largest).
    assert row.new_low_per_m2 == 1_400_000 and row.new_high_per_m2 == 1_400_000
    assert row.used_median_per_m2 == 1_000_000 and math.isclose(row.premium, 0.4)
    assert not row.suppressed
    assert table.loc["Minato"].projects == 0 and table.loc["Minato"].suppressed


def test_fewer_than_min_projects_are_counted_but_not_priced() -> None:
    projects = [project(i, 13103, "三田") for i in range(1, MIN_PROJECTS)]
    rows = [history(i, "2026-09-01", 90e6, 200e6) for i in range(1, MIN_PROJECTS)]
    row = supply_table(data(projects, rows), LATEST, END).set_index("area").loc["Minato"]
    assert row.projects == MIN_PROJECTS - 1 and row.suppressed
    assert math.isnan(row.new_low_per_m2) and math.isnan(row.premium)
    assert row.used_median_per_m2 == 1_500_000


def test_a_project_gone_before_the_week_or_not_yet_seen_is_not_on_sale() -> None:
    gone = {**project(1, 13108, "豊洲"), "removed_at": t("2026-09-20"), "last_seen_at": t("2026-09-18")}
    later = {**project(2, 13108, "豊洲"), "first_seen_at": t("2026-10-20")}
    row = supply_table(data([gone, later], [history(1, "2026-09-01", 6e7, 9e7)]), LATEST, END)
    assert int(row.set_index("area").loc["Koto"].projects) == 0


def test_no_projects_gives_an_empty_table() -> None:
    assert supply_table(data([], []), LATEST, END).empty


def test_findings_name_each_ward_with_projects_in_plain_words() -> None:
    koto = [project(1, 13108, "豊洲"), project(2, 13108, "有明", "fixed_term_leasehold"), project(3, 13108, "東雲")]
    rows = [
        history(1, "2026-09-01", 60e6, 120e6),
        history(2, "2026-09-01", 48e6, 96e6),
        history(3, "2026-09-25", 56e6, 112e6, price_range_changed=1, units_on_sale=30),
    ]
    table = supply_table(data([*koto, project(4, 13105, "本駒込")], rows), LATEST, END)
    en = supply_findings(table, "en")
    assert en == [
        "New condos in Koto (江東区): 3 project(s) on sale (1 on a lease); 1 sale phase(s) opened in the four "
        "weeks, offering 30 units; new flats were offered at 140.0万円/m² to 140.0万円/m² (medians of the "
        "projects' cheapest and dearest per m²), against a median of 100.0万円/m² for used flats.",
        "New condos in Bunkyo (文京区): 1 project(s) on sale (0 on a lease); 0 sale phase(s) opened in the four "
        "weeks; fewer than 3 projects had prices, too few to give a range.",
    ]
    ja = supply_findings(table, "ja")
    assert ja[0].startswith("江東区の新築マンション：販売中3物件（うち借地1物件）") and "（販売戸数30戸）" in ja[0]
