WITH source AS (SELECT * FROM raw_curriculum_item),
final AS (
    SELECT id AS curriculum_item_id, college_id, study_group_id AS group_id, subject_id,
           semester::INTEGER AS semester, planned_hours::INTEGER AS planned_hours, attestation_form, teacher_id
    FROM source
)
SELECT * FROM final
