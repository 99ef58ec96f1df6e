-- The monthly roll-up for the deputy director, grain: teacher × month: completeness, remarks by
-- state, written work left unmarked, and mark corrections recorded for the teacher's lessons.
WITH lessons AS (
    SELECT * FROM mart_lesson_completeness WHERE NOT is_today
),
per_month AS (
    SELECT college_id, teacher_id, any_value(teacher_name) AS teacher_name, month_start,
           count(*) AS lessons_held,
           count(*) FILTER (WHERE complete_on_day) AS lessons_complete_on_day,
           count(*) FILTER (WHERE filled_late) AS lessons_filled_late,
           count(*) FILTER (WHERE written_overdue) AS written_overdue
    FROM lessons GROUP BY college_id, teacher_id, month_start
),
remarks AS (
    SELECT teacher_id, month_start, count(*) AS remarks_total,
           count(*) FILTER (WHERE remark_state = 'fixed') AS remarks_fixed,
           count(*) FILTER (WHERE remark_state = 'open') AS remarks_open,
           count(*) FILTER (WHERE remark_state = 'overdue') AS remarks_overdue
    FROM mart_remark GROUP BY teacher_id, month_start
),
corrections AS (
    SELECT l.teacher_id, l.month_start, count(*) AS mark_corrections
    FROM stg_mark m JOIN mart_lesson_completeness l ON l.lesson_id = m.lesson_id
    WHERE m.corrects_mark_id IS NOT NULL
    GROUP BY l.teacher_id, l.month_start
),
final AS (
    SELECT p.*, round(100.0 * p.lessons_complete_on_day / p.lessons_held, 1) AS pct_complete_on_day,
           coalesce(r.remarks_total, 0) AS remarks_total, coalesce(r.remarks_fixed, 0) AS remarks_fixed,
           coalesce(r.remarks_open, 0) AS remarks_open, coalesce(r.remarks_overdue, 0) AS remarks_overdue,
           coalesce(c.mark_corrections, 0) AS mark_corrections
    FROM per_month p
    LEFT JOIN remarks r USING (teacher_id, month_start)
    LEFT JOIN corrections c USING (teacher_id, month_start)
)
SELECT * FROM final
