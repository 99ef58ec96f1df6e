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
           CASE WHEN numeric_marks > 0 THEN round(numeric_sum / numeric_marks, 2) END AS avg_mark,
           CASE WHEN n_assessed > 0 THEN round(100.0 * (n5 + n4 + n3) / n_assessed, 1) END AS abs_progress_pct,
           CASE WHEN n_assessed > 0 THEN round(100.0 * (n5 + n4) / n_assessed, 1) END AS quality_pct,
           CASE WHEN n_assessed > 0
                THEN round((100 * n5 + 64 * n4 + 36 * n3 + 16 * n2 + 7 * n_na) / n_assessed, 1) END AS sou_pct
    FROM per_college
)
SELECT * FROM final
