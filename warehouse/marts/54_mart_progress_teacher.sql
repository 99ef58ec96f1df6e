-- Успеваемость по преподавателю, grain: teacher × period. Counted over results (student × subject),
-- not students: the group × subject sets of mart_progress_group_subject whose main conducting teacher
-- is this teacher, their n5 … nн/а and N summed, the formulas as there. avg_mark = sum of the ongoing
-- numeric marks / their count over those sets.
WITH sets AS (
    SELECT * FROM mart_progress_group_subject WHERE teacher_id IS NOT NULL
),
per_teacher AS (
    SELECT s.college_id, s.teacher_id, any_value(t.teacher_name) AS teacher_name, s.period_kind, s.period_start,
           any_value(s.period_end) AS period_end, any_value(s.academic_year) AS academic_year,
           count(DISTINCT s.group_id)::INTEGER AS group_count, count(*)::INTEGER AS group_subjects,
           sum(s.n5)::INTEGER AS n5, sum(s.n4)::INTEGER AS n4, sum(s.n3)::INTEGER AS n3,
           sum(s.n2)::INTEGER AS n2, sum(s.n_na)::INTEGER AS n_na, sum(s.n_assessed)::INTEGER AS n_assessed,
           sum(s.n_zach)::INTEGER AS n_zach, sum(s.n_nezach)::INTEGER AS n_nezach,
           sum(s.numeric_sum)::INTEGER AS numeric_sum, sum(s.numeric_marks)::INTEGER AS numeric_marks
    FROM sets s
    JOIN stg_teacher t ON t.teacher_id = s.teacher_id
    GROUP BY s.college_id, s.teacher_id, s.period_kind, s.period_start
),
final AS (
    SELECT *,
           avg_mark(numeric_sum, numeric_marks) AS avg_mark,
           abs_progress_pct(n5, n4, n3, n_assessed) AS abs_progress_pct,
           quality_pct(n5, n4, n_assessed) AS quality_pct,
           sou_pct(n5, n4, n3, n2, n_na, n_assessed) AS sou_pct
    FROM per_teacher
)
SELECT * FROM final
