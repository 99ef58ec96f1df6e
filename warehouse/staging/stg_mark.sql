WITH source AS (SELECT * FROM raw_mark),
params AS (SELECT timezone FROM etl_params),
final AS (
    SELECT s.id AS mark_id, s.college_id, s.lesson_id, s.student_id, s.value AS mark_value,
           CASE WHEN s.value IN ('2', '3', '4', '5') THEN s.value::INTEGER END AS numeric_value,
           s.work_kind, s.comment, s.created_by_user_id, s.created_at,
           timezone(p.timezone, s.created_at)::DATE AS created_on, s.corrects_mark_id, s.correction_reason
    FROM source s CROSS JOIN params p
)
SELECT * FROM final
