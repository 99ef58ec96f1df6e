-- Посещаемость группы за месяц, grain: group × month, for the charts. Hours are student-hours: the
-- hours each expected student was due to attend, summed, so share_missed = hours missed / student-hours
-- held; systematic_students = students of the group flagged in mart_attendance_student_month.
WITH students AS (
    SELECT * FROM mart_attendance_student_month
),
final AS (
    SELECT college_id, group_id, any_value(group_name) AS group_name, month_start,
           count(*)::INTEGER AS students,
           sum(hours_held)::INTEGER AS student_hours_held,
           sum(hours_missed)::INTEGER AS hours_missed,
           sum(hours_excused)::INTEGER AS hours_excused,
           sum(hours_unexcused)::INTEGER AS hours_unexcused,
           sum(lates)::INTEGER AS lates,
           CASE WHEN sum(hours_held) > 0 THEN sum(hours_missed) / sum(hours_held) ELSE 0.0 END AS share_missed,
           round(sum(hours_missed) / count(*), 1) AS hours_missed_per_student,
           count(*) FILTER (WHERE is_systematic)::INTEGER AS systematic_students
    FROM students
    GROUP BY college_id, group_id, month_start
)
SELECT * FROM final
