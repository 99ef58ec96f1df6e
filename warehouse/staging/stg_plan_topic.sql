WITH source AS (SELECT * FROM raw_plan_topic),
final AS (
    SELECT id AS plan_topic_id, curriculum_item_id, position::INTEGER AS topic_position, title AS topic_title,
           hours::INTEGER AS topic_hours
    FROM source
)
SELECT * FROM final
