CREATE VIEW v_units AS
WITH
        unit_listings AS MATERIALIZED (
            SELECT unit_id, listing_id, area_group, status, price_yen, first_seen_at, last_seen_at,
                   first_seen_night_jst, last_seen_night_jst
            FROM v_listings
            WHERE unit_id IS NOT NULL
        )
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
    MIN(v.first_seen_night_jst) AS first_seen_night_jst,
    MAX(v.last_seen_night_jst) AS last_seen_night_jst,
    CASE WHEN SUM(CASE WHEN v.status = 'active' THEN 1 ELSE 0 END) > 0 THEN 'active' ELSE 'removed' END AS status
FROM unit_listings v
JOIN units u ON u.id = v.unit_id
JOIN buildings b ON b.id = u.building_id
GROUP BY u.id, u.building_id, b.name, b.ward_code, b.district, v.area_group, u.floor, u.area_m2, u.layout,
         u.direction, b.built_year, b.total_floors
