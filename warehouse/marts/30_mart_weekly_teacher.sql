-- «Анализ работы с классными журналами», grain: teacher × week (Monday). Lessons held (before
-- the load's date), how many were complete on the lesson day, and the week's remarks by state.
WITH lessons AS (
    SELECT * FROM mart_lesson_completeness WHERE NOT is_today
),
per_week AS (
    SELECT college_id, teacher_id, any_value(teacher_name) AS teacher_name, week_start,
           count(*) AS lessons_held,
           count(*) FILTER (WHERE complete_on_day) AS lessons_complete_on_day,
           count(*) FILTER (WHERE filled_late) AS lessons_filled_late,
           count(*) FILTER (WHERE is_substitution) AS substitutions,
           count(*) FILTER (WHERE written_overdue) AS written_overdue
    FROM lessons GROUP BY college_id, teacher_id, week_start
),
remarks AS (
    SELECT teacher_id, week_start,
           count(*) AS remarks_total,
           count(*) FILTER (WHERE remark_state = 'open') AS remarks_open,
           count(*) FILTER (WHERE remark_state = 'fixed') AS remarks_fixed,
           count(*) FILTER (WHERE remark_state = 'overdue') AS remarks_overdue
    FROM mart_remark GROUP BY teacher_id, week_start
),
final AS (
    SELECT w.*, round(100.0 * w.lessons_complete_on_day / w.lessons_held, 1) AS pct_complete_on_day,
           coalesce(r.remarks_total, 0) AS remarks_total, coalesce(r.remarks_open, 0) AS remarks_open,
           coalesce(r.remarks_fixed, 0) AS remarks_fixed, coalesce(r.remarks_overdue, 0) AS remarks_overdue
    FROM per_week w
    LEFT JOIN remarks r USING (teacher_id, week_start)
)
SELECT * FROM final
