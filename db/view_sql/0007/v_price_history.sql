CREATE VIEW v_price_history AS
SELECT
    p.listing_id,
    l.source,
    l.source_listing_id,
    p.run_id,
    p.seen_at,
    NIGHT_JST(p.seen_at) AS night_jst,
    ISO_WEEK(NIGHT_JST(p.seen_at)) AS week_jst,
    p.price_status,
    p.price_yen,
    p.price_min_yen,
    p.price_max_yen,
    p.price_planned,
    p.previous_price_yen,
    p.archive_record,
    CASE WHEN p.price_yen IS NOT NULL AND p.previous_price_yen IS NOT NULL
         THEN p.price_yen - p.previous_price_yen END AS change_yen,
    CASE WHEN p.price_yen IS NOT NULL AND p.previous_price_yen > 0
         THEN CAST(p.price_yen - p.previous_price_yen AS REAL) / p.previous_price_yen END AS change_ratio
FROM price_history p
JOIN listings l ON l.id = p.listing_id
