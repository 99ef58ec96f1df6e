-- Посещаемость, grain: student × subject × day (lessons held up to as_of_date, every expected student
-- from lesson_roster). Hours are academic hours (lesson.hours: a pair = 2). Missed = absent «н»
-- (unexcused) + excused «ув»; lates «оп» are counted apart as lessons, a late student is present and
-- misses no hours. The student's group, names and the month carried so pages filter without joins.
WITH roster AS (
    SELECT * FROM lesson_roster
),
per_day AS (
    SELECT college_id, group_id, student_id, subject_id, lesson_date,
           max(semester) AS semester,
           count(*)::INTEGER AS lessons_held,
           coalesce(sum(hours), 0)::INTEGER AS hours_held,
           count(*) FILTER (WHERE attendance_status IN ('absent', 'excused'))::INTEGER AS lessons_missed,
           coalesce(sum(hours) FILTER (WHERE attendance_status IN ('absent', 'excused')), 0)::INTEGER
               AS hours_missed,
           coalesce(sum(hours) FILTER (WHERE attendance_status = 'excused'), 0)::INTEGER AS hours_excused,
           coalesce(sum(hours) FILTER (WHERE attendance_status = 'absent'), 0)::INTEGER AS hours_unexcused,
           count(*) FILTER (WHERE attendance_status = 'late')::INTEGER AS lates
    FROM roster
    GROUP BY college_id, group_id, student_id, subject_id, lesson_date
),
final AS (
    SELECT d.college_id, d.group_id, g.group_name, d.student_id, st.student_name,
           d.subject_id, sub.subject_name, d.lesson_date,
           date_trunc('week', d.lesson_date)::DATE AS week_start,
           date_trunc('month', d.lesson_date)::DATE AS month_start,
           d.semester, d.lessons_held, d.hours_held, d.lessons_missed, d.hours_missed,
           d.hours_excused, d.hours_unexcused, d.lates
    FROM per_day d
    JOIN stg_study_group g ON g.group_id = d.group_id
    JOIN stg_student st ON st.student_id = d.student_id
    JOIN stg_subject sub ON sub.subject_id = d.subject_id
)
SELECT * FROM final
