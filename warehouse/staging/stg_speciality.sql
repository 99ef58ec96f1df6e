WITH source AS (SELECT * FROM raw_speciality),
final AS (
    SELECT id AS speciality_id, college_id, code AS speciality_code, name AS speciality_name, qualification
    FROM source
)
SELECT * FROM final
