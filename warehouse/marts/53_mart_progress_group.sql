-- Успеваемость группы по всем дисциплинам, grain: group × period. Counted over students, not marks:
-- each student of the group (not left before the period ended) with at least one result mark is
-- placed by the worst of their result marks: «н/а» → nн/а; 2 or «незач» → n2; 3 → n3; 4 → n4;
-- only 5 (and «зач») → n5. So n5 + n4 + n3 are the «успевающие» (no 2, «незач» or «н/а») and n5 + n4
-- the «качественные» (only 4 and 5, and «зач»); N = all such students; the formulas as in
-- mart_progress_group_subject. avg_mark = sum of all ongoing numeric marks of those students / count.
WITH results AS (
    SELECT * FROM mart_progress_student WHERE in_group AND NOT has_left
),
per_student AS (
    SELECT college_id, group_id, student_id, period_kind, period_start,
           min(CASE result_mark WHEN 'н/а' THEN 0 WHEN 'не допущен' THEN 0 WHEN '2' THEN 1 WHEN 'незач' THEN 1 WHEN '3' THEN 2
                                WHEN '4' THEN 3 WHEN '5' THEN 4 WHEN 'зач' THEN 4 END) AS worst_rank
    FROM results WHERE is_counted
    GROUP BY college_id, group_id, student_id, period_kind, period_start
),
categories AS (
    SELECT group_id, period_kind, period_start,
           count(*) FILTER (WHERE worst_rank = 4)::INTEGER AS n5,
           count(*) FILTER (WHERE worst_rank = 3)::INTEGER AS n4,
           count(*) FILTER (WHERE worst_rank = 2)::INTEGER AS n3,
           count(*) FILTER (WHERE worst_rank = 1)::INTEGER AS n2,
           count(*) FILTER (WHERE worst_rank = 0)::INTEGER AS n_na,
           count(*)::INTEGER AS n_assessed
    FROM per_student GROUP BY group_id, period_kind, period_start
),
per_group AS (
    SELECT college_id, group_id, any_value(group_name) AS group_name, period_kind, period_start,
           any_value(period_end) AS period_end, any_value(semester) AS semester,
           any_value(academic_year) AS academic_year,
           count(DISTINCT student_id)::INTEGER AS students_enrolled,
           count(DISTINCT subject_id)::INTEGER AS subjects,
           coalesce(sum(numeric_sum), 0)::INTEGER AS numeric_sum,
           coalesce(sum(numeric_marks), 0)::INTEGER AS numeric_marks
    FROM results GROUP BY college_id, group_id, period_kind, period_start
),
joined AS (
    SELECT g.*, coalesce(c.n5, 0) AS n5, coalesce(c.n4, 0) AS n4, coalesce(c.n3, 0) AS n3,
           coalesce(c.n2, 0) AS n2, coalesce(c.n_na, 0) AS n_na, coalesce(c.n_assessed, 0) AS n_assessed
    FROM per_group g
    LEFT JOIN categories c USING (group_id, period_kind, period_start)
),
final AS (
    SELECT *,
           students_enrolled - n_assessed AS n_unassessed,
           avg_mark(numeric_sum, numeric_marks) AS avg_mark,
           abs_progress_pct(n5, n4, n3, n_assessed) AS abs_progress_pct,
           quality_pct(n5, n4, n_assessed) AS quality_pct,
           sou_pct(n5, n4, n3, n2, n_na, n_assessed) AS sou_pct
    FROM joined
)
SELECT * FROM final
