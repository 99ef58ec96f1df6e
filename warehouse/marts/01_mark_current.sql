-- The mark as it stands now for every original mark: the original, or its latest correction.
WITH RECURSIVE marks AS (
    SELECT * FROM stg_mark
),
chain AS (
    SELECT mark_id AS original_mark_id, mark_id AS current_mark_id, 0 AS depth
    FROM marks WHERE corrects_mark_id IS NULL
    UNION ALL
    SELECT chain.original_mark_id, m.mark_id, chain.depth + 1
    FROM chain JOIN marks m ON m.corrects_mark_id = chain.current_mark_id
),
heads AS (
    SELECT original_mark_id, arg_max(current_mark_id, depth) AS current_mark_id
    FROM chain GROUP BY original_mark_id
),
final AS (
    SELECT o.mark_id AS original_mark_id, h.current_mark_id, o.college_id, o.lesson_id, o.student_id,
           o.work_kind, cur.mark_value, cur.numeric_value, o.mark_value AS original_value,
           cur.mark_id <> o.mark_id AS corrected, cur.correction_reason, o.comment, o.created_by_user_id,
           o.created_at, o.created_on
    FROM heads h
    JOIN marks o ON o.mark_id = h.original_mark_id
    JOIN marks cur ON cur.mark_id = h.current_mark_id
)
SELECT * FROM final
