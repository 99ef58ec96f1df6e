WITH source AS (SELECT * FROM raw_semester_mark),
final AS (
    SELECT id AS semester_mark_id, college_id, curriculum_item_id, student_id, value AS mark_value,
           CASE WHEN value IN ('2', '3', '4', '5') THEN value::INTEGER END AS numeric_value,
           created_at, corrects_id
    FROM source
)
SELECT * FROM final
