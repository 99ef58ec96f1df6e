-- КТП topics of approved versions: is_current marks the КТП in force; the others were approved
-- before it and stay for the lessons that recorded them.
WITH source AS (SELECT * FROM raw_plan_topic),
final AS (
    SELECT id AS plan_topic_id, curriculum_item_id, position::INTEGER AS topic_position, title AS topic_title,
           hours::INTEGER AS topic_hours, ktp_version_id, ktp_version::INTEGER AS ktp_version,
           is_current::BOOLEAN AS is_current
    FROM source
)
SELECT * FROM final
