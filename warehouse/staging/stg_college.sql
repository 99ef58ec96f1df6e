WITH source AS (SELECT * FROM raw_college),
final AS (
    SELECT id AS college_id, name AS college_name, short_name AS college_short_name, city
    FROM source
)
SELECT * FROM final
