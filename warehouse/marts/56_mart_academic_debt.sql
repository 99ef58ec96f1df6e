-- Академические задолженности, grain: student × curriculum item (group × subject × semester) with a
-- form of промежуточная аттестация (exam, diff_credit, credit, qual_exam; 'other' has none). Students:
-- those of the group enrolled by the semester's end who had not left by then, plus anyone holding a
-- semester mark for the item; only semesters that have begun. The semester's dates from
-- stg_calendar, as in mart_progress_student; it is closed once the deputy director has closed it
-- (attestation_close) or its session is over (stg_session_calendar: the college's own or the default).
-- A debt (is_debt): the current semester mark is 2, «незач», «н/а» or «не допущен» (app.domain.DEBT_MARKS) — at once, closed or not — or
-- there is no semester mark once the semester is closed.
WITH params AS (
    SELECT as_of_date FROM etl_params
),
items AS (
    SELECT c.curriculum_item_id, c.college_id, c.group_id, g.group_name, c.subject_id, s.subject_name,
           c.semester, c.attestation_form, c.teacher_id,
           g.admission_year + (c.semester - 1) // 2 AS academic_year, 2 - c.semester % 2 AS half
    FROM stg_curriculum_item c
    JOIN stg_study_group g ON g.group_id = c.group_id
    JOIN stg_subject s ON s.subject_id = c.subject_id
    WHERE c.attestation_form <> 'other'
),
bounded AS (
    SELECT i.*, cal.starts_on AS semester_start, cal.ends_on AS semester_end, ses.session_ends_on, ses.closed_at
    FROM items i
    JOIN stg_calendar cal ON cal.academic_year = i.academic_year AND cal.half = i.half
    JOIN stg_session_calendar ses
      ON ses.college_id = i.college_id AND ses.academic_year = i.academic_year AND ses.half = i.half
),
marks AS (
    SELECT curriculum_item_id, student_id, mark_value FROM semester_mark_current
),
expected AS (
    SELECT b.curriculum_item_id, st.student_id
    FROM bounded b
    JOIN stg_student st
      ON st.group_id = b.group_id
     AND st.enrolled_on <= b.semester_end
     AND (st.left_on IS NULL OR st.left_on > b.semester_end)
    UNION
    SELECT curriculum_item_id, student_id FROM marks
),
joined AS (
    SELECT b.*, e.student_id, st.student_name, m.mark_value AS semester_mark,
           b.closed_at IS NOT NULL OR p.as_of_date > b.session_ends_on AS is_closed
    FROM expected e
    JOIN bounded b ON b.curriculum_item_id = e.curriculum_item_id
    JOIN stg_student st ON st.student_id = e.student_id
    LEFT JOIN marks m ON m.curriculum_item_id = e.curriculum_item_id AND m.student_id = e.student_id
    CROSS JOIN params p
    WHERE b.semester_start <= p.as_of_date OR m.mark_value IS NOT NULL
),
classified AS (
    SELECT *,
           CASE WHEN semester_mark = '2' THEN 'mark_2'
                WHEN semester_mark = 'незач' THEN 'nezach'
                WHEN semester_mark = 'н/а' THEN 'na'
                WHEN semester_mark = 'не допущен' THEN 'not_admitted'
                WHEN semester_mark IS NULL AND is_closed THEN 'missing'
           END AS debt_kind
    FROM joined
),
final AS (
    SELECT curriculum_item_id, college_id, group_id, group_name, student_id, student_name, subject_id,
           subject_name, semester, semester_start, semester_end, attestation_form, teacher_id, semester_mark,
           is_closed, debt_kind, debt_kind IS NOT NULL AS is_debt,
           CASE debt_kind
               WHEN 'mark_2' THEN 'Неудовлетворительная отметка «2»'
               WHEN 'nezach' THEN 'Не зачтено'
               WHEN 'na' THEN 'Не аттестован (н/а)'
               WHEN 'not_admitted' THEN 'Не допущен к аттестации'
               WHEN 'missing' THEN 'Нет отметки за семестр после его окончания'
           END AS debt_title
    FROM classified
)
SELECT * FROM final
