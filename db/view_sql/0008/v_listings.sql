CREATE VIEW v_listings AS
WITH 
        latest_snapshot AS (SELECT listing_id, MAX(id) AS id FROM listing_snapshots GROUP BY listing_id),
        latest_price AS (SELECT listing_id, MAX(id) AS id FROM price_history GROUP BY listing_id),
        latest_event AS (SELECT listing_id, MAX(id) AS id FROM listing_events GROUP BY listing_id),
        latest_link AS (SELECT listing_id, MAX(id) AS id FROM listing_unit_links GROUP BY listing_id),
        seen AS (SELECT listing_id, MAX(seen_at) AS last_seen_at FROM sightings GROUP BY listing_id)
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
    p.price_planned,
    s.area_m2,
    s.area_basis,
    CASE WHEN p.price_yen IS NOT NULL AND s.area_m2 > 0
         THEN CAST(p.price_yen AS REAL) / s.area_m2 END AS price_per_m2,
    s.layout,
    s.rooms,
    s.floor,
    s.total_floors,
    s.structure,
    s.built_year,
    s.built_month,
    CASE WHEN s.built_year IS NOT NULL THEN YEAR_OF(NIGHT_JST(seen.last_seen_at)) - s.built_year END AS age_years,
    s.walk_minutes,
    s.station,
    s.direction,
    s.management_fee_yen,
    s.repair_reserve_yen,
    s.land_tenure,
    s.land_tenure_raw,
    s.lease_years_remaining,
    s.total_units,
    s.units_on_sale,
    s.most_common_price_yen,
    s.sale_phase,
    s.delivery,
    s.agent,
    l.first_seen_at,
    seen.last_seen_at,
    CASE WHEN e.kind IN ('removed', 'ended') THEN 'removed' ELSE 'active' END AS status,
    CASE WHEN e.kind IN ('removed', 'ended') THEN e.at END AS removed_at,
    NIGHT_JST(l.first_seen_at) AS first_seen_night_jst,
    NIGHT_JST(seen.last_seen_at) AS last_seen_night_jst,
    CASE WHEN e.kind IN ('removed', 'ended') THEN NIGHT_JST(e.at) END AS removed_night_jst,
    ISO_WEEK(NIGHT_JST(l.first_seen_at)) AS first_seen_week_jst,
    CASE WHEN e.kind IN ('removed', 'ended') THEN ISO_WEEK(NIGHT_JST(e.at)) END AS removed_week_jst,
    DAYS_BETWEEN(NIGHT_JST(l.first_seen_at), NIGHT_JST(seen.last_seen_at)) AS days_on_market
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
