-- The academic calendar's halves, grain: academic year × half (1 autumn, 2 spring). The same bounds
-- as app/calendar.py (tests/test_calendar.py compares the two): the year runs 1 September –
-- 31 August; the autumn half to 31 January, the spring half from 1 February. A group's programme
-- semester s falls in academic year admission_year + (s - 1) // 2, half 2 - s % 2. Every mart
-- that dates a semester or a year joins this model instead of writing the dates itself.
WITH years AS (
    SELECT range::INTEGER AS academic_year FROM range(1990, 2101)
),
halves AS (
    SELECT y.academic_year, h.half FROM years y CROSS JOIN (VALUES (1), (2)) AS h(half)
),
final AS (
    SELECT academic_year, half,
           CASE WHEN half = 1 THEN make_date(academic_year, 9, 1) ELSE make_date(academic_year + 1, 2, 1) END
               AS starts_on,
           CASE WHEN half = 1 THEN make_date(academic_year + 1, 1, 31) ELSE make_date(academic_year + 1, 8, 31) END
               AS ends_on,
           make_date(academic_year, 9, 1) AS year_starts_on,
           make_date(academic_year + 1, 8, 31) AS year_ends_on
    FROM halves
)
SELECT * FROM final
