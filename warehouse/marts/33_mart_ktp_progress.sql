-- КТП against the journal, grain: curriculum item (group × subject × semester). Hours planned in
-- the curriculum and in the КТП, hours taught so far, how far the topics have got, and the lag:
-- lessons taught minus the furthest КТП position reached (positive = the group is behind). The plan
-- is the approved version (is_current); a lesson that recorded a topic of an earlier approved version
-- counts with that topic's position, at most the approved КТП's last one.
WITH params AS (
    SELECT as_of_date FROM etl_params
),
plan AS (
    SELECT curriculum_item_id, max(ktp_version) AS ktp_version, count(*) AS ktp_topics,
           sum(topic_hours) AS ktp_hours
    FROM stg_plan_topic WHERE is_current GROUP BY curriculum_item_id
),
taught AS (
    SELECT group_id, subject_id, semester, count(*) AS lessons_taught, sum(hours) AS hours_taught,
           max(plan_position) AS furthest_topic, count(*) FILTER (WHERE NOT has_topic) AS lessons_without_topic,
           max(lesson_seq) AS max_seq, min(lesson_date) AS first_lesson, max(lesson_date) AS last_lesson
    FROM mart_lesson_completeness
    WHERE subgroup IN (0, 1)  -- subgroups study the same КТП in parallel: count one of them
    GROUP BY group_id, subject_id, semester
),
reached AS (
    SELECT c.curriculum_item_id, least(coalesce(tg.furthest_topic, 0), coalesce(pl.ktp_topics, 0)) AS furthest
    FROM stg_curriculum_item c
    LEFT JOIN plan pl ON pl.curriculum_item_id = c.curriculum_item_id
    LEFT JOIN taught tg ON tg.group_id = c.group_id AND tg.subject_id = c.subject_id AND tg.semester = c.semester
),
final AS (
    SELECT c.curriculum_item_id, c.college_id, c.group_id, g.group_name, c.subject_id, s.subject_name,
           c.semester, c.teacher_id, t.teacher_name, c.planned_hours,
           pl.ktp_version, coalesce(pl.ktp_topics, 0) AS ktp_topics, coalesce(pl.ktp_hours, 0) AS ktp_hours,
           coalesce(tg.lessons_taught, 0) AS lessons_taught, coalesce(tg.hours_taught, 0) AS hours_taught,
           r.furthest AS furthest_topic,
           coalesce(tg.lessons_without_topic, 0) AS lessons_without_topic,
           coalesce(tg.max_seq, 0) - r.furthest AS ktp_lag_lessons,
           coalesce(tg.max_seq, 0) - r.furthest >= 3 AS behind_ktp
    FROM stg_curriculum_item c
    JOIN stg_study_group g ON g.group_id = c.group_id
    JOIN stg_subject s ON s.subject_id = c.subject_id
    LEFT JOIN stg_teacher t ON t.teacher_id = c.teacher_id
    LEFT JOIN plan pl ON pl.curriculum_item_id = c.curriculum_item_id
    LEFT JOIN taught tg ON tg.group_id = c.group_id AND tg.subject_id = c.subject_id AND tg.semester = c.semester
    JOIN reached r ON r.curriculum_item_id = c.curriculum_item_id
)
SELECT * FROM final
