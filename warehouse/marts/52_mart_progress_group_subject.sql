-- Успеваемость по дисциплине в группе, grain: group × subject × period (period_kind, period_start as
-- in mart_progress_student). The glossary's metrics over the students' result marks:
--   N (n_assessed) = students in the group, not left before the period ended, whose result mark is
--   5, 4, 3, 2 or «н/а» (a student «н/а» or «не допущен» stays in N as «н/а»; students with no mark are not counted);
--   abs_progress_pct = (n5 + n4 + n3) / N × 100; quality_pct = (n5 + n4) / N × 100;
--   sou_pct = (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·nн/а) / N.
-- «зач»/«незач» are not on the five-point scale: counted apart (n_zach, n_nezach, and «н/а» of a
-- subject attested by a зачёт as n_na_credit), credit_pass_pct = n_zach / (n_zach + n_nezach +
-- n_na_credit) × 100. avg_mark (средний балл) = sum of the ongoing numeric marks of those students /
-- their count. teacher_id: the main conducting teacher; teacher_ids every teacher who conducted its
-- lessons in the period.
WITH students AS (
    SELECT * FROM mart_progress_student WHERE in_group
),
per_set AS (
    SELECT college_id, group_id, any_value(group_name) AS group_name, subject_id,
           any_value(subject_name) AS subject_name, any_value(subject_kind) AS subject_kind,
           period_kind, period_start, any_value(period_end) AS period_end, any_value(semester) AS semester,
           any_value(academic_year) AS academic_year, any_value(teacher_id) AS teacher_id,
           any_value(teacher_ids) AS teacher_ids,
           count(*) FILTER (WHERE NOT has_left)::INTEGER AS students_enrolled,
           count(*) FILTER (WHERE is_counted AND result_mark = '5')::INTEGER AS n5,
           count(*) FILTER (WHERE is_counted AND result_mark = '4')::INTEGER AS n4,
           count(*) FILTER (WHERE is_counted AND result_mark = '3')::INTEGER AS n3,
           count(*) FILTER (WHERE is_counted AND result_mark = '2')::INTEGER AS n2,
           count(*) FILTER (WHERE is_counted AND result_mark IN ('н/а', 'не допущен')
                            AND coalesce(attestation_form, '') <> 'credit')::INTEGER AS n_na,
           count(*) FILTER (WHERE is_counted AND result_mark = 'зач')::INTEGER AS n_zach,
           count(*) FILTER (WHERE is_counted AND result_mark = 'незач')::INTEGER AS n_nezach,
           count(*) FILTER (WHERE is_counted AND result_mark IN ('н/а', 'не допущен') AND attestation_form = 'credit')::INTEGER
               AS n_na_credit,
           count(*) FILTER (WHERE NOT has_left AND result_mark IS NULL)::INTEGER AS n_unassessed,
           coalesce(sum(numeric_sum) FILTER (WHERE NOT has_left), 0)::INTEGER AS numeric_sum,
           coalesce(sum(numeric_marks) FILTER (WHERE NOT has_left), 0)::INTEGER AS numeric_marks
    FROM students
    GROUP BY college_id, group_id, subject_id, period_kind, period_start
),
counted AS (
    SELECT *, n5 + n4 + n3 + n2 + n_na AS n_assessed, n_zach + n_nezach + n_na_credit AS credit_assessed
    FROM per_set
),
final AS (
    SELECT *,
           avg_mark(numeric_sum, numeric_marks) AS avg_mark,
           abs_progress_pct(n5, n4, n3, n_assessed) AS abs_progress_pct,
           quality_pct(n5, n4, n_assessed) AS quality_pct,
           sou_pct(n5, n4, n3, n2, n_na, n_assessed) AS sou_pct,
           CASE WHEN credit_assessed > 0 THEN round(100.0 * n_zach / credit_assessed, 1) END AS credit_pass_pct
    FROM counted
)
SELECT * FROM final
