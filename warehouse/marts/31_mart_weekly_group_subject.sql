-- Grain: group × subject × week. The same completeness figures seen from the journal's side,
-- with КТП hours taught that week.
WITH lessons AS (
    SELECT * FROM mart_lesson_completeness WHERE NOT is_today
),
remarks AS (
    SELECT group_id, subject_id, week_start, count(*) AS remarks_total,
           count(*) FILTER (WHERE remark_state <> 'fixed') AS remarks_unresolved
    FROM mart_remark GROUP BY group_id, subject_id, week_start
),
per_week AS (
    SELECT college_id, group_id, any_value(group_name) AS group_name, subject_id,
           any_value(subject_name) AS subject_name, week_start,
           string_agg(DISTINCT teacher_short_name, ', ') AS teachers,
           count(*) AS lessons_held,
           count(*) FILTER (WHERE complete_on_day) AS lessons_complete_on_day,
           2 * count(*) AS hours_taught,
           count(*) FILTER (WHERE has_topic) AS lessons_with_topic
    FROM lessons GROUP BY college_id, group_id, subject_id, week_start
),
final AS (
    SELECT w.*, round(100.0 * w.lessons_complete_on_day / w.lessons_held, 1) AS pct_complete_on_day,
           coalesce(r.remarks_total, 0) AS remarks_total, coalesce(r.remarks_unresolved, 0) AS remarks_unresolved
    FROM per_week w
    LEFT JOIN remarks r USING (group_id, subject_id, week_start)
)
SELECT * FROM final
