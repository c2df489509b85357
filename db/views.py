"""The analysts' views (stable names and columns, documented in docs/schema.md).

Written in SQL that SQLite and PostgreSQL both run; only "the current year" differs by dialect.
The migrations create them; change a view only with a new migration.
"""

from __future__ import annotations

VIEW_NAMES = ("v_listings", "v_units", "v_price_history", "v_crawl_runs")


def _current_year(dialect: str) -> str:
    if dialect == "postgresql":
        return "CAST(EXTRACT(YEAR FROM CURRENT_DATE) AS INTEGER)"
    return "CAST(strftime('%Y', 'now') AS INTEGER)"


def view_sql(dialect: str) -> dict[str, str]:
    """``CREATE VIEW`` statements by view name, for ``dialect`` (``sqlite`` or ``postgresql``)."""
    year = _current_year(dialect)
    latest = """
        latest_snapshot AS (SELECT listing_id, MAX(id) AS id FROM listing_snapshots GROUP BY listing_id),
        latest_price AS (SELECT listing_id, MAX(id) AS id FROM price_history GROUP BY listing_id),
        latest_event AS (SELECT listing_id, MAX(id) AS id FROM listing_events GROUP BY listing_id),
        latest_link AS (SELECT listing_id, MAX(id) AS id FROM listing_unit_links GROUP BY listing_id),
        seen AS (SELECT listing_id, MAX(seen_at) AS last_seen_at FROM sightings GROUP BY listing_id)"""
    return {
        "v_listings": f"""
CREATE VIEW v_listings AS
WITH {latest}
SELECT
    l.id AS listing_id,
    l.source,
    l.source_listing_id,
    l.property_type,
    l.listing_scope,
    l.url,
    k.building_id,
    k.unit_id,
    s.building_name,
    s.ward_code,
    s.ward_name,
    s.district,
    s.area_group,
    p.price_status,
    p.price_yen,
    p.price_min_yen,
    p.price_max_yen,
    s.area_m2,
    CASE WHEN p.price_yen IS NOT NULL AND s.area_m2 > 0
         THEN CAST(p.price_yen AS REAL) / s.area_m2 END AS price_per_m2,
    s.layout,
    s.rooms,
    s.floor,
    s.total_floors,
    s.structure,
    s.built_year,
    s.built_month,
    CASE WHEN s.built_year IS NOT NULL THEN {year} - s.built_year END AS age_years,
    s.walk_minutes,
    s.station,
    s.direction,
    s.management_fee_yen,
    s.repair_reserve_yen,
    s.agent,
    l.first_seen_at,
    seen.last_seen_at,
    CASE WHEN e.kind IN ('removed', 'ended') THEN 'removed' ELSE 'active' END AS status,
    CASE WHEN e.kind IN ('removed', 'ended') THEN e.at END AS removed_at
FROM listings l
LEFT JOIN latest_snapshot ls ON ls.listing_id = l.id
LEFT JOIN listing_snapshots s ON s.id = ls.id
LEFT JOIN latest_price lp ON lp.listing_id = l.id
LEFT JOIN price_history p ON p.id = lp.id
LEFT JOIN latest_event le ON le.listing_id = l.id
LEFT JOIN listing_events e ON e.id = le.id
LEFT JOIN latest_link lk ON lk.listing_id = l.id
LEFT JOIN listing_unit_links k ON k.id = lk.id
LEFT JOIN seen ON seen.listing_id = l.id
""",
        "v_units": """
CREATE VIEW v_units AS
SELECT
    u.id AS unit_id,
    u.building_id,
    b.name AS building_name,
    b.ward_code,
    b.district,
    v.area_group,
    u.floor,
    u.area_m2,
    u.layout,
    u.direction,
    b.built_year,
    b.total_floors,
    COUNT(v.listing_id) AS listings,
    SUM(CASE WHEN v.status = 'active' THEN 1 ELSE 0 END) AS active_listings,
    MIN(CASE WHEN v.status = 'active' THEN v.price_yen END) AS cheapest_price_yen,
    MIN(v.first_seen_at) AS first_seen_at,
    MAX(v.last_seen_at) AS last_seen_at,
    CASE WHEN SUM(CASE WHEN v.status = 'active' THEN 1 ELSE 0 END) > 0 THEN 'active' ELSE 'removed' END AS status
FROM units u
JOIN buildings b ON b.id = u.building_id
JOIN v_listings v ON v.unit_id = u.id
GROUP BY u.id, u.building_id, b.name, b.ward_code, b.district, v.area_group, u.floor, u.area_m2, u.layout,
         u.direction, b.built_year, b.total_floors
""",
        "v_price_history": """
CREATE VIEW v_price_history AS
SELECT
    p.listing_id,
    l.source,
    l.source_listing_id,
    p.run_id,
    p.seen_at,
    p.price_status,
    p.price_yen,
    p.price_min_yen,
    p.price_max_yen,
    p.previous_price_yen,
    CASE WHEN p.price_yen IS NOT NULL AND p.previous_price_yen IS NOT NULL
         THEN p.price_yen - p.previous_price_yen END AS change_yen,
    CASE WHEN p.price_yen IS NOT NULL AND p.previous_price_yen > 0
         THEN CAST(p.price_yen - p.previous_price_yen AS REAL) / p.previous_price_yen END AS change_ratio
FROM price_history p
JOIN listings l ON l.id = p.listing_id
""",
        "v_crawl_runs": """
CREATE VIEW v_crawl_runs AS
SELECT
    r.id AS run_id,
    r.spider,
    r.source,
    r.property_type,
    r.wards,
    r.started_at,
    r.finished_at,
    COALESCE(r.verdict, 'running_or_killed') AS verdict,
    r.complete,
    r.healthy,
    r.verdict_reasons,
    r.list_pages,
    r.detail_pages,
    r.items,
    r.blocked,
    r.errors,
    r.new_listings,
    r.price_changes,
    r.removed,
    r.relisted,
    w.hits,
    w.cards,
    CASE WHEN w.hits > 0 THEN CAST(w.cards AS REAL) / w.hits END AS coverage
FROM crawl_runs r
LEFT JOIN (
    SELECT run_id, SUM(hits) AS hits, SUM(cards) AS cards FROM crawl_run_wards GROUP BY run_id
) w ON w.run_id = r.id
""",
    }
