WITH source AS (SELECT * FROM raw_lesson),
params AS (SELECT timezone FROM etl_params),
final AS (
    SELECT s.id AS lesson_id, s.college_id, s.study_group_id AS group_id, s.subgroup::INTEGER AS subgroup,
           s.subject_id, s.semester::INTEGER AS semester, s.teacher_id, s.substitute_teacher_id,
           coalesce(s.substitute_teacher_id, s.teacher_id) AS conducting_teacher_id,
           s.lesson_date, s.pair_number::INTEGER AS pair_number, s.hours::INTEGER AS hours,
           nullif(trim(s.topic), '') AS topic, s.plan_topic_id, nullif(trim(s.work_done), '') AS work_done,
           s.work_kind, nullif(trim(s.homework), '') AS homework,
           timezone(p.timezone, s.topic_filled_at)::DATE AS topic_filled_on,
           timezone(p.timezone, s.work_filled_at)::DATE AS work_filled_on,
           timezone(p.timezone, s.homework_filled_at)::DATE AS homework_filled_on,
           timezone(p.timezone, s.attendance_filled_at)::DATE AS attendance_filled_on,
           s.updated_at
    FROM source s CROSS JOIN params p
)
SELECT * FROM final
