-- Замечания: every defect of a lesson before the load's date, addressed to the teacher who
-- conducted it, due a week after the lesson. Derived from the data, so filling the field closes
-- the remark: «fixed» when filled (late), «open» until the due date, «overdue» after it.
WITH params AS (
    SELECT as_of_date FROM etl_params
),
lessons AS (
    SELECT c.*, l.topic_filled_on, l.work_filled_on, l.homework_filled_on, l.attendance_filled_on
    FROM mart_lesson_completeness c
    JOIN stg_lesson l USING (lesson_id)
    WHERE NOT c.is_today
),
defects AS (
    SELECT lesson_id, 'no_topic' AS remark_kind, topic_filled_on AS fixed_on, lesson_date + 7 AS due_date
    FROM lessons WHERE NOT topic_on_day
    UNION ALL
    SELECT lesson_id, 'no_work', CASE WHEN has_work THEN work_filled_on END, lesson_date + 7
    FROM lessons WHERE NOT work_on_day
    UNION ALL
    SELECT lesson_id, 'no_homework', homework_filled_on, lesson_date + 7
    FROM lessons WHERE NOT homework_on_day
    UNION ALL
    SELECT lesson_id, 'no_attendance', attendance_filled_on, lesson_date + 7
    FROM lessons WHERE NOT attendance_on_day
    UNION ALL
    -- written work still short of marks; after the checking deadline it can no longer be fixed
    SELECT lesson_id, 'written_unmarked', NULL, written_deadline
    FROM lessons WHERE is_written AND written_unmarked > 0
),
final AS (
    SELECT d.lesson_id || ':' || d.remark_kind AS remark_id, d.remark_kind,
           CASE d.remark_kind
               WHEN 'no_topic' THEN 'Не указана тема занятия'
               WHEN 'no_work' THEN 'Не указаны выполненные задания и их тип'
               WHEN 'no_homework' THEN 'Не указано домашнее задание'
               WHEN 'no_attendance' THEN 'Не отмечена посещаемость'
               WHEN 'written_unmarked' THEN 'Не выставлены отметки за письменную работу'
           END AS remark_title,
           l.lesson_id, l.college_id, l.lesson_date, l.week_start, l.month_start, l.pair_number,
           l.teacher_id, l.teacher_name, l.group_id, l.group_name, l.subject_id, l.subject_name,
           d.due_date, d.fixed_on,
           CASE WHEN d.fixed_on IS NOT NULL THEN 'fixed'
                WHEN p.as_of_date <= d.due_date THEN 'open'
                ELSE 'overdue' END AS remark_state
    FROM defects d
    JOIN lessons l USING (lesson_id)
    CROSS JOIN params p
)
SELECT * FROM final
