WITH source AS (SELECT * FROM raw_attendance),
final AS (
    SELECT id AS attendance_id, college_id, lesson_id, student_id, status AS attendance_status, reason,
           updated_at
    FROM source
)
SELECT * FROM final
