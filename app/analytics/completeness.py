"""Journal completeness and the weekly/monthly journal-keeping analysis, read from the warehouse."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from app.analytics.common import Scope, pct
from etl.warehouse import WarehouseReader

REMARK_STATES = {"open": "открыто", "fixed": "устранено", "overdue": "просрочено"}


def summary(reader: WarehouseReader, scope: Scope) -> dict[str, Any]:
    where, params = scope.where()
    lessons = reader.query(
        f"""
        SELECT count(*) AS held, count(*) FILTER (WHERE complete_on_day) AS on_day,
               count(*) FILTER (WHERE filled_late) AS late, count(*) FILTER (WHERE written_overdue) AS written_overdue
        FROM mart_lesson_completeness WHERE NOT is_today AND {where}
        """,
        params,
    ).row(0, named=True)
    remarks = reader.query(
        f"SELECT remark_state, count(*) AS n FROM mart_remark WHERE {where} GROUP BY remark_state", params
    )
    by_state = dict(zip(remarks["remark_state"].to_list(), remarks["n"].to_list(), strict=True))
    return {
        "held": lessons["held"],
        "pct_on_day": pct(lessons["on_day"], lessons["held"]),
        "late": lessons["late"],
        "written_overdue": lessons["written_overdue"],
        "remarks_open": by_state.get("open", 0),
        "remarks_fixed": by_state.get("fixed", 0),
        "remarks_overdue": by_state.get("overdue", 0),
    }


_BY = {
    "teacher": ("teacher_id", "teacher_name", "Преподаватель"),
    "group": ("group_id", "group_name", "Группа"),
    "subject": ("subject_id", "subject_name", "Дисциплина"),
}


def breakdown(reader: WarehouseReader, scope: Scope, by: str) -> pl.DataFrame:
    """Completeness per teacher, group or subject, worst first."""
    key, name, title = _BY[by]
    where, params = scope.where()
    return reader.query(
        f"""
        WITH lessons AS (
            SELECT * FROM mart_lesson_completeness WHERE NOT is_today AND {where}
        ),
        remarks AS (
            SELECT {key}, count(*) FILTER (WHERE remark_state <> 'fixed') AS unresolved
            FROM mart_remark WHERE {where} GROUP BY {key}
        )
        SELECT any_value(l.{name}) AS "{title}",
               count(*) AS "Занятий",
               round(100.0 * count(*) FILTER (WHERE l.complete_on_day) / count(*), 1) AS "Заполнено в день занятия, %",
               count(*) FILTER (WHERE NOT l.has_topic) AS "Без темы",
               count(*) FILTER (WHERE NOT l.has_homework) AS "Без д/з",
               count(*) FILTER (WHERE NOT l.attendance_taken) AS "Без посещаемости",
               count(*) FILTER (WHERE l.filled_late) AS "Заполнено с опозданием",
               count(*) FILTER (WHERE l.written_overdue) AS "Письменные без отметок",
               coalesce(any_value(r.unresolved), 0) AS "Неустранённых замечаний",
               l.{key} AS _key
        FROM lessons l LEFT JOIN remarks r ON r.{key} = l.{key}
        GROUP BY l.{key}
        ORDER BY "Заполнено в день занятия, %", "{title}"
        """,
        params + params,
    )


def weekly_trend(reader: WarehouseReader, scope: Scope) -> pl.DataFrame:
    where, params = scope.where()
    return reader.query(
        f"""
        SELECT week_start AS "Неделя", count(*) AS "Занятий",
               round(100.0 * count(*) FILTER (WHERE complete_on_day) / count(*), 1) AS "Заполнено в день занятия, %",
               count(*) FILTER (WHERE filled_late) AS "С опозданием"
        FROM mart_lesson_completeness WHERE NOT is_today AND {where}
        GROUP BY week_start ORDER BY week_start
        """,
        params,
    )


def remarks(
    reader: WarehouseReader, scope: Scope, states: tuple[str, ...] = ("open", "overdue", "fixed")
) -> pl.DataFrame:
    """The remarks list: each defect with its lesson, due date and state."""
    where, params = scope.where()
    frame = reader.query(
        f"""
        SELECT teacher_name AS "Преподаватель", lesson_date AS "Дата", pair_number AS "Пара",
               group_name AS "Группа", subject_name AS "Дисциплина", remark_title AS "Замечание",
               due_date AS "Устранить до", remark_state, fixed_on AS "Устранено", lesson_id AS _lesson_id
        FROM mart_remark
        WHERE {where} AND list_contains(?::VARCHAR[], remark_state)
        ORDER BY remark_state = 'fixed', due_date, teacher_name, lesson_date, pair_number
        """,
        [*params, list(states)],
    )
    return frame.with_columns(
        pl.col("remark_state").replace_strict(REMARK_STATES, return_dtype=pl.String).alias("Состояние")
    ).drop("remark_state")


def lessons(reader: WarehouseReader, scope: Scope, *, only_defects: bool = True) -> pl.DataFrame:
    """Drill-down: the lessons themselves, with what is missing."""
    where, params = scope.where()
    defect = "AND NOT complete_on_day" if only_defects else ""
    return reader.query(
        f"""
        SELECT lesson_date AS "Дата", pair_number AS "Пара", group_name AS "Группа", subject_name AS "Дисциплина",
               teacher_name AS "Преподаватель", coalesce(topic, '—') AS "Тема",
               CASE WHEN has_topic THEN (CASE WHEN topic_on_day THEN '✓' ELSE 'поздно' END) ELSE '—' END AS "Тема в срок",
               CASE WHEN has_work THEN (CASE WHEN work_on_day THEN '✓' ELSE 'поздно' END) ELSE '—' END AS "Задания",
               CASE WHEN has_homework THEN (CASE WHEN homework_on_day THEN '✓' ELSE 'поздно' END) ELSE '—' END AS "Д/з",
               CASE WHEN attendance_taken THEN (CASE WHEN attendance_on_day THEN '✓' ELSE 'поздно' END) ELSE '—' END
                   AS "Посещаемость",
               marks_given AS "Отметок", written_unmarked AS "Без отметки за письм.",
               lesson_id AS _lesson_id
        FROM mart_lesson_completeness
        WHERE NOT is_today AND {where} {defect}
        ORDER BY lesson_date DESC, pair_number
        """,
        params,
    )


def weekly_analysis(
    reader: WarehouseReader, college_id: int, week_start: date | None, *, teacher_id: int | None = None
) -> pl.DataFrame:
    """The officer's weekly «Анализ работы с классными журналами», one row per teacher.

    `week_start` None gives every week (newest first); `teacher_id` narrows it to that teacher's rows
    («Мои замечания»: one teacher's own line of the analysis, week by week).
    """
    week = "" if week_start is None else "AND week_start = ?"
    teacher = "" if teacher_id is None else "AND teacher_id = ?"
    params: list[Any] = [college_id]
    params += [] if week_start is None else [week_start]
    params += [] if teacher_id is None else [teacher_id]
    return reader.query(
        f"""
        SELECT teacher_name AS "Преподаватель", lessons_held AS "Занятий",
               pct_complete_on_day AS "Заполнено в день занятия, %", lessons_filled_late AS "С опозданием",
               written_overdue AS "Письменные без отметок", remarks_total AS "Замечаний",
               remarks_fixed AS "Устранено", remarks_open AS "Открыто", remarks_overdue AS "Просрочено",
               teacher_id AS _teacher_id, week_start AS _week_start
        FROM mart_weekly_teacher
        WHERE college_id = ? {week} {teacher}
        ORDER BY week_start DESC, remarks_total - remarks_fixed DESC, pct_complete_on_day, teacher_name
        """,
        params,
    )


def monthly_rollup(reader: WarehouseReader, college_id: int, month_start: date) -> pl.DataFrame:
    """The monthly report on teachers' journal work for the deputy director."""
    return reader.query(
        """
        SELECT teacher_name AS "Преподаватель", lessons_held AS "Занятий",
               pct_complete_on_day AS "Заполнено в день занятия, %", lessons_filled_late AS "С опозданием",
               written_overdue AS "Письменные без отметок", remarks_total AS "Замечаний",
               remarks_fixed AS "Устранено", remarks_open AS "Открыто", remarks_overdue AS "Просрочено",
               mark_corrections AS "Исправлений отметок", teacher_id AS _teacher_id
        FROM mart_monthly_teacher
        WHERE college_id = ? AND month_start = ?
        ORDER BY pct_complete_on_day, teacher_name
        """,
        [college_id, month_start],
    )


def _narrowed(group_ids: tuple[int, ...] | None, teacher_id: int | None) -> tuple[str, list[Any]]:
    """The optional group and teacher filters after `college_id = ?`: constant text, bound values."""
    text = "" if group_ids is None else "AND list_contains(?::INTEGER[], group_id)"
    params: list[Any] = [] if group_ids is None else [list(group_ids)]
    if teacher_id is not None:
        text += " AND teacher_id = ?"
        params.append(teacher_id)
    return text, params


def mark_accumulation(
    reader: WarehouseReader,
    college_id: int,
    group_ids: tuple[int, ...] | None = None,
    *,
    teacher_id: int | None = None,
) -> pl.DataFrame:
    """Students with too few marks over the last four weeks (накопляемость); `teacher_id`: that
    teacher's subjects only (the teacher of the latest lesson of the group × subject)."""
    narrowing, narrowed = _narrowed(group_ids, teacher_id)
    params: list[Any] = [college_id, *narrowed]
    return reader.query(
        f"""
        SELECT group_name AS "Группа", subject_name AS "Дисциплина", teacher_name AS "Преподаватель",
               student_name AS "Студент", lessons_attended AS "Посетил занятий", marks AS "Отметок за 4 недели",
               marks_expected AS "Ожидается не менее"
        FROM mart_mark_accumulation
        WHERE too_few_marks AND college_id = ? {narrowing}
        ORDER BY group_name, subject_name, student_name
        """,
        params,
    )


def ktp_progress(
    reader: WarehouseReader,
    college_id: int,
    group_ids: tuple[int, ...] | None = None,
    *,
    teacher_id: int | None = None,
) -> pl.DataFrame:
    """КТП hours planned vs taught, groups behind their plan first; `teacher_id`: the curriculum
    items assigned to that teacher."""
    narrowing, narrowed = _narrowed(group_ids, teacher_id)
    params: list[Any] = [college_id, *narrowed]
    return reader.query(
        f"""
        SELECT group_name AS "Группа", subject_name AS "Дисциплина", coalesce(teacher_name, '—') AS "Преподаватель",
               planned_hours AS "Часов по плану", ktp_hours AS "Часов в КТП", hours_taught AS "Проведено часов",
               furthest_topic AS "Пройдено тем КТП", ktp_topics AS "Тем в КТП",
               ktp_lag_lessons AS "Отставание, занятий", behind_ktp AS "Отстаёт от КТП"
        FROM mart_ktp_progress
        WHERE college_id = ? {narrowing}
        ORDER BY behind_ktp DESC, ktp_lag_lessons DESC, group_name, subject_name
        """,
        params,
    )
