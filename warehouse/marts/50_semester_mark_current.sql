-- The semester mark (промежуточная аттестация) as it stands now, grain: one original semester mark:
-- the original, or its latest correction (a correction is a new row whose corrects_id points at the
-- row it corrects). Carries the curriculum item's group, subject, semester and attestation form.
WITH RECURSIVE marks AS (
    SELECT * FROM stg_semester_mark
),
chain AS (
    SELECT semester_mark_id AS original_id, semester_mark_id AS current_id, 0 AS depth
    FROM marks WHERE corrects_id IS NULL
    UNION ALL
    SELECT chain.original_id, m.semester_mark_id, chain.depth + 1
    FROM chain JOIN marks m ON m.corrects_id = chain.current_id
),
heads AS (
    SELECT original_id, arg_max(current_id, depth) AS current_id
    FROM chain GROUP BY original_id
),
final AS (
    SELECT h.original_id AS original_semester_mark_id, h.current_id AS current_semester_mark_id,
           o.college_id, o.curriculum_item_id, o.student_id, c.group_id, c.subject_id, c.semester,
           c.attestation_form, cur.mark_value, cur.numeric_value, o.mark_value AS original_value,
           cur.semester_mark_id <> o.semester_mark_id AS corrected, cur.created_at
    FROM heads h
    JOIN marks o ON o.semester_mark_id = h.original_id
    JOIN marks cur ON cur.semester_mark_id = h.current_id
    JOIN stg_curriculum_item c ON c.curriculum_item_id = o.curriculum_item_id
)
SELECT * FROM final
