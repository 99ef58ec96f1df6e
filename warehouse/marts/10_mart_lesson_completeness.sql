-- One row per lesson held (up to the load's date): what was filled, whether on the lesson day,
-- written work left unmarked past the checking deadline, and the lesson's place against the КТП.
WITH params AS (
    SELECT as_of_date, checking_deadline_days FROM etl_params
),
lessons AS (
    SELECT l.* FROM stg_lesson l, params p WHERE l.lesson_date <= p.as_of_date
),
marks AS (
    SELECT lesson_id, student_id, work_kind FROM mark_current
),
marks_per_lesson AS (
    SELECT lesson_id, count(*) AS marks_given, count(DISTINCT student_id) AS students_marked
    FROM marks GROUP BY lesson_id
),
written_marked AS (
    -- students holding a mark for the lesson's own (written) kind of work
    SELECT l.lesson_id, count(DISTINCT m.student_id) AS written_marked
    FROM lessons l JOIN marks m ON m.lesson_id = l.lesson_id AND m.work_kind = l.work_kind
    GROUP BY l.lesson_id
),
roster AS (
    SELECT lesson_id, count(*) AS students_expected, count(*) FILTER (WHERE is_absent) AS students_absent
    FROM lesson_roster GROUP BY lesson_id
),
plan AS (
    SELECT plan_topic_id, topic_position, topic_title FROM stg_plan_topic
),
sequenced AS (
    SELECT lesson_id,
           row_number() OVER (PARTITION BY group_id, subject_id, semester, subgroup
                              ORDER BY lesson_date, pair_number) AS lesson_seq
    FROM lessons
),
enriched AS (
    SELECT l.*,
           g.group_name, s.subject_name, s.subject_code, s.subject_kind,
           t.teacher_name, t.teacher_short_name,
           l.substitute_teacher_id IS NOT NULL AS is_substitution,
           date_trunc('week', l.lesson_date)::DATE AS week_start,
           date_trunc('month', l.lesson_date)::DATE AS month_start,
           -- §4.2.1: контрольные и тестовые работы are checked and marked for every student who
           -- wrote them within the checking deadline; other written work may be marked selectively.
           l.work_kind IN ('control', 'test') AS is_written,
           l.lesson_date + p.checking_deadline_days AS written_deadline,
           p.as_of_date,
           coalesce(mp.marks_given, 0) AS marks_given,
           coalesce(r.students_expected, 0) AS students_expected,
           coalesce(r.students_absent, 0) AS students_absent,
           coalesce(wm.written_marked, 0) AS written_marked,
           pl.topic_position AS plan_position, sq.lesson_seq
    FROM lessons l
    CROSS JOIN params p
    JOIN stg_study_group g ON g.group_id = l.group_id
    JOIN stg_subject s ON s.subject_id = l.subject_id
    JOIN stg_teacher t ON t.teacher_id = l.conducting_teacher_id
    LEFT JOIN marks_per_lesson mp ON mp.lesson_id = l.lesson_id
    LEFT JOIN roster r ON r.lesson_id = l.lesson_id
    LEFT JOIN written_marked wm ON wm.lesson_id = l.lesson_id
    LEFT JOIN plan pl ON pl.plan_topic_id = l.plan_topic_id
    JOIN sequenced sq ON sq.lesson_id = l.lesson_id
),
final AS (
    SELECT lesson_id, college_id, lesson_date, week_start, month_start, pair_number, hours, semester,
           group_id, group_name, subgroup, subject_id, subject_code, subject_name, subject_kind,
           conducting_teacher_id AS teacher_id, teacher_name, teacher_short_name,
           teacher_id AS planned_teacher_id, is_substitution,
           topic, work_done, work_kind, homework,
           topic IS NOT NULL AS has_topic,
           coalesce(topic_filled_on <= lesson_date, FALSE) AS topic_on_day,
           work_done IS NOT NULL AND work_kind IS NOT NULL AS has_work,
           coalesce(work_filled_on <= lesson_date, FALSE) AS work_on_day,
           homework IS NOT NULL AS has_homework,
           coalesce(homework_filled_on <= lesson_date, FALSE) AS homework_on_day,
           attendance_filled_on IS NOT NULL AS attendance_taken,
           coalesce(attendance_filled_on <= lesson_date, FALSE) AS attendance_on_day,
           marks_given, students_expected, students_absent,
           is_written, written_deadline,
           CASE WHEN is_written THEN greatest(students_expected - students_absent - written_marked, 0) ELSE 0 END
               AS written_unmarked,
           is_written AND as_of_date > written_deadline
               AND students_expected - students_absent - written_marked > 0 AS written_overdue,
           topic IS NOT NULL AND work_done IS NOT NULL AND work_kind IS NOT NULL AND homework IS NOT NULL
               AND attendance_filled_on IS NOT NULL AS is_complete,
           -- a kind of work saved without what was done stamps work_filled_on: complete it is not
           is_complete AND coalesce(topic_filled_on <= lesson_date AND work_filled_on <= lesson_date
               AND homework_filled_on <= lesson_date AND attendance_filled_on <= lesson_date, FALSE)
               AS complete_on_day,
           coalesce(topic_filled_on > lesson_date OR work_filled_on > lesson_date
               OR homework_filled_on > lesson_date OR attendance_filled_on > lesson_date, FALSE) AS filled_late,
           lesson_date = as_of_date AS is_today,
           plan_position, lesson_seq,
           lesson_seq - plan_position AS ktp_lag
    FROM enriched
)
SELECT * FROM final
