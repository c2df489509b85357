CREATE VIEW sightings AS
SELECT
    r.id AS run_id,
    s.listing_id,
    s.page_kind,
    CASE WHEN r.id = s.last_run_id THEN s.last_seen_at
         WHEN r.id = s.first_run_id THEN s.first_seen_at
         ELSE r.finished_at END AS seen_at,
    CASE WHEN r.id = s.last_run_id THEN s.last_archive_record
         WHEN r.id = s.first_run_id THEN s.first_archive_record END AS archive_record
FROM sighting_spans s
JOIN crawl_runs f ON f.id = s.first_run_id
JOIN crawl_runs r ON r.spider = f.spider AND r.id BETWEEN s.first_run_id AND s.last_run_id
