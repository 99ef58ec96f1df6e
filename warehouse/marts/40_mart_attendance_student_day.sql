-- Посещаемость за день, grain: student × group × day (all subjects): mart_attendance_daily summed
-- over the day's subjects. The pages read it whenever no subject is chosen (a third of the rows), and
-- the monthly marts are built from it.
WITH daily AS (
    SELECT * FROM mart_attendance_daily
),
final AS (
    SELECT college_id, group_id, any_value(group_name) AS group_name, student_id,
           any_value(student_name) AS student_name, lesson_date,
           any_value(week_start) AS week_start, any_value(month_start) AS month_start,
           sum(lessons_held)::INTEGER AS lessons_held, sum(hours_held)::INTEGER AS hours_held,
           sum(lessons_missed)::INTEGER AS lessons_missed, sum(hours_missed)::INTEGER AS hours_missed,
           sum(hours_excused)::INTEGER AS hours_excused, sum(hours_unexcused)::INTEGER AS hours_unexcused,
           sum(lates)::INTEGER AS lates
    FROM daily
    GROUP BY college_id, group_id, student_id, lesson_date
)
SELECT * FROM final
