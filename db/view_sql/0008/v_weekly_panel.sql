CREATE VIEW v_weekly_panel AS
WITH nights AS (
    SELECT
        v.*,
        COALESCE(v.unit_id, -v.listing_id) AS unit_key,
        ROW_NUMBER() OVER (PARTITION BY v.listing_id, v.week_jst ORDER BY v.night_jst DESC) AS from_end,
        COUNT(*) OVER (PARTITION BY v.listing_id, v.week_jst) AS nights_seen
    FROM v_presence v
),
week_end AS (
    SELECT
        n.*,
        ROW_NUMBER() OVER (
            PARTITION BY n.unit_key, n.week_jst
            ORDER BY CASE WHEN n.price_yen IS NULL THEN 1 ELSE 0 END, n.price_yen, n.listing_id
        ) AS cheapest,
        COUNT(*) OVER (PARTITION BY n.unit_key, n.week_jst) AS listings
    FROM nights n
    WHERE n.from_end = 1
)
SELECT
    w.unit_key,
    w.unit_id,
    w.building_id,
    w.week_jst,
    w.night_jst AS last_night_jst,
    w.listing_id,
    w.listings,
    w.nights_seen,
    w.property_type,
    w.listing_scope,
    w.ward_code,
    w.ward_name,
    w.district,
    w.area_group,
    w.price_status,
    w.price_yen,
    w.area_m2,
    w.area_basis,
    w.price_per_m2,
    w.layout,
    w.rooms,
    w.floor,
    w.total_floors,
    w.built_year,
    w.age_years,
    w.walk_minutes,
    w.station,
    w.land_tenure
FROM week_end w
WHERE w.cheapest = 1
