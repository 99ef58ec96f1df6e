-- The attestation calendar, grain: college × academic year × half. The session: the college's own
-- (calendar_period, set by the deputy director) or app/calendar.py's default, 20 December –
-- 31 January and 15 June – 10 July (tests/test_calendar.py compares the two); closed_at: when the
-- deputy closed the half (attestation_close), NULL while it is open.
WITH halves AS (
    SELECT academic_year, half FROM stg_calendar
),
colleges AS (
    SELECT college_id FROM stg_college
),
sessions AS (
    SELECT college_id, academic_year, half, starts_on, ends_on FROM raw_calendar_period WHERE kind = 'session'
),
closes AS (
    SELECT college_id, academic_year, half, closed_at FROM raw_attestation_close
),
final AS (
    SELECT c.college_id, h.academic_year, h.half,
           coalesce(s.starts_on, CASE WHEN h.half = 1 THEN make_date(h.academic_year, 12, 20)
                                      ELSE make_date(h.academic_year + 1, 6, 15) END) AS session_starts_on,
           coalesce(s.ends_on, CASE WHEN h.half = 1 THEN make_date(h.academic_year + 1, 1, 31)
                                    ELSE make_date(h.academic_year + 1, 7, 10) END) AS session_ends_on,
           cl.closed_at
    FROM colleges c
    CROSS JOIN halves h
    LEFT JOIN sessions s ON s.college_id = c.college_id AND s.academic_year = h.academic_year AND s.half = h.half
    LEFT JOIN closes cl ON cl.college_id = c.college_id AND cl.academic_year = h.academic_year AND cl.half = h.half
)
SELECT * FROM final
