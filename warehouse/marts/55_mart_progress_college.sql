-- Успеваемость колледжа, grain: college × period. Counted over students as in mart_progress_group
-- (each student once, placed by their worst result mark), summed over the groups.
WITH group_rows AS (
    SELECT * FROM mart_progress_group
),
per_college AS (
    SELECT college_id, period_kind, period_start, any_value(period_end) AS period_end,
           any_value(academic_year) AS academic_year, count(*)::INTEGER AS group_count,
           sum(students_enrolled)::INTEGER AS students_enrolled,
           sum(n5)::INTEGER AS n5, sum(n4)::INTEGER AS n4, sum(n3)::INTEGER AS n3, sum(n2)::INTEGER AS n2,
           sum(n_na)::INTEGER AS n_na, sum(n_assessed)::INTEGER AS n_assessed,
           sum(numeric_sum)::INTEGER AS numeric_sum, sum(numeric_marks)::INTEGER AS numeric_marks
    FROM group_rows
    GROUP BY college_id, period_kind, period_start
),
final AS (
    SELECT *,
           avg_mark(numeric_sum, numeric_marks) AS avg_mark,
           abs_progress_pct(n5, n4, n3, n_assessed) AS abs_progress_pct,
           quality_pct(n5, n4, n_assessed) AS quality_pct,
           sou_pct(n5, n4, n3, n2, n_na, n_assessed) AS sou_pct
    FROM per_college
)
SELECT * FROM final
