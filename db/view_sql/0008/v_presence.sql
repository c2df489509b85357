CREATE VIEW v_presence AS
WITH nights AS (
    SELECT s.listing_id, r.night AS night_jst, MAX(s.seen_at) AS seen_at
    FROM sightings s
    JOIN crawl_runs r ON r.id = s.run_id
    GROUP BY s.listing_id, r.night
),
as_of AS (
    SELECT
        n.listing_id,
        n.night_jst,
        n.seen_at,
        (SELECT MAX(p.id) FROM price_history p WHERE p.listing_id = n.listing_id AND p.seen_at <= n.seen_at)
            AS price_id,
        (SELECT MAX(x.id) FROM listing_snapshots x WHERE x.listing_id = n.listing_id AND x.observed_at <= n.seen_at)
            AS snapshot_id,
        (SELECT MAX(k.id) FROM listing_unit_links k WHERE k.listing_id = n.listing_id AND k.linked_at <= n.seen_at)
            AS link_id
    FROM nights n
)
SELECT
    a.listing_id,
    k.unit_id,
    k.building_id,
    a.night_jst,
    ISO_WEEK(a.night_jst) AS week_jst,
    QUARTER_OF(a.night_jst) AS quarter_jst,
    a.seen_at,
    l.property_type,
    l.listing_scope,
    s.ward_code,
    s.ward_name,
    s.district,
    s.area_group,
    p.price_status,
    p.price_yen,
    p.price_min_yen,
    p.price_max_yen,
    s.area_m2,
    s.area_basis,
    CASE WHEN p.price_yen IS NOT NULL AND s.area_m2 > 0
         THEN CAST(p.price_yen AS REAL) / s.area_m2 END AS price_per_m2,
    s.layout,
    s.rooms,
    s.floor,
    s.total_floors,
    s.built_year,
    CASE WHEN s.built_year IS NOT NULL THEN YEAR_OF(a.night_jst) - s.built_year END AS age_years,
    s.walk_minutes,
    s.station,
    s.land_tenure
FROM as_of a
JOIN listings l ON l.id = a.listing_id
LEFT JOIN price_history p ON p.id = a.price_id
LEFT JOIN listing_snapshots s ON s.id = a.snapshot_id
LEFT JOIN listing_unit_links k ON k.id = a.link_id
