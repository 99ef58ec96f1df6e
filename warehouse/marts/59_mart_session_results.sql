-- Итоги сессии, grain: group × half of an academic year (the half's attestation sheets). Over the
-- students of mart_academic_debt (those the sheets list): «успевающий» has only 5, 4, 3 or «зач» on
-- every sheet, «качественный» only 5, 4 or «зач» (the glossary); at the session (each sheet's first
-- mark) and now (after retakes and corrections). Absolute progress and quality of knowledge are
-- their shares of N, the students on the sheets. `students_marked`: those with a mark on a sheet.
WITH sheets AS (
    SELECT d.college_id, d.group_id, d.group_name, d.student_id, d.semester, d.is_closed, d.is_debt,
           g.admission_year + (d.semester - 1) // 2 AS academic_year, 2 - d.semester % 2 AS half,
           d.semester_mark AS value_now, m.original_value AS value_at_session
    FROM mart_academic_debt d
    JOIN stg_study_group g ON g.group_id = d.group_id
    LEFT JOIN semester_mark_current m
      ON m.curriculum_item_id = d.curriculum_item_id AND m.student_id = d.student_id
),
students AS (
    SELECT college_id, group_id, group_name, academic_year, half, student_id,
           min(semester) AS semester,
           bool_and(coalesce(value_at_session IN ('5', '4', '3', 'зач'), FALSE)) AS passed_at_session,
           bool_and(coalesce(value_at_session IN ('5', '4', 'зач'), FALSE)) AS quality_at_session,
           bool_and(coalesce(value_now IN ('5', '4', '3', 'зач'), FALSE)) AS passed_now,
           bool_and(coalesce(value_now IN ('5', '4', 'зач'), FALSE)) AS quality_now,
           count(*) FILTER (WHERE is_debt) AS debts_now,
           bool_or(value_at_session IS NOT NULL) AS marked,
           bool_and(is_closed) AS is_closed
    FROM sheets
    GROUP BY ALL
),
final AS (
    SELECT college_id, group_id, group_name, academic_year, half, min(semester) AS semester,
           count(*) AS students,
           count(*) FILTER (WHERE passed_at_session) AS passed_at_session,
           count(*) FILTER (WHERE quality_at_session) AS quality_at_session,
           count(*) FILTER (WHERE passed_now) AS passed_now,
           count(*) FILTER (WHERE quality_now) AS quality_now,
           count(*) FILTER (WHERE debts_now > 0) AS debtors_now,
           sum(debts_now)::INTEGER AS debts_now,
           count(*) FILTER (WHERE marked) AS students_marked,
           bool_and(is_closed) AS is_closed
    FROM students
    GROUP BY ALL
)
SELECT * FROM final
