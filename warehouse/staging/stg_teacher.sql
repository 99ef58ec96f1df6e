WITH source AS (SELECT * FROM raw_teacher),
final AS (
    SELECT id AS teacher_id, college_id,
           concat_ws(' ', last_name, first_name, nullif(middle_name, '')) AS teacher_name,
           last_name || ' ' || left(first_name, 1) || '.'
               || CASE WHEN middle_name <> '' THEN ' ' || left(middle_name, 1) || '.' ELSE '' END AS teacher_short_name,
           position, user_id
    FROM source
)
SELECT * FROM final
