-- Посещаемость за месяц, grain: student × month (all subjects). share_missed = hours missed / hours
-- held (0..1); is_systematic («систематические пропуски») when that share is above
-- etl_params.systematic_absence_share (EJOURNAL_SYSTEMATIC_ABSENCE_SHARE, 0.30 by default).
WITH params AS (
    SELECT systematic_absence_share FROM etl_params
),
daily AS (
    SELECT * FROM mart_attendance_student_day
),
per_month AS (
    SELECT college_id, group_id, any_value(group_name) AS group_name, student_id,
           any_value(student_name) AS student_name, month_start,
           sum(lessons_held)::INTEGER AS lessons_held, sum(hours_held)::INTEGER AS hours_held,
           sum(lessons_missed)::INTEGER AS lessons_missed, sum(hours_missed)::INTEGER AS hours_missed,
           sum(hours_excused)::INTEGER AS hours_excused, sum(hours_unexcused)::INTEGER AS hours_unexcused,
           sum(lates)::INTEGER AS lates
    FROM daily
    GROUP BY college_id, group_id, student_id, month_start
),
final AS (
    SELECT m.*,
           CASE WHEN m.hours_held > 0 THEN m.hours_missed / m.hours_held ELSE 0.0 END AS share_missed,
           CASE WHEN m.hours_held > 0 THEN m.hours_unexcused / m.hours_held ELSE 0.0 END AS share_unexcused,
           m.hours_held > 0 AND m.hours_missed / m.hours_held > p.systematic_absence_share AS is_systematic,
           p.systematic_absence_share
    FROM per_month m
    CROSS JOIN params p
)
SELECT * FROM final
