-- A student's subgroup for one subject where it differs from their own: the warehouse's copy of
-- the rule PostgreSQL's student_subgroup() keeps (migration 0020), read by the lesson roster.
WITH source AS (SELECT * FROM raw_subject_subgroup),
final AS (
    SELECT student_id, subject_id, subgroup::INTEGER AS subgroup
    FROM source
)
SELECT * FROM final
