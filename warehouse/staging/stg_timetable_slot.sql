WITH source AS (SELECT * FROM raw_timetable_slot),
final AS (
    SELECT id AS timetable_slot_id, college_id, study_group_id AS group_id, subgroup::INTEGER AS subgroup,
           weekday::INTEGER AS weekday, pair_number::INTEGER AS pair_number, subject_id, teacher_id, room,
           valid_from, valid_to
    FROM source
)
SELECT * FROM final
