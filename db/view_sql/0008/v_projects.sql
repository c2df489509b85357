CREATE VIEW v_projects AS
SELECT
    v.listing_id,
    v.source,
    v.source_listing_id,
    v.url,
    v.building_name,
    v.ward_code,
    v.ward_name,
    v.district,
    v.area_group,
    v.price_status,
    v.price_min_yen,
    v.price_max_yen,
    v.price_planned,
    v.most_common_price_yen,
    s.area_min_m2,
    s.area_max_m2,
    CASE WHEN v.price_min_yen IS NOT NULL AND s.area_min_m2 > 0
         THEN CAST(v.price_min_yen AS REAL) / s.area_min_m2 END AS price_min_per_m2,
    CASE WHEN v.price_max_yen IS NOT NULL AND s.area_max_m2 > 0
         THEN CAST(v.price_max_yen AS REAL) / s.area_max_m2 END AS price_max_per_m2,
    s.rooms_min,
    s.rooms_max,
    v.units_on_sale,
    v.total_units,
    v.sale_phase,
    s.sale_schedule,
    v.delivery,
    s.delivery_year,
    s.delivery_month,
    v.land_tenure,
    v.land_tenure_raw,
    v.lease_years_remaining,
    v.agent,
    v.first_seen_at,
    v.last_seen_at,
    v.status,
    v.removed_at,
    v.first_seen_night_jst,
    v.last_seen_night_jst,
    (SELECT COUNT(*) FROM price_history p WHERE p.listing_id = v.listing_id) - 1 AS price_changes
FROM v_listings v
LEFT JOIN listing_snapshots s
    ON s.id = (SELECT MAX(x.id) FROM listing_snapshots x WHERE x.listing_id = v.listing_id)
WHERE v.property_type = 'new' AND v.listing_scope = 'project'
