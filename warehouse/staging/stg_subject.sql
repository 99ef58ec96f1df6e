WITH source AS (SELECT * FROM raw_subject),
final AS (
    SELECT id AS subject_id, college_id, code AS subject_code, name AS subject_name, kind AS subject_kind, module_id
    FROM source
)
SELECT * FROM final
