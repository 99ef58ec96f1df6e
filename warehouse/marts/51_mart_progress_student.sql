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
-- everything is first summed per month (and programme semester), then rolled up into the periods
roster_month AS (
    SELECT l.college_id, r.student_id, l.group_id, l.subject_id, l.month_start, l.semester,
           count(*) AS lessons_held, count(*) FILTER (WHERE NOT r.is_absent) AS lessons_attended
    FROM lesson_roster r JOIN lessons l ON l.lesson_id = r.lesson_id
    GROUP BY l.college_id, r.student_id, l.group_id, l.subject_id, l.month_start, l.semester
),
marks_month AS (
    SELECT l.college_id, m.student_id, l.group_id, l.subject_id, l.month_start, l.semester,
           count(*) AS marks_count,
           count(m.numeric_value) AS numeric_marks,
           coalesce(sum(m.numeric_value), 0) AS numeric_sum,
           count(*) FILTER (WHERE m.mark_value = '5') AS marks_5,
           count(*) FILTER (WHERE m.mark_value = '4') AS marks_4,
           count(*) FILTER (WHERE m.mark_value = '3') AS marks_3,
           count(*) FILTER (WHERE m.mark_value = '2') AS marks_2,
           count(*) FILTER (WHERE m.mark_value = 'зач') AS marks_zach,
           count(*) FILTER (WHERE m.mark_value = 'незач') AS marks_nezach
    FROM mark_current m JOIN lessons l ON l.lesson_id = m.lesson_id
    GROUP BY l.college_id, m.student_id, l.group_id, l.subject_id, l.month_start, l.semester
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
roster_agg AS (
    SELECT r.college_id, r.student_id, r.group_id, r.subject_id, mp.period_kind, mp.period_start, mp.period_end,
           sum(r.lessons_held)::INTEGER AS lessons_held, sum(r.lessons_attended)::INTEGER AS lessons_attended
    FROM roster_month r
    JOIN month_periods mp ON mp.group_id = r.group_id AND mp.month_start = r.month_start AND mp.semester = r.semester
    GROUP BY r.college_id, r.student_id, r.group_id, r.subject_id, mp.period_kind, mp.period_start, mp.period_end
),
mark_agg AS (
    SELECT m.college_id, m.student_id, m.group_id, m.subject_id, mp.period_kind, mp.period_start, mp.period_end,
           sum(m.marks_count)::INTEGER AS marks_count, sum(m.numeric_marks)::INTEGER AS numeric_marks,
           sum(m.numeric_sum)::INTEGER AS numeric_sum,
           sum(m.marks_5)::INTEGER AS marks_5, sum(m.marks_4)::INTEGER AS marks_4,
           sum(m.marks_3)::INTEGER AS marks_3, sum(m.marks_2)::INTEGER AS marks_2,
           sum(m.marks_zach)::INTEGER AS marks_zach, sum(m.marks_nezach)::INTEGER AS marks_nezach
    FROM marks_month m
    JOIN month_periods mp ON mp.group_id = m.group_id AND mp.month_start = m.month_start AND mp.semester = m.semester
    GROUP BY m.college_id, m.student_id, m.group_id, m.subject_id, mp.period_kind, mp.period_start, mp.period_end
),
semester_agg AS (
    SELECT sm.college_id, sm.student_id, sm.group_id, sm.subject_id, 'semester' AS period_kind,
           b.period_start, b.period_end, sm.mark_value AS semester_mark, sm.attestation_form
    FROM semester_marks sm
    JOIN semester_bounds b ON b.group_id = sm.group_id AND b.semester = sm.semester
),
keys AS (
    SELECT college_id, student_id, group_id, subject_id, period_kind, period_start, period_end FROM roster_agg
    UNION
    SELECT college_id, student_id, group_id, subject_id, period_kind, period_start, period_end FROM mark_agg
    UNION
    SELECT college_id, student_id, group_id, subject_id, period_kind, period_start, period_end FROM semester_agg
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
    SELECT k.*, st.student_name, g.group_name, sub.subject_name, sub.subject_kind,
           sn.semester,
           cal.academic_year,
           coalesce(ra.lessons_held, 0) AS lessons_held, coalesce(ra.lessons_attended, 0) AS lessons_attended,
           coalesce(ma.marks_count, 0) AS marks_count, coalesce(ma.numeric_marks, 0) AS numeric_marks,
           coalesce(ma.numeric_sum, 0) AS numeric_sum,
           coalesce(ma.marks_5, 0) AS marks_5, coalesce(ma.marks_4, 0) AS marks_4,
           coalesce(ma.marks_3, 0) AS marks_3, coalesce(ma.marks_2, 0) AS marks_2,
           coalesce(ma.marks_zach, 0) AS marks_zach, coalesce(ma.marks_nezach, 0) AS marks_nezach,
           sa.semester_mark, coalesce(sa.attestation_form, ci.attestation_form) AS attestation_form,
           coalesce(t.teacher_id, ci.teacher_id) AS teacher_id,
           coalesce(t.teacher_ids, CASE WHEN ci.teacher_id IS NOT NULL THEN [ci.teacher_id] END, [])
               AS teacher_ids,
           st.group_id = k.group_id AS in_group,
           st.left_on IS NOT NULL AND st.left_on <= k.period_end AS has_left,
           st.left_on
    FROM keys k
    JOIN stg_student st ON st.student_id = k.student_id
    JOIN study_groups g ON g.group_id = k.group_id
    JOIN stg_subject sub ON sub.subject_id = k.subject_id
    LEFT JOIN roster_agg ra
      ON ra.student_id = k.student_id AND ra.group_id = k.group_id AND ra.subject_id = k.subject_id
     AND ra.period_kind = k.period_kind AND ra.period_start = k.period_start
    LEFT JOIN mark_agg ma
      ON ma.student_id = k.student_id AND ma.group_id = k.group_id AND ma.subject_id = k.subject_id
     AND ma.period_kind = k.period_kind AND ma.period_start = k.period_start
    LEFT JOIN semester_agg sa
      ON sa.student_id = k.student_id AND sa.group_id = k.group_id AND sa.subject_id = k.subject_id
     AND sa.period_kind = k.period_kind AND sa.period_start = k.period_start
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
