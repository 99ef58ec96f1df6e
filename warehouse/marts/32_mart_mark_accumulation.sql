-- Накопляемость отметок, grain: student × group × subject over the four weeks before the load's
-- date. A student present at enough lessons but holding fewer marks than the setting is a remark
-- to the subject's teacher.
WITH params AS (
    SELECT as_of_date, min_marks_per_month FROM etl_params
),
window_lessons AS (
    SELECT r.*
    FROM lesson_roster r, params p
    WHERE r.lesson_date > p.as_of_date - 28 AND r.lesson_date <= p.as_of_date
),
attended AS (
    SELECT college_id, group_id, subject_id, student_id,
           count(*) AS lessons_held, count(*) FILTER (WHERE NOT is_absent) AS lessons_attended,
           arg_max(teacher_id, lesson_date) AS teacher_id
    FROM window_lessons GROUP BY college_id, group_id, subject_id, student_id
),
marks AS (
    SELECT w.student_id, w.subject_id, count(m.original_mark_id) AS marks
    FROM window_lessons w
    JOIN mark_current m ON m.lesson_id = w.lesson_id AND m.student_id = w.student_id
    GROUP BY w.student_id, w.subject_id
),
final AS (
    SELECT a.college_id, a.group_id, g.group_name, a.subject_id, sub.subject_name, a.student_id, st.student_name,
           a.teacher_id, t.teacher_name, a.lessons_held, a.lessons_attended, coalesce(m.marks, 0) AS marks,
           p.min_marks_per_month AS marks_expected,
           a.lessons_attended >= 4 AND coalesce(m.marks, 0) < p.min_marks_per_month AS too_few_marks
    FROM attended a
    CROSS JOIN params p
    LEFT JOIN marks m ON m.student_id = a.student_id AND m.subject_id = a.subject_id
    JOIN stg_study_group g ON g.group_id = a.group_id
    JOIN stg_subject sub ON sub.subject_id = a.subject_id
    JOIN stg_student st ON st.student_id = a.student_id
    JOIN stg_teacher t ON t.teacher_id = a.teacher_id
)
SELECT * FROM final
