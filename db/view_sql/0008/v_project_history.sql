CREATE VIEW v_project_history AS
WITH projects AS (
    SELECT id FROM listings WHERE property_type = 'new' AND listing_scope = 'project'
),
moments AS (
    SELECT p.listing_id, p.seen_at AS at FROM price_history p JOIN projects j ON j.id = p.listing_id
    UNION
    SELECT s.listing_id, s.observed_at AS at FROM listing_snapshots s JOIN projects j ON j.id = s.listing_id
),
as_of AS (
    SELECT
        m.listing_id,
        m.at,
        (SELECT MAX(p.id) FROM price_history p WHERE p.listing_id = m.listing_id AND p.seen_at <= m.at) AS price_id,
        (SELECT MAX(x.id) FROM listing_snapshots x WHERE x.listing_id = m.listing_id AND x.observed_at <= m.at)
            AS snapshot_id
    FROM moments m
),
states AS (
    SELECT
        a.listing_id,
        a.at,
        ROW_NUMBER() OVER (PARTITION BY a.listing_id ORDER BY a.at) AS step,
        p.price_status,
        p.price_min_yen,
        p.price_max_yen,
        p.price_planned,
        s.most_common_price_yen,
        s.units_on_sale,
        s.total_units,
        s.sale_phase,
        s.delivery,
        s.land_tenure,
        s.building_name,
        s.ward_code,
        s.ward_name,
        s.area_group,
        LAG(p.price_status) OVER w AS previous_price_status,
        LAG(p.price_min_yen) OVER w AS previous_price_min_yen,
        LAG(p.price_max_yen) OVER w AS previous_price_max_yen,
        LAG(s.most_common_price_yen) OVER w AS previous_most_common_price_yen,
        LAG(s.units_on_sale) OVER w AS previous_units_on_sale,
        LAG(s.total_units) OVER w AS previous_total_units,
        LAG(s.sale_phase) OVER w AS previous_sale_phase,
        LAG(s.delivery) OVER w AS previous_delivery
    FROM as_of a
    LEFT JOIN price_history p ON p.id = a.price_id
    LEFT JOIN listing_snapshots s ON s.id = a.snapshot_id
    WINDOW w AS (PARTITION BY a.listing_id ORDER BY a.at)
),
changes AS (
    SELECT
        t.*,
        CASE WHEN t.step > 1 AND (COALESCE(t.price_status, '') <> COALESCE(t.previous_price_status, '')
            OR COALESCE(t.price_min_yen, -1) <> COALESCE(t.previous_price_min_yen, -1)
            OR COALESCE(t.price_max_yen, -1) <> COALESCE(t.previous_price_max_yen, -1)) THEN 1 ELSE 0 END
            AS price_range_changed,
        CASE WHEN t.step > 1 AND COALESCE(t.most_common_price_yen, -1) <> COALESCE(t.previous_most_common_price_yen, -1)
            THEN 1 ELSE 0 END AS most_common_price_changed,
        CASE WHEN t.step > 1 AND COALESCE(t.sale_phase, '') <> COALESCE(t.previous_sale_phase, '') THEN 1 ELSE 0 END
            AS phase_changed,
        CASE WHEN t.step > 1 AND (COALESCE(t.units_on_sale, -1) <> COALESCE(t.previous_units_on_sale, -1)
            OR COALESCE(t.total_units, -1) <> COALESCE(t.previous_total_units, -1)) THEN 1 ELSE 0 END
            AS units_changed,
        CASE WHEN t.step > 1 AND COALESCE(t.delivery, '') <> COALESCE(t.previous_delivery, '') THEN 1 ELSE 0 END
            AS delivery_changed
    FROM states t
)
SELECT
    c.listing_id,
    l.source_listing_id,
    c.building_name,
    c.ward_code,
    c.ward_name,
    c.area_group,
    c.at AS changed_at,
    NIGHT_JST(c.at) AS night_jst,
    ISO_WEEK(NIGHT_JST(c.at)) AS week_jst,
    CASE WHEN c.step = 1 THEN 1 ELSE 0 END AS first_seen,
    c.price_range_changed,
    c.most_common_price_changed,
    c.phase_changed,
    c.units_changed,
    c.delivery_changed,
    c.price_status,
    c.price_min_yen,
    c.price_max_yen,
    c.price_planned,
    c.previous_price_min_yen,
    c.previous_price_max_yen,
    c.most_common_price_yen,
    c.sale_phase,
    c.previous_sale_phase,
    c.units_on_sale,
    c.previous_units_on_sale,
    c.total_units,
    c.delivery,
    c.land_tenure
FROM changes c
JOIN listings l ON l.id = c.listing_id
WHERE c.step = 1 OR c.price_range_changed = 1 OR c.most_common_price_changed = 1 OR c.phase_changed = 1
    OR c.units_changed = 1 OR c.delivery_changed = 1
