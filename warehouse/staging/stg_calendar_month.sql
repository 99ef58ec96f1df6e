-- The academic calendar by month, grain: calendar month (its first day). Each month of stg_calendar's
-- halves with its half's bounds: a mart that finds the half or the academic year of a date joins
-- this on the date's month, an equality join, where a range join on stg_calendar's bounds
-- (BETWEEN starts_on AND ends_on) sorted every row it dated.
WITH halves AS (
    SELECT * FROM stg_calendar
),
final AS (
    SELECT unnest(generate_series(starts_on, ends_on, INTERVAL 1 MONTH))::DATE AS month_start,
           academic_year, half, starts_on, ends_on, year_starts_on, year_ends_on
    FROM halves
)
SELECT * FROM final
