CREATE VIEW v_crawl_runs AS
SELECT
    r.id AS run_id,
    r.spider,
    r.source,
    r.property_type,
    r.wards,
    r.started_at,
    r.finished_at,
    COALESCE(r.night, NIGHT_JST(r.started_at)) AS night_jst,
    ISO_WEEK(COALESCE(r.night, NIGHT_JST(r.started_at))) AS week_jst,
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
    r.removals_held,
    r.ended,
    r.relisted,
    w.hits,
    w.cards,
    CASE WHEN w.hits > 0 THEN CAST(w.cards AS REAL) / w.hits END AS coverage
FROM crawl_runs r
LEFT JOIN (
    SELECT run_id, SUM(hits) AS hits, SUM(cards) AS cards FROM crawl_run_wards GROUP BY run_id
) w ON w.run_id = r.id
