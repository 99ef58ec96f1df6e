"""Успеваемость: the glossary's metrics by group, subject and teacher, marks, debts, control works, risk.

The metrics come from the progress marts (warehouse/README.attendance_progress.md). A Scope gives the
college, the period (its start and end), the groups the user may see and optional subject/teacher
filters; `kind` says which period rows to read: "month", "semester" (the half-year) or "year"
(academic, from 1 September). A teacher filter keeps the group × subject sets whose lessons that
teacher conducted in the period. SQL text is constant; every value is bound.

Two bases, said on screen: without a subject or teacher filter the summary counts students over all
their subjects (a student is «успевающий» with no 2, «незач» or «н/а», «качественный» with only 4 and
5); with one, it counts results (student × subject).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from app.analytics.common import Scope
from app.analytics.common import period_bounds as period_bounds  # the pages' one import
from etl.warehouse import WarehouseReader

PERIOD_KINDS = {"month": "Месяц", "semester": "Семестр", "year": "Учебный год"}

N_LABEL = "Оценено студентов (N)"

METRIC_DEFINITIONS: dict[str, str] = {
    "Средний балл": "Сумма текущих отметок по пятибалльной шкале / их количество (с учётом исправлений).",
    "Абсолютная успеваемость, %": "(n5 + n4 + n3) / N × 100: доля оценённых студентов без «2» и «н/а».",
    "Качество знаний, %": "(n5 + n4) / N × 100: доля оценённых студентов, имеющих только «4» и «5».",
    "СОУ, %": ("Степень обученности (В. П. Симонов): (100·n5 + 64·n4 + 36·n3 + 16·n2 + 7·nн/а) / N."),
    N_LABEL: (
        "N — студенты, получившие итоговую отметку за период (за семестр — отметку промежуточной "
        "аттестации, а до неё — округлённый средний балл текущих отметок) или «н/а»; выбывшие до конца "
        "периода и не имеющие отметок не считаются. n5…n2, nн/а — сколько из них с такой отметкой."
    ),
    "Отметка за период": (
        "Средний балл текущих отметок, округлённый по правилам арифметики (4,5 → 5); по зачётной "
        "дисциплине — «зач», если «незач» не больше, чем «зач»."
    ),
    "Академическая задолженность": (
        "Отметка промежуточной аттестации «2», «незач», «н/а» или «не допущен», а также её отсутствие "
        "после окончания сессии семестра (по учебному календарю) или после закрытия семестра заместителем "
        "директора."
    ),
    "Итоги сессии": (
        "По ведомостям полугодия: успевающий — только «5», «4», «3» или «зач» по всем ведомостям, "
        "качественный — только «5», «4» или «зач». Абсолютная успеваемость = успевающие / N × 100, качество "
        "знаний = качественные / N × 100, N — студенты в ведомостях. «На сессии» — по первой отметке "
        "ведомости, «сейчас» — с учётом пересдач."
    ),
}

BASIS = {
    "students": (
        "Показатели по студентам: студент учитывается один раз по худшей из своих отметок по всем дисциплинам."
    ),
    "results": "Показатели по результатам «студент × дисциплина»: каждый результат учитывается отдельно.",
}

# the warehouse's macros (warehouse/macros/metrics.sql), over the rows' sums
_METRICS = """
    avg_mark(sum(numeric_sum), sum(numeric_marks)) AS "Средний балл",
    abs_progress_pct(sum(n5), sum(n4), sum(n3), sum(n_assessed)) AS "Абсолютная успеваемость, %",
    quality_pct(sum(n5), sum(n4), sum(n_assessed)) AS "Качество знаний, %",
    sou_pct(sum(n5), sum(n4), sum(n3), sum(n2), sum(n_na), sum(n_assessed)) AS "СОУ, %"
"""

_COUNTS = f"""
    sum(n_assessed)::INTEGER AS "{N_LABEL}",
    sum(n5)::INTEGER AS "5", sum(n4)::INTEGER AS "4", sum(n3)::INTEGER AS "3", sum(n2)::INTEGER AS "2",
    sum(n_na)::INTEGER AS "н/а"
"""


def _where(scope: Scope, kind: str, *, sets: bool = True) -> tuple[str, list[Any]]:
    """Rows of `kind` starting within the scope's dates; `sets` marts carry subject and teacher_ids."""
    clauses = ["college_id = ?", "period_kind = ?", "period_start BETWEEN ? AND ?"]
    params: list[Any] = [scope.college_id, kind, scope.start, scope.end]
    if scope.group_ids is not None:
        clauses.append("list_contains(?::INTEGER[], group_id)")
        params.append(list(scope.group_ids))
    if sets and scope.subject_id is not None:
        clauses.append("subject_id = ?")
        params.append(scope.subject_id)
    if sets and scope.teacher_id is not None:
        clauses.append("list_contains(teacher_ids, ?)")
        params.append(scope.teacher_id)
    return " AND ".join(clauses), params


def basis(scope: Scope) -> str:
    """«students» (counted over all subjects) unless a subject or teacher filter makes it «results»."""
    return "results" if scope.subject_id is not None or scope.teacher_id is not None else "students"


def _source(scope: Scope, kind: str) -> tuple[str, str, list[Any]]:
    if basis(scope) == "results":
        where, params = _where(scope, kind)
        return "mart_progress_group_subject", where, params
    where, params = _where(scope, kind, sets=False)
    return "mart_progress_group", where, params


def summary(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> dict[str, Any]:
    """N, n5 … nн/а and the four metrics for everything in scope."""
    source, where, params = _source(scope, kind)
    row = reader.query(
        f"""
        SELECT coalesce(sum(n_assessed), 0)::INTEGER AS n_assessed, coalesce(sum(n5), 0)::INTEGER AS n5,
               coalesce(sum(n4), 0)::INTEGER AS n4, coalesce(sum(n3), 0)::INTEGER AS n3,
               coalesce(sum(n2), 0)::INTEGER AS n2, coalesce(sum(n_na), 0)::INTEGER AS n_na,
               {_METRICS}
        FROM {source} WHERE {where}
        """,
        params,
    ).row(0, named=True)
    return {
        "basis": basis(scope),
        "n_assessed": row["n_assessed"],
        "n5": row["n5"],
        "n4": row["n4"],
        "n3": row["n3"],
        "n2": row["n2"],
        "n_na": row["n_na"],
        "avg_mark": row["Средний балл"],
        "abs_progress_pct": row["Абсолютная успеваемость, %"],
        "quality_pct": row["Качество знаний, %"],
        "sou_pct": row["СОУ, %"],
    }


def by_group(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> pl.DataFrame:
    """One row per group, weakest absolute progress first."""
    source, where, params = _source(scope, kind)
    return reader.query(
        f"""
        SELECT any_value(group_name) AS "Группа", {_COUNTS}, {_METRICS}, group_id AS _group_id
        FROM {source} WHERE {where}
        GROUP BY group_id
        ORDER BY "Абсолютная успеваемость, %" NULLS LAST, "Качество знаний, %" NULLS LAST, "Группа"
        """,
        params,
    )


def by_group_subject(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> pl.DataFrame:
    """Every group × subject with its main teacher; «зач»/«незач» counted apart."""
    where, params = _where(scope, kind)
    return reader.query(
        f"""
        SELECT s.group_name AS "Группа", s.subject_name AS "Дисциплина",
               coalesce(t.teacher_name, '—') AS "Преподаватель",
               s.n_assessed AS "{N_LABEL}", s.n5 AS "5", s.n4 AS "4", s.n3 AS "3", s.n2 AS "2", s.n_na AS "н/а",
               s.n_zach AS "зач", s.n_nezach AS "незач", s.n_unassessed AS "Без отметки",
               s.avg_mark AS "Средний балл", s.abs_progress_pct AS "Абсолютная успеваемость, %",
               s.quality_pct AS "Качество знаний, %", s.sou_pct AS "СОУ, %",
               s.credit_pass_pct AS "Зачтено, %",
               s.group_id AS _group_id, s.subject_id AS _subject_id
        FROM (SELECT * FROM mart_progress_group_subject WHERE {where}) s
        LEFT JOIN stg_teacher t ON t.teacher_id = s.teacher_id
        ORDER BY s.group_name, s.subject_name
        """,
        params,
    )


def by_subject(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> pl.DataFrame:
    """One row per subject over the groups in scope (results basis)."""
    where, params = _where(scope, kind)
    return reader.query(
        f"""
        SELECT any_value(subject_name) AS "Дисциплина", count(*)::INTEGER AS "Групп", {_COUNTS}, {_METRICS},
               subject_id AS _subject_id
        FROM mart_progress_group_subject WHERE {where}
        GROUP BY subject_id
        ORDER BY "Абсолютная успеваемость, %" NULLS LAST, "Дисциплина"
        """,
        params,
    )


def by_teacher(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> pl.DataFrame:
    """One row per main conducting teacher over their group × subject sets in scope (results basis).
    The whole college's view (no group, subject or teacher filter) is the teacher mart's rows as
    they are; a filter sums the sets it keeps, the way the mart does (tests/analytics compares)."""
    if scope.group_ids is None and scope.subject_id is None and scope.teacher_id is None:
        return reader.query(
            f"""
            SELECT teacher_name AS "Преподаватель", group_count AS "Групп",
                   n_assessed AS "{N_LABEL}", n5 AS "5", n4 AS "4", n3 AS "3", n2 AS "2", n_na AS "н/а",
                   avg_mark AS "Средний балл", abs_progress_pct AS "Абсолютная успеваемость, %",
                   quality_pct AS "Качество знаний, %", sou_pct AS "СОУ, %", teacher_id AS _teacher_id
            FROM mart_progress_teacher
            WHERE college_id = ? AND period_kind = ? AND period_start BETWEEN ? AND ?
            ORDER BY "Абсолютная успеваемость, %" NULLS LAST, "Преподаватель"
            """,
            [scope.college_id, kind, scope.start, scope.end],
        )
    where, params = _where(scope, kind)
    return reader.query(
        f"""
        WITH sets AS (SELECT * FROM mart_progress_group_subject WHERE {where} AND teacher_id IS NOT NULL)
        SELECT any_value(t.teacher_name) AS "Преподаватель", count(DISTINCT s.group_id)::INTEGER AS "Групп",
               {_COUNTS}, {_METRICS}, s.teacher_id AS _teacher_id
        FROM sets s JOIN stg_teacher t ON t.teacher_id = s.teacher_id
        GROUP BY s.teacher_id
        ORDER BY "Абсолютная успеваемость, %" NULLS LAST, "Преподаватель"
        """,
        params,
    )


def monthly_trend(reader: WarehouseReader, scope: Scope) -> pl.DataFrame:
    """The four metrics month by month for the months starting within the scope's dates."""
    source, where, params = _source(scope, "month")
    return reader.query(
        f"""
        SELECT period_start AS "Месяц", {_COUNTS}, {_METRICS}
        FROM {source} WHERE {where}
        GROUP BY period_start ORDER BY period_start
        """,
        params,
    )


MARK_ORDER = ("5", "4", "3", "2", "н/а", "зач", "незач")


def mark_distribution(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> pl.DataFrame:
    """How many results (student × subject) and how many ongoing marks of each value."""
    where, params = _where(scope, kind)
    frame = reader.query(
        f"""
        SELECT coalesce(sum(n5), 0)::INTEGER, coalesce(sum(n4), 0)::INTEGER, coalesce(sum(n3), 0)::INTEGER,
               coalesce(sum(n2), 0)::INTEGER, coalesce(sum(n_na + n_na_credit), 0)::INTEGER,
               coalesce(sum(n_zach), 0)::INTEGER, coalesce(sum(n_nezach), 0)::INTEGER
        FROM mart_progress_group_subject WHERE {where}
        """,
        params,
    )
    ongoing = reader.query(
        f"""
        SELECT coalesce(sum(marks_5), 0)::INTEGER, coalesce(sum(marks_4), 0)::INTEGER,
               coalesce(sum(marks_3), 0)::INTEGER, coalesce(sum(marks_2), 0)::INTEGER, 0,
               coalesce(sum(marks_zach), 0)::INTEGER, coalesce(sum(marks_nezach), 0)::INTEGER
        FROM mart_progress_student WHERE in_group AND NOT has_left AND {where}
        """,
        params,
    )
    return pl.DataFrame(
        {
            "Отметка": list(MARK_ORDER),
            "Итоговых отметок (студентов)": list(frame.row(0)),
            "Текущих отметок": list(ongoing.row(0)),
        }
    )


def students(reader: WarehouseReader, scope: Scope, kind: str = "semester") -> pl.DataFrame:
    """Each student × subject: average, counts of marks, the period mark and the semester mark."""
    where, params = _where(scope, kind)
    return reader.query(
        f"""
        SELECT group_name AS "Группа", student_name AS "Студент", subject_name AS "Дисциплина",
               numeric_marks AS "Отметок", marks_5 AS "«5»", marks_4 AS "«4»", marks_3 AS "«3»", marks_2 AS "«2»",
               marks_zach AS "«зач»", marks_nezach AS "«незач»", avg_mark AS "Средний балл",
               period_mark AS "Отметка за период", semester_mark AS "Отметка за семестр",
               lessons_held AS "Занятий", lessons_attended AS "Посещено",
               student_id AS _student_id, subject_id AS _subject_id
        FROM mart_progress_student
        WHERE in_group AND NOT has_left AND {where}
        ORDER BY group_name, student_name, subject_name
        """,
        params,
    )


def at_risk(reader: WarehouseReader, college_id: int, group_ids: tuple[int, ...] | None) -> pl.DataFrame:
    """Students at risk in the current semester, with the reasons in Russian."""
    groups = "" if group_ids is None else "AND list_contains(?::INTEGER[], group_id)"
    params: list[Any] = [college_id] + ([] if group_ids is None else [list(group_ids)])
    return reader.query(
        f"""
        SELECT group_name AS "Группа", student_name AS "Студент",
               failing_subjects AS "Дисциплин с «2» за семестр", twos AS "Отметок «2» в семестре",
               debts AS "Академических задолженностей", hours_missed_month AS "Пропущено часов в этом месяце",
               hours_unexcused_month AS "Из них без уважительной причины", risk_reasons AS "Причины",
               student_id AS _student_id
        FROM mart_at_risk
        WHERE is_at_risk AND college_id = ? {groups}
        ORDER BY debts DESC, failing_subjects DESC, hours_unexcused_month DESC, group_name, student_name
        """,
        params,
    )


def debts(
    reader: WarehouseReader,
    college_id: int,
    group_ids: tuple[int, ...] | None,
    subject_id: int | None = None,
    teacher_id: int | None = None,
) -> pl.DataFrame:
    """Academic debts of every semester (the curriculum item's teacher for the teacher filter)."""
    clauses = ["is_debt", "college_id = ?"]
    params: list[Any] = [college_id]
    if group_ids is not None:
        clauses.append("list_contains(?::INTEGER[], group_id)")
        params.append(list(group_ids))
    if subject_id is not None:
        clauses.append("subject_id = ?")
        params.append(subject_id)
    if teacher_id is not None:
        clauses.append("teacher_id = ?")
        params.append(teacher_id)
    return reader.query(
        f"""
        SELECT group_name AS "Группа", student_name AS "Студент", subject_name AS "Дисциплина",
               semester AS "Семестр", coalesce(semester_mark, '—') AS "Отметка", debt_title AS "Задолженность",
               student_id AS _student_id, curriculum_item_id AS _curriculum_item_id
        FROM mart_academic_debt
        WHERE {" AND ".join(clauses)}
        ORDER BY group_name, student_name, semester, subject_name
        """,
        params,
    )


def session_halves(reader: WarehouseReader, college_id: int) -> list[tuple[int, int]]:
    """The halves (academic year, 1 or 2) whose sessions have results (a mark on a sheet, or the
    half closed), the latest first: a half whose session is still to come has nothing to show."""
    frame = reader.query(
        "SELECT academic_year, half FROM mart_session_results WHERE college_id = ? "
        "GROUP BY academic_year, half HAVING sum(students_marked) > 0 OR bool_or(is_closed) "
        "ORDER BY academic_year DESC, half DESC",
        [college_id],
    )
    return list(zip(frame["academic_year"].to_list(), frame["half"].to_list(), strict=True))


def session_results(
    reader: WarehouseReader, college_id: int, group_ids: tuple[int, ...] | None, year: int, half: int
) -> pl.DataFrame:
    """Итоги сессии of one half by group, with the college's (or the groups') total last."""
    clauses = ["college_id = ?", "academic_year = ?", "half = ?"]
    params: list[Any] = [college_id, year, half]
    if group_ids is not None:
        clauses.append("list_contains(?::INTEGER[], group_id)")
        params.append(list(group_ids))
    return reader.query(
        f"""
        WITH rows AS (
            SELECT group_name, semester, students, passed_at_session, quality_at_session, passed_now,
                   quality_now, debtors_now, debts_now, 0 AS total
            FROM mart_session_results WHERE {" AND ".join(clauses)}
        ),
        final AS (
            SELECT * FROM rows
            UNION ALL
            SELECT 'Итого', NULL, sum(students), sum(passed_at_session), sum(quality_at_session),
                   sum(passed_now), sum(quality_now), sum(debtors_now), sum(debts_now), 1
            FROM rows HAVING count(*) > 1
        )
        SELECT group_name AS "Группа", semester AS "Семестр", students::INTEGER AS "Студентов (N)",
               round(100.0 * passed_at_session / nullif(students, 0), 1) AS "Абс. успеваемость на сессии, %",
               round(100.0 * quality_at_session / nullif(students, 0), 1) AS "Качество на сессии, %",
               round(100.0 * passed_now / nullif(students, 0), 1) AS "Абс. успеваемость сейчас, %",
               round(100.0 * quality_now / nullif(students, 0), 1) AS "Качество сейчас, %",
               debtors_now::INTEGER AS "Должников сейчас", debts_now::INTEGER AS "Задолженностей сейчас"
        FROM final
        ORDER BY total, group_name
        """,
        params,
    )


def control_works(reader: WarehouseReader, scope: Scope) -> pl.DataFrame:
    """Контрольные работы held within the scope's dates (teacher filter: who conducted the lesson)."""
    where, params = scope.where("lesson_date")
    return reader.query(
        f"""
        SELECT lesson_date AS "Дата", group_name AS "Группа", subject_name AS "Дисциплина",
               teacher_name AS "Преподаватель", coalesce(topic, work_done, '—') AS "Тема",
               students_written AS "Писали", students_absent AS "Отсутствовали", marked AS "Оценено",
               unmarked AS "Не проверено", n5 AS "5", n4 AS "4", n3 AS "3", n2 AS "2",
               CASE WHEN numeric_marks > 0 THEN round(100.0 * n2 / numeric_marks, 1) END AS "Доля «2», %",
               avg_mark AS "Средний балл", abs_progress_pct AS "Успеваемость, %", quality_pct AS "Качество, %",
               lesson_id AS _lesson_id
        FROM mart_control_work WHERE {where}
        ORDER BY lesson_date DESC, group_name, subject_name
        """,
        params,
    )


def control_by_group(reader: WarehouseReader, scope: Scope) -> pl.DataFrame:
    """Контрольные работы of the scope summed per group, the metrics over all their marks."""
    where, params = scope.where("lesson_date")
    return reader.query(
        f"""
        SELECT group_name AS "Группа", count(*) AS "Работ", sum(students_written) AS "Писали",
               sum(marked) AS "Оценено", sum(unmarked) AS "Не проверено",
               sum(n5) AS "5", sum(n4) AS "4", sum(n3) AS "3", sum(n2) AS "2",
               avg_mark(sum(numeric_sum), sum(numeric_marks)) AS "Средний балл",
               abs_progress_pct(sum(n5), sum(n4), sum(n3), sum(numeric_marks)) AS "Успеваемость, %",
               quality_pct(sum(n5), sum(n4), sum(numeric_marks)) AS "Качество, %"
        FROM mart_control_work WHERE {where}
        GROUP BY group_name
        ORDER BY group_name
        """,
        params,
    )
