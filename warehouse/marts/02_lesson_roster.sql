-- Who was expected at each lesson held: the group (or the subject's subgroup) enrolled on the lesson date.
WITH params AS (
    SELECT as_of_date FROM etl_params
),
lessons AS (
    SELECT l.* FROM stg_lesson l, params p WHERE l.lesson_date <= p.as_of_date
),
students AS (
    SELECT * FROM stg_student
),
subject_subgroups AS (
    SELECT * FROM stg_subject_subgroup
),
attendance AS (
    SELECT * FROM stg_attendance
),
final AS (
    SELECT l.lesson_id, l.college_id, l.lesson_date, l.group_id, l.subject_id, l.semester, l.hours,
           l.conducting_teacher_id AS teacher_id, s.student_id,
           a.attendance_status,
           coalesce(a.attendance_status IN ('absent', 'excused'), FALSE) AS is_absent
    FROM lessons l
    JOIN students s
      ON s.group_id = l.group_id
     AND s.enrolled_on <= l.lesson_date
     AND (s.left_on IS NULL OR s.left_on > l.lesson_date)
    LEFT JOIN subject_subgroups g ON g.student_id = s.student_id AND g.subject_id = l.subject_id
    LEFT JOIN attendance a ON a.lesson_id = l.lesson_id AND a.student_id = s.student_id
    -- the student's subgroup for this subject, else their own (PostgreSQL's student_subgroup)
    WHERE l.subgroup = 0 OR coalesce(g.subgroup, s.subgroup) = l.subgroup
)
SELECT * FROM final
