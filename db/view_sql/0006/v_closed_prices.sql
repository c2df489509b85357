CREATE VIEW v_closed_prices AS
SELECT
    c.id AS closed_price_id,
    c.ward_code,
    c.municipality,
    c.district,
    c.district_code,
    c.quarter,
    c.price_category,
    c.price_yen,
    c.area_m2,
    c.area_capped,
    c.price_per_m2,
    c.layout,
    c.built_year,
    c.built_prewar,
    CASE WHEN c.built_year IS NOT NULL THEN CAST(SUBSTR(c.quarter, 1, 4) AS INTEGER) - c.built_year END AS age_years,
    c.structure,
    c.renovated,
    c.remarks,
    c.special_sale,
    c.source,
    c.imported_at
FROM closed_prices c
