-- Контрольные работы, grain: one lesson held whose work kind is 'control'. Students expected, absent,
-- and written (present = expected − absent); the current marks for the control work (mark_current with
-- work_kind 'control'): marked, still unmarked (present without a mark), the distribution 5 … 2,
-- «зач»/«незач», avg_mark = sum of the numeric marks / their count. abs_progress_pct and quality_pct
-- are over those who wrote it and were marked on the five-point scale (N = n5 + n4 + n3 + n2):
-- (n5 + n4 + n3) / N × 100 and (n5 + n4) / N × 100.
WITH lessons AS (
    SELECT * FROM mart_lesson_completeness WHERE work_kind = 'control'
),
marks AS (
    SELECT m.lesson_id,
           count(*)::INTEGER AS marked,
           count(*) FILTER (WHERE m.mark_value = '5')::INTEGER AS n5,
           count(*) FILTER (WHERE m.mark_value = '4')::INTEGER AS n4,
           count(*) FILTER (WHERE m.mark_value = '3')::INTEGER AS n3,
           count(*) FILTER (WHERE m.mark_value = '2')::INTEGER AS n2,
           count(*) FILTER (WHERE m.mark_value = 'зач')::INTEGER AS n_zach,
           count(*) FILTER (WHERE m.mark_value = 'незач')::INTEGER AS n_nezach,
           coalesce(sum(m.numeric_value), 0)::INTEGER AS numeric_sum,
           count(m.numeric_value)::INTEGER AS numeric_marks
    FROM mark_current m
    JOIN lessons l ON l.lesson_id = m.lesson_id
    WHERE m.work_kind = 'control'
    GROUP BY m.lesson_id
),
joined AS (
    SELECT l.lesson_id, l.college_id, l.lesson_date, l.month_start, l.semester, l.pair_number,
           l.group_id, l.group_name, l.subgroup, l.subject_id, l.subject_name, l.teacher_id, l.teacher_name,
           l.topic, l.work_done, l.written_deadline,
           l.students_expected, l.students_absent,
           (l.students_expected - l.students_absent)::INTEGER AS students_written,
           coalesce(m.marked, 0) AS marked, coalesce(m.n5, 0) AS n5, coalesce(m.n4, 0) AS n4,
           coalesce(m.n3, 0) AS n3, coalesce(m.n2, 0) AS n2, coalesce(m.n_zach, 0) AS n_zach,
           coalesce(m.n_nezach, 0) AS n_nezach, coalesce(m.numeric_sum, 0) AS numeric_sum,
           coalesce(m.numeric_marks, 0) AS numeric_marks, l.written_unmarked AS unmarked
    FROM lessons l
    LEFT JOIN marks m ON m.lesson_id = l.lesson_id
),
final AS (
    SELECT *,
           avg_mark(numeric_sum, numeric_marks) AS avg_mark,
           abs_progress_pct(n5, n4, n3, numeric_marks) AS abs_progress_pct,
           quality_pct(n5, n4, numeric_marks) AS quality_pct
    FROM joined
)
SELECT * FROM final
