-- Студенты группы риска, grain: student still enrolled on as_of_date. The current semester is the
-- half of the academic year containing as_of_date (stg_calendar), the current
-- month the month of as_of_date. Signals: failing_subjects — subjects not yet attested (no semester
-- mark) whose semester period mark from ongoing marks is 2 or «незач» (once attested, a bad semester
-- mark is a debt instead); twos — current «2» marks on the semester's lessons; debts —
-- academic debts (mart_academic_debt) of any semester; hours_unexcused_month and the month's
-- systematic-absence flag (mart_attendance_student_month). is_at_risk when failing_subjects > 0,
-- debts > 0 or the month's absence is systematic; risk_reasons lists them in Russian (twos and the
-- unexcused hours are shown beside the flag, not part of it: over a semester of fifteen subjects a few
-- «2» are common).
WITH params AS (
    SELECT p.as_of_date, date_trunc('month', p.as_of_date)::DATE AS month_start, c.starts_on AS semester_start
    FROM etl_params p
    JOIN stg_calendar c ON p.as_of_date BETWEEN c.starts_on AND c.ends_on
),
students AS (
    SELECT st.student_id, st.college_id, st.group_id, g.group_name, st.student_name
    FROM stg_student st
    JOIN stg_study_group g ON g.group_id = st.group_id
    CROSS JOIN params p
    WHERE st.enrolled_on <= p.as_of_date AND (st.left_on IS NULL OR st.left_on > p.as_of_date)
),
failing AS (
    SELECT r.student_id, count(*)::INTEGER AS failing_subjects,
           string_agg(r.subject_name, ', ' ORDER BY r.subject_name) AS failing_subject_names
    FROM mart_progress_student r, params p
    WHERE r.period_kind = 'semester' AND r.period_start = p.semester_start AND r.in_group
      AND r.semester_mark IS NULL AND r.period_mark IN ('2', 'незач')
    GROUP BY r.student_id
),
twos AS (
    SELECT m.student_id, count(*)::INTEGER AS twos
    FROM mark_current m
    JOIN stg_lesson l ON l.lesson_id = m.lesson_id
    CROSS JOIN params p
    WHERE m.mark_value = '2' AND l.lesson_date BETWEEN p.semester_start AND p.as_of_date
    GROUP BY m.student_id
),
debts AS (
    SELECT student_id, count(*)::INTEGER AS debts
    FROM mart_academic_debt WHERE is_debt GROUP BY student_id
),
attendance AS (
    SELECT a.student_id, a.hours_held AS hours_held_month, a.hours_missed AS hours_missed_month,
           a.hours_unexcused AS hours_unexcused_month, a.share_missed AS share_missed_month, a.is_systematic
    FROM mart_attendance_student_month a, params p
    WHERE a.month_start = p.month_start
),
joined AS (
    SELECT s.*, p.semester_start, p.month_start,
           coalesce(f.failing_subjects, 0) AS failing_subjects, f.failing_subject_names,
           coalesce(t.twos, 0) AS twos, coalesce(d.debts, 0) AS debts,
           coalesce(a.hours_held_month, 0) AS hours_held_month,
           coalesce(a.hours_missed_month, 0) AS hours_missed_month,
           coalesce(a.hours_unexcused_month, 0) AS hours_unexcused_month,
           coalesce(a.share_missed_month, 0.0) AS share_missed_month,
           coalesce(a.is_systematic, FALSE) AS is_systematic
    FROM students s
    CROSS JOIN params p
    LEFT JOIN failing f ON f.student_id = s.student_id
    LEFT JOIN twos t ON t.student_id = s.student_id
    LEFT JOIN debts d ON d.student_id = s.student_id
    LEFT JOIN attendance a ON a.student_id = s.student_id
),
final AS (
    SELECT *,
           failing_subjects > 0 OR debts > 0 OR is_systematic AS is_at_risk,
           concat_ws('; ',
               CASE WHEN failing_subjects > 0
                    THEN 'текущая отметка «2» за семестр: ' || failing_subject_names END,
               CASE WHEN debts > 0 THEN 'академических задолженностей: ' || debts END,
               CASE WHEN is_systematic
                    THEN 'систематические пропуски: ' || round(100 * share_missed_month)::INTEGER
                         || ' % часов месяца' END
           ) AS risk_reasons
    FROM joined
)
SELECT * FROM final
