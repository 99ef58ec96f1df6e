WITH source AS (SELECT * FROM raw_study_group),
final AS (
    SELECT id AS group_id, college_id, speciality_id, name AS group_name,
           admission_year::INTEGER AS admission_year, curator_teacher_id
    FROM source
)
SELECT * FROM final
