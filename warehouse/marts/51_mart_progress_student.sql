-- Успеваемость, grain: student × group × subject × period. period_kind is 'month' (calendar month),
-- 'semester' (the group's programme semester lesson.semester, dated by stg_calendar from the group's
-- admission year) or 'year' (the academic
-- year from 1 September); period_start is its first day, period_end its last.
-- Ongoing marks are mark_current (a corrected mark counts with its corrected value). period_mark: the
-- average of the numeric marks rounded half up (4.5 → 5); with no numeric mark, «зач»/«незач» from
-- the credit marks: «незач» when there are more «незач» than «зач», otherwise «зач». semester_mark: the
-- current (latest corrected) mark of промежуточная аттестация. result_mark, the mark the metrics count:
-- for a semester the semester mark where there is one, otherwise (and for months and years) the
-- period mark. is_counted (the student is in N): has a result mark, is still in this group (the
-- lesson's group is the student's group) and had not left before the period ended.
WITH params AS (
    SELECT as_of_date FROM etl_params
),
study_groups AS (
    SELECT group_id, group_name, admission_year FROM stg_study_group
),
lessons AS (
    SELECT l.lesson_id, l.college_id, l.group_id, l.subject_id, l.semester, l.lesson_date,
           date_trunc('month', l.lesson_date)::DATE AS month_start, l.conducting_teacher_id AS teacher_id
    FROM stg_lesson l, params p
    WHERE l.lesson_date <= p.as_of_date
),
semester_marks AS (
    SELECT * FROM semester_mark_current
),
group_semesters AS (
    SELECT s.group_id, s.semester,
           g.admission_year + (s.semester - 1) // 2 AS academic_year, 2 - s.semester % 2 AS half
    FROM (SELECT DISTINCT group_id, semester FROM lessons
          UNION SELECT DISTINCT group_id, semester FROM semester_marks) s
    JOIN study_groups g ON g.group_id = s.group_id
),
semester_bounds AS (
    SELECT gs.group_id, gs.semester, c.starts_on AS period_start, c.ends_on AS period_end
    FROM group_semesters gs
    JOIN stg_calendar c ON c.academic_year = gs.academic_year AND c.half = gs.half
),
-- everything is first summed per month (and programme semester), then rolled up into the periods:
-- the roster's lessons and the marks in one pass, one row each
facts_month AS (
    SELECT l.college_id, f.student_id, l.group_id, l.subject_id, l.month_start, l.semester,
           count(*) FILTER (WHERE f.is_roster) AS lessons_held,
           count(*) FILTER (WHERE f.is_roster AND NOT f.is_absent) AS lessons_attended,
           count(*) FILTER (WHERE NOT f.is_roster) AS marks_count,
           count(f.numeric_value) AS numeric_marks,
           coalesce(sum(f.numeric_value), 0) AS numeric_sum,
           count(*) FILTER (WHERE f.mark_value = '5') AS marks_5,
           count(*) FILTER (WHERE f.mark_value = '4') AS marks_4,
           count(*) FILTER (WHERE f.mark_value = '3') AS marks_3,
           count(*) FILTER (WHERE f.mark_value = '2') AS marks_2,
           count(*) FILTER (WHERE f.mark_value = 'зач') AS marks_zach,
           count(*) FILTER (WHERE f.mark_value = 'незач') AS marks_nezach
    FROM (
        SELECT m.lesson_id, m.student_id, FALSE AS is_roster, FALSE AS is_absent, m.numeric_value, m.mark_value
        FROM mark_current m
        UNION ALL
        SELECT r.lesson_id, r.student_id, TRUE, r.is_absent, NULL, NULL
        FROM lesson_roster r
    ) f
    JOIN lessons l ON l.lesson_id = f.lesson_id
    GROUP BY l.college_id, f.student_id, l.group_id, l.subject_id, l.month_start, l.semester
),
teacher_month AS (
    SELECT group_id, subject_id, month_start, semester, teacher_id,
           count(*) AS lessons, max(lesson_date) AS last_lesson
    FROM lessons GROUP BY group_id, subject_id, month_start, semester, teacher_id
),
month_periods AS (
    -- each (group, month, semester) in its three periods
    SELECT DISTINCT group_id, month_start, semester, 'month' AS period_kind, month_start AS period_start,
           last_day(month_start) AS period_end
    FROM lessons
    UNION ALL
    SELECT DISTINCT l.group_id, l.month_start, l.semester, 'semester', b.period_start, b.period_end
    FROM lessons l JOIN semester_bounds b ON b.group_id = l.group_id AND b.semester = l.semester
    UNION ALL
    SELECT DISTINCT l.group_id, l.month_start, l.semester, 'year', c.year_starts_on, c.year_ends_on
    FROM lessons l
    JOIN stg_calendar_month c ON c.month_start = l.month_start
),
period_agg AS (
    SELECT f.college_id, f.student_id, f.group_id, f.subject_id, mp.period_kind, mp.period_start, mp.period_end,
           sum(f.lessons_held)::INTEGER AS lessons_held, sum(f.lessons_attended)::INTEGER AS lessons_attended,
           sum(f.marks_count)::INTEGER AS marks_count, sum(f.numeric_marks)::INTEGER AS numeric_marks,
           sum(f.numeric_sum)::INTEGER AS numeric_sum,
           sum(f.marks_5)::INTEGER AS marks_5, sum(f.marks_4)::INTEGER AS marks_4,
           sum(f.marks_3)::INTEGER AS marks_3, sum(f.marks_2)::INTEGER AS marks_2,
           sum(f.marks_zach)::INTEGER AS marks_zach, sum(f.marks_nezach)::INTEGER AS marks_nezach
    FROM facts_month f
    JOIN month_periods mp ON mp.group_id = f.group_id AND mp.month_start = f.month_start AND mp.semester = f.semester
    GROUP BY f.college_id, f.student_id, f.group_id, f.subject_id, mp.period_kind, mp.period_start, mp.period_end
),
semester_agg AS (
    SELECT sm.college_id, sm.student_id, sm.group_id, sm.subject_id, 'semester' AS period_kind,
           b.period_start, b.period_end, sm.mark_value AS semester_mark, sm.attestation_form
    FROM semester_marks sm
    JOIN semester_bounds b ON b.group_id = sm.group_id AND b.semester = sm.semester
),
keyed AS (
    -- a student's period with lessons or marks, with a semester mark, or both
    SELECT coalesce(a.college_id, s.college_id) AS college_id, coalesce(a.student_id, s.student_id) AS student_id,
           coalesce(a.group_id, s.group_id) AS group_id, coalesce(a.subject_id, s.subject_id) AS subject_id,
           coalesce(a.period_kind, s.period_kind) AS period_kind,
           coalesce(a.period_start, s.period_start) AS period_start,
           coalesce(a.period_end, s.period_end) AS period_end,
           coalesce(a.lessons_held, 0) AS lessons_held, coalesce(a.lessons_attended, 0) AS lessons_attended,
           coalesce(a.marks_count, 0) AS marks_count, coalesce(a.numeric_marks, 0) AS numeric_marks,
           coalesce(a.numeric_sum, 0) AS numeric_sum,
           coalesce(a.marks_5, 0) AS marks_5, coalesce(a.marks_4, 0) AS marks_4,
           coalesce(a.marks_3, 0) AS marks_3, coalesce(a.marks_2, 0) AS marks_2,
           coalesce(a.marks_zach, 0) AS marks_zach, coalesce(a.marks_nezach, 0) AS marks_nezach,
           s.semester_mark, s.attestation_form AS sheet_attestation_form
    FROM period_agg a
    FULL JOIN semester_agg s
      ON s.student_id = a.student_id AND s.group_id = a.group_id AND s.subject_id = a.subject_id
     AND s.period_kind = a.period_kind AND s.period_start = a.period_start
),
teacher_lessons AS (
    SELECT t.group_id, t.subject_id, mp.period_kind, mp.period_start, t.teacher_id,
           sum(t.lessons) AS lessons, max(t.last_lesson) AS last_lesson
    FROM teacher_month t
    JOIN month_periods mp ON mp.group_id = t.group_id AND mp.month_start = t.month_start AND mp.semester = t.semester
    GROUP BY t.group_id, t.subject_id, mp.period_kind, mp.period_start, t.teacher_id
),
teachers AS (
    -- the main teacher: who conducted most of the period's lessons (then the latest, then the lowest id)
    SELECT group_id, subject_id, period_kind, period_start,
           arg_min(teacher_id, (-lessons, -epoch(last_lesson), teacher_id)) AS teacher_id,
           list(DISTINCT teacher_id ORDER BY teacher_id) AS teacher_ids
    FROM teacher_lessons GROUP BY ALL
),
semester_numbers AS (
    SELECT group_id, semester, period_start FROM semester_bounds
),
joined AS (
    SELECT k.college_id, k.student_id, k.group_id, k.subject_id, k.period_kind, k.period_start, k.period_end,
           st.student_name, g.group_name, sub.subject_name, sub.subject_kind,
           sn.semester,
           cal.academic_year,
           k.lessons_held, k.lessons_attended, k.marks_count, k.numeric_marks, k.numeric_sum,
           k.marks_5, k.marks_4, k.marks_3, k.marks_2, k.marks_zach, k.marks_nezach,
           k.semester_mark, coalesce(k.sheet_attestation_form, ci.attestation_form) AS attestation_form,
           coalesce(t.teacher_id, ci.teacher_id) AS teacher_id,
           coalesce(t.teacher_ids, CASE WHEN ci.teacher_id IS NOT NULL THEN [ci.teacher_id] END, [])
               AS teacher_ids,
           st.group_id = k.group_id AS in_group,
           st.left_on IS NOT NULL AND st.left_on <= k.period_end AS has_left,
           st.left_on
    FROM keyed k
    JOIN stg_student st ON st.student_id = k.student_id
    JOIN study_groups g ON g.group_id = k.group_id
    JOIN stg_subject sub ON sub.subject_id = k.subject_id
    LEFT JOIN teachers t
      ON t.group_id = k.group_id AND t.subject_id = k.subject_id
     AND t.period_kind = k.period_kind AND t.period_start = k.period_start
    JOIN stg_calendar_month cal ON cal.month_start = date_trunc('month', k.period_start)::DATE
    LEFT JOIN semester_numbers sn
      ON k.period_kind = 'semester' AND sn.group_id = k.group_id AND sn.period_start = k.period_start
    LEFT JOIN stg_curriculum_item ci
      ON ci.group_id = k.group_id AND ci.subject_id = k.subject_id AND ci.semester = sn.semester
),
marked AS (
    SELECT j.*,
           CASE WHEN j.numeric_marks > 0 THEN round(j.numeric_sum / j.numeric_marks, 2) END AS avg_mark,
           CASE WHEN j.numeric_marks > 0 THEN floor(j.numeric_sum / j.numeric_marks + 0.5)::INTEGER::VARCHAR
                WHEN j.marks_zach + j.marks_nezach > 0 THEN
                    CASE WHEN j.marks_nezach > j.marks_zach THEN 'незач' ELSE 'зач' END
           END AS period_mark
    FROM joined j
),
final AS (
    SELECT college_id, group_id, group_name, student_id, student_name, subject_id, subject_name, subject_kind,
           period_kind, period_start, period_end, semester, academic_year, teacher_id, teacher_ids,
           attestation_form, lessons_held, lessons_attended, marks_count, numeric_marks, numeric_sum,
           marks_5, marks_4, marks_3, marks_2, marks_zach, marks_nezach, avg_mark, period_mark,
           semester_mark,
           coalesce(semester_mark, period_mark) AS result_mark,
           CASE WHEN semester_mark IS NOT NULL THEN 'semester'
                WHEN period_mark IS NOT NULL THEN 'current' END AS result_source,
           in_group, has_left, left_on,
           coalesce(semester_mark, period_mark) IS NOT NULL AND in_group AND NOT has_left AS is_counted
    FROM marked
)
SELECT * FROM final
