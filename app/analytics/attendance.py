"""Посещаемость: hours missed (excused and unexcused), lates, systematic absentees, read from the warehouse.

Every function takes the process's WarehouseReader and a Scope already narrowed to what the user may
see (Scope.group_ids); `student_id` narrows further. SQL text is constant; every value is bound.
Scope.subject_id keeps that subject's hours; the monthly systematic-absence flag is a student's over
all subjects, so with a subject filter it is counted for the students who had that subject that month.
Scope.teacher_id is refused: the attendance marts do not split hours by teacher.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl

from app.analytics.common import Scope, pct
from app.analytics.common import period_bounds as period_bounds  # the pages' one import
from etl.warehouse import WarehouseReader

METRIC_DEFINITIONS: dict[str, str] = {
    "Пропущено часов": (
        "Академические часы проведённых занятий, на которых студент отсутствовал (пара = 2 часа): "
        "«н» и «ув» вместе. Опоздание («оп») пропуском не считается."
    ),
    "По уважительной причине": "Пропущенные часы с отметкой «ув» (болезнь по справке, приказ и т. п.).",
    "Без уважительной причины": "Пропущенные часы с отметкой «н».",
    "Опозданий": "Число занятий с отметкой «оп»; считаются отдельно и не входят в пропущенные часы.",
    "Доля пропусков, %": (
        "Пропущенные часы / часы проведённых занятий, на которых студент должен был присутствовать × 100 "
        "(для группы — по сумме часов всех её студентов)."
    ),
    "Систематические пропуски": (
        "Студент пропустил за календарный месяц больше установленной доли часов "
        "(настройка EJOURNAL_SYSTEMATIC_ABSENCE_SHARE, по умолчанию 30 %)."
    ),
}

PERIODS = {"month": "Месяц", "semester": "Семестр"}
# More rows than this make the calendar too tall to read on one screen.
HEATMAP_ROWS = 40


def _where(scope: Scope, student_id: int | None, date_column: str = "lesson_date") -> tuple[str, list[Any]]:
    """For the day marts (mart_attendance_daily, mart_attendance_student_day: see _days)."""
    if scope.teacher_id is not None:
        # Silently dropping the filter would show a teacher the whole college's absences.
        raise ValueError("Посещаемость не отбирается по преподавателю: выберите группы или дисциплину.")
    where, params = scope.where(date_column)
    if student_id is not None:
        where += " AND student_id = ?"
        params.append(student_id)
    return where, params


def _days(scope: Scope) -> str:
    """The mart a query of days, students or groups reads: the student-day one (a third of the rows)
    unless a subject is chosen, which only the student × subject × day one can keep."""
    return "mart_attendance_daily" if scope.subject_id is not None else "mart_attendance_student_day"


def _month_where(scope: Scope, student_id: int | None) -> tuple[str, list[Any]]:
    """For mart_attendance_student_month aliased `m` (its rows span every subject, so no subject_id)."""
    where, params = _where(replace(scope, subject_id=None), student_id, "month_start")
    if scope.subject_id is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM mart_attendance_daily d WHERE d.student_id = m.student_id"
            " AND d.month_start = m.month_start AND d.subject_id = ?)"
        )
        params.append(scope.subject_id)
    return where, params


def systematic_share(reader: WarehouseReader) -> float:
    """The share of a month's hours above which absence is systematic, as the warehouse was built."""
    return float(reader.query("SELECT systematic_absence_share FROM etl_params").item())


def students(reader: WarehouseReader, college_id: int, group_ids: tuple[int, ...] | None) -> dict[int, str]:
    """Students of the visible groups for the filter: id → «ФИО (группа)»."""
    groups = "" if group_ids is None else "AND list_contains(?::INTEGER[], s.group_id)"
    params: list[Any] = [college_id] + ([] if group_ids is None else [list(group_ids)])
    frame = reader.query(
        f"""
        SELECT s.student_id, s.student_name || ' (' || g.group_name || ')' AS label
        FROM stg_student s JOIN stg_study_group g ON g.group_id = s.group_id
        WHERE s.college_id = ? {groups}
        ORDER BY g.group_name, s.student_name
        """,
        params,
    )
    return dict(frame.iter_rows())


def summary(reader: WarehouseReader, scope: Scope, student_id: int | None = None) -> dict[str, Any]:
    where, params = _where(scope, student_id)
    row = reader.query(
        f"""
        SELECT count(DISTINCT student_id) AS students, coalesce(sum(hours_held), 0) AS held,
               coalesce(sum(hours_missed), 0) AS missed, coalesce(sum(hours_excused), 0) AS excused,
               coalesce(sum(hours_unexcused), 0) AS unexcused, coalesce(sum(lates), 0) AS lates
        FROM {_days(scope)} WHERE {where}
        """,
        params,
    ).row(0, named=True)
    month_where, month_params = _month_where(scope, student_id)
    flagged = reader.query(
        "SELECT count(DISTINCT student_id) FROM mart_attendance_student_month m "
        f"WHERE is_systematic AND {month_where}",
        month_params,
    ).item()
    held, missed = int(row["held"]), int(row["missed"])
    return {
        "students": int(row["students"]),
        "hours_held": held,
        "hours_missed": missed,
        "hours_excused": int(row["excused"]),
        "hours_unexcused": int(row["unexcused"]),
        "lates": int(row["lates"]),
        "pct_missed": pct(missed, held),
        "systematic_students": int(flagged),
    }


_HOURS = """
    sum(hours_held)::INTEGER AS "Проведено часов",
    sum(hours_missed)::INTEGER AS "Пропущено часов",
    sum(hours_excused)::INTEGER AS "По уважительной причине",
    sum(hours_unexcused)::INTEGER AS "Без уважительной причины",
    sum(lates)::INTEGER AS "Опозданий",
    CASE WHEN sum(hours_held) > 0 THEN round(100.0 * sum(hours_missed) / sum(hours_held), 1) END
        AS "Доля пропусков, %"
"""


def by_group(reader: WarehouseReader, scope: Scope, student_id: int | None = None) -> pl.DataFrame:
    """Hours missed per group (student-hours), most missed first."""
    where, params = _where(scope, student_id)
    return reader.query(
        f"""
        SELECT any_value(group_name) AS "Группа", count(DISTINCT student_id)::INTEGER AS "Студентов",
               {_HOURS},
               round(sum(hours_missed) / count(DISTINCT student_id), 1) AS "Пропущено часов на студента",
               group_id AS _group_id
        FROM {_days(scope)} WHERE {where}
        GROUP BY group_id
        ORDER BY "Доля пропусков, %" DESC, "Группа"
        """,
        params,
    )


def by_student(reader: WarehouseReader, scope: Scope, student_id: int | None = None) -> pl.DataFrame:
    """Hours missed per student, most missed first."""
    where, params = _where(scope, student_id)
    return reader.query(
        f"""
        SELECT any_value(group_name) AS "Группа", any_value(student_name) AS "Студент",
               {_HOURS},
               student_id AS _student_id, any_value(group_id) AS _group_id
        FROM {_days(scope)} WHERE {where}
        GROUP BY student_id
        ORDER BY "Пропущено часов" DESC, "Группа", "Студент"
        """,
        params,
    )


def by_subject(reader: WarehouseReader, scope: Scope, student_id: int | None = None) -> pl.DataFrame:
    """Hours missed per subject."""
    where, params = _where(scope, student_id)
    return reader.query(
        f"""
        SELECT any_value(subject_name) AS "Дисциплина", {_HOURS}, subject_id AS _subject_id
        FROM mart_attendance_daily WHERE {where}
        GROUP BY subject_id
        ORDER BY "Пропущено часов" DESC, "Дисциплина"
        """,
        params,
    )


def heatmap(
    reader: WarehouseReader,
    scope: Scope,
    by: str = "student",
    student_id: int | None = None,
    rows: int = HEATMAP_ROWS,
) -> pl.DataFrame:
    """The calendar: the `rows` students (or groups) who missed the most hours, one row per them × day with
    lessons → «Пропущено часов» that day (0 on a day with lessons and no absence).

    Rows without a missed hour are left out: a calendar of empty rows hides the ones that matter, and a
    college's month would otherwise send every student's every day to the page. Ties go by name.
    """
    key, name, title = (
        ("student_id", "student_name", "Студент") if by == "student" else ("group_id", "group_name", "Группа")
    )
    where, params = _where(scope, student_id)
    return reader.query(
        f"""
        WITH days AS (
            SELECT {key} AS _key, lesson_date, any_value({name}) AS name,
                   sum(hours_missed)::INTEGER AS missed, sum(hours_unexcused)::INTEGER AS unexcused
            FROM {_days(scope)} WHERE {where}
            GROUP BY {key}, lesson_date
        ),
        shown AS (
            SELECT _key FROM days
            GROUP BY _key HAVING sum(missed) > 0
            ORDER BY sum(missed) DESC, any_value(name), _key
            LIMIT ?
        ),
        final AS (
            SELECT name AS "{title}", lesson_date AS "Дата", missed AS "Пропущено часов",
                   unexcused AS "Без уважительной причины", _key
            FROM days SEMI JOIN shown USING (_key)
        )
        SELECT * FROM final ORDER BY "{title}", "Дата"
        """,
        [*params, rows],
    )


def systematic(reader: WarehouseReader, scope: Scope, student_id: int | None = None) -> pl.DataFrame:
    """Students whose absence in a month of the period was systematic, one row per student × month."""
    where, params = _month_where(scope, student_id)
    return reader.query(
        f"""
        SELECT group_name AS "Группа", student_name AS "Студент", strftime(month_start, '%m.%Y') AS "Месяц",
               hours_held AS "Проведено часов", hours_missed AS "Пропущено часов",
               hours_excused AS "По уважительной причине", hours_unexcused AS "Без уважительной причины",
               round(100 * share_missed, 1) AS "Доля пропусков, %", lates AS "Опозданий",
               student_id AS _student_id, month_start AS _month_start
        FROM mart_attendance_student_month m
        WHERE is_systematic AND {where}
        ORDER BY month_start DESC, share_missed DESC, group_name, student_name
        """,
        params,
    )


def monthly_trend(reader: WarehouseReader, scope: Scope, student_id: int | None = None) -> pl.DataFrame:
    """Month by month: hours missed, excused and unexcused, the share and systematic absentees."""
    if scope.subject_id is not None:
        return _subject_monthly_trend(reader, scope, student_id)
    where, params = _where(scope, student_id, "month_start")
    if student_id is None:
        source, held, flagged = "mart_attendance_group_month", "student_hours_held", "systematic_students"
    else:
        source, held, flagged = "mart_attendance_student_month", "hours_held", "is_systematic::INTEGER"
    return reader.query(
        f"""
        SELECT month_start AS "Месяц", sum({held})::INTEGER AS "Проведено часов",
               sum(hours_missed)::INTEGER AS "Пропущено часов",
               sum(hours_excused)::INTEGER AS "По уважительной причине",
               sum(hours_unexcused)::INTEGER AS "Без уважительной причины",
               sum(lates)::INTEGER AS "Опозданий",
               CASE WHEN sum({held}) > 0 THEN round(100.0 * sum(hours_missed) / sum({held}), 1) END
                   AS "Доля пропусков, %",
               sum({flagged})::INTEGER AS "Систематически пропускающих"
        FROM {source} WHERE {where}
        GROUP BY month_start ORDER BY month_start
        """,
        params,
    )


def _subject_monthly_trend(reader: WarehouseReader, scope: Scope, student_id: int | None) -> pl.DataFrame:
    """monthly_trend for one subject: its hours from the daily mart (the monthly marts span all subjects)."""
    where, params = _where(scope, student_id, "month_start")
    month_where, month_params = _month_where(scope, student_id)
    return reader.query(
        f"""
        WITH hours AS (
            SELECT month_start, {_HOURS}
            FROM mart_attendance_daily WHERE {where}
            GROUP BY month_start
        ),
        flagged AS (
            SELECT month_start, count(*)::INTEGER AS flagged
            FROM mart_attendance_student_month m WHERE is_systematic AND {month_where}
            GROUP BY month_start
        )
        SELECT h.month_start AS "Месяц", h."Проведено часов", h."Пропущено часов", h."По уважительной причине",
               h."Без уважительной причины", h."Опозданий", h."Доля пропусков, %",
               coalesce(f.flagged, 0)::INTEGER AS "Систематически пропускающих"
        FROM hours h LEFT JOIN flagged f ON f.month_start = h.month_start
        ORDER BY h.month_start
        """,
        params + month_params,
    )
