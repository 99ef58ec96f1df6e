WITH source AS (SELECT * FROM raw_student),
final AS (
    SELECT id AS student_id, college_id, study_group_id AS group_id,
           last_name, first_name, middle_name,
           concat_ws(' ', last_name, first_name, nullif(middle_name, '')) AS student_name,
           subgroup::INTEGER AS subgroup, enrolled_on, left_on
    FROM source
)
SELECT * FROM final
