CREATE VIEW v_buildings AS
WITH
        latest AS (SELECT NIGHT_JST(MAX(last_seen_at)) AS night_jst FROM sighting_spans),
        used AS MATERIALIZED (
            SELECT v.*, (SELECT night_jst FROM latest) AS latest_night_jst
            FROM v_listings v
            WHERE v.property_type = 'used' AND v.listing_scope = 'unit' AND v.building_id IS NOT NULL
        ),
        ranked AS (
            SELECT building_id, price_per_m2,
                   ROW_NUMBER() OVER (PARTITION BY building_id ORDER BY price_per_m2) AS position,
                   COUNT(*) OVER (PARTITION BY building_id) AS priced
            FROM used
            WHERE status = 'active' AND price_per_m2 IS NOT NULL
        ),
        median AS (
            SELECT building_id, AVG(price_per_m2) AS median_price_per_m2
            FROM ranked
            WHERE position IN ((priced + 1) / 2, (priced + 2) / 2)
            GROUP BY building_id
        ),
        project_facts AS MATERIALIZED (
            SELECT v.listing_id, v.building_id, pb.name_key, v.ward_code, v.district,
                   pv.delivery_year, pv.delivery_month, pv.total_units
            FROM v_listings v
            JOIN v_projects pv ON pv.listing_id = v.listing_id
            JOIN buildings pb ON pb.id = v.building_id
            WHERE v.listing_scope = 'project'
        ),
        figures AS (
            SELECT
                u.building_id,
                COUNT(DISTINCT CASE WHEN u.status = 'active' THEN COALESCE(u.unit_id, -u.listing_id) END)
                    AS units_on_sale,
                SUM(CASE WHEN u.status = 'active' THEN 1 ELSE 0 END) AS listings_on_sale,
                COUNT(DISTINCT CASE WHEN DAYS_BETWEEN(u.last_seen_night_jst, u.latest_night_jst) <= 365
                                    THEN COALESCE(u.unit_id, -u.listing_id) END) AS units_listed_12m,
                SUM(CASE WHEN DAYS_BETWEEN(u.first_seen_night_jst, u.latest_night_jst) <= 365
                          AND u.built_year IS NOT NULL AND u.built_month IS NOT NULL
                          AND (YEAR_OF(u.first_seen_night_jst) * 12 + MONTH_OF(u.first_seen_night_jst))
                              - (u.built_year * 12 + u.built_month) <= 12
                         THEN 1 ELSE 0 END) AS early_resales_12m,
                SUM(CASE WHEN u.status = 'active' AND u.unoccupied THEN 1 ELSE 0 END) AS unoccupied_on_sale,
                SUM(CASE WHEN u.status = 'active' AND u.rented THEN 1 ELSE 0 END) AS rented_on_sale,
                MAX(u.total_floors) AS listed_floors,
                MAX(u.total_units) AS listed_units
            FROM used u
            GROUP BY u.building_id
        ),
        building_facts AS MATERIALIZED (
            SELECT b.id, b.name_key, b.ward_code, b.district, b.built_year, b.built_month,
                   COALESCE(b.total_units, f.listed_units) AS total_units
            FROM buildings b
            LEFT JOIN figures f ON f.building_id = b.id
        ),
        candidates AS (
            SELECT b.id AS building_id, p.listing_id AS project_listing_id,
                   CASE
                       WHEN b.id = p.building_id THEN 1
                       WHEN b.ward_code = p.ward_code AND b.district = p.district
                            AND LENGTH(b.name_key) > LENGTH(p.name_key)
                            AND SUBSTR(b.name_key, 1, LENGTH(p.name_key)) = p.name_key
                            AND ABS((b.built_year * 12 + b.built_month)
                                    - (p.delivery_year * 12 + p.delivery_month)) <= 12 THEN 2
                       WHEN b.ward_code = p.ward_code AND b.district = p.district
                            AND b.built_year = p.delivery_year AND b.built_month = p.delivery_month
                            AND ABS(b.total_units - p.total_units) <= 0.03 * p.total_units THEN 3
                   END AS rule
            FROM building_facts b
            CROSS JOIN project_facts p
        ),
        ranked_links AS (
            SELECT building_id, project_listing_id, rule,
                   ROW_NUMBER() OVER (PARTITION BY building_id ORDER BY rule, project_listing_id) AS choice
            FROM candidates
            WHERE rule IS NOT NULL
        ),
        project AS (
            SELECT building_id, project_listing_id,
                   CASE rule WHEN 1 THEN 'same_building' WHEN 2 THEN 'tower_of_project'
                             ELSE 'completion_and_units' END AS project_link_rule
            FROM ranked_links
            WHERE choice = 1
        )
SELECT
    b.id AS building_id,
    b.name AS building_name,
    b.ward_code,
    b.district,
    COALESCE(b.built_year, pv.delivery_year) AS completion_year,
    CASE WHEN b.built_year IS NOT NULL THEN b.built_month ELSE pv.delivery_month END AS completion_month,
    COALESCE(b.total_units, f.listed_units, pv.total_units) AS total_units,
    COALESCE(b.total_floors, f.listed_floors) AS total_floors,
    CASE WHEN COALESCE(b.total_floors, f.listed_floors) >= 20 THEN 1 ELSE 0 END AS is_tower,
    CASE WHEN COALESCE(b.total_floors, f.listed_floors) <= 7 THEN 1 ELSE 0 END AS is_low_rise,
    p.project_listing_id,
    p.project_link_rule,
    pv.price_min_per_m2 AS project_price_min_per_m2,
    pv.price_max_per_m2 AS project_price_max_per_m2,
    COALESCE(f.units_on_sale, 0) AS units_on_sale,
    COALESCE(f.listings_on_sale, 0) AS listings_on_sale,
    COALESCE(f.units_listed_12m, 0) AS units_listed_12m,
    COALESCE(f.early_resales_12m, 0) AS early_resales_12m,
    COALESCE(f.unoccupied_on_sale, 0) AS unoccupied_on_sale,
    COALESCE(f.rented_on_sale, 0) AS rented_on_sale,
    m.median_price_per_m2
FROM buildings b
LEFT JOIN figures f ON f.building_id = b.id
LEFT JOIN median m ON m.building_id = b.id
LEFT JOIN project p ON p.building_id = b.id
LEFT JOIN v_projects pv ON pv.listing_id = p.project_listing_id
