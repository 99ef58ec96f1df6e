"""Journal-keeping documents from the warehouse (app.analytics.completeness):

- the weekly «Анализ работы с классными журналами» the officer posts on the teachers' board (§4.2.2);
- the monthly report on teachers' work with the journals for the deputy director (§4.2.3).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from app.analytics import completeness as q
from app.analytics.common import Scope, freshness_label
from app.reports import blocks as b
from app.reports.common import month_title
from etl.warehouse import WarehouseReader

ON_DAY = (
    "«Заполнено в день занятия» — доля проведённых занятий, у которых тема, выполненные задания и их тип, "
    "домашнее задание и посещаемость записаны в день занятия (§4.2.1 Положения)."
)
REMARK_RULE = (
    "Замечание устраняется заполнением журнала; срок — неделя после занятия (для контрольных и тестовых "
    "работ — срок проверки). Состояние: «открыто» — срок не истёк, «просрочено» — срок истёк, "
    "«устранено» — недостающее заполнено (с датой)."
)

SUMMARY_COLUMNS = [
    b.Col("Преподаватель", fr=1),
    b.num("Занятий", 14),
    b.num("Заполнено в день занятия, %", 22),
    b.num("С опозданием", 17),
    b.num("Письменные без отметок", 20),
    b.num("Замечаний", 17),
    b.num("Устранено", 17),
    b.num("Открыто", 15),
    b.num("Просрочено", 17),
]


def college_name(reader: WarehouseReader, college_id: int) -> str:
    frame = reader.query("SELECT college_name FROM stg_college WHERE college_id = ?", [college_id])
    return str(frame.item()) if frame.height else ""


def _remark_rows(frame: pl.DataFrame) -> list[list[Any]]:
    rows = []
    for r in frame.iter_rows(named=True):
        state = r["Состояние"]
        if r["Устранено"] is not None:
            state = f"{state} {r['Устранено']:%d.%m.%Y}"
        rows.append(
            [r["Дата"], r["Пара"], r["Группа"], r["Дисциплина"], r["Замечание"], r["Устранить до"], state]
        )
    return rows


REMARK_COLUMNS = [
    b.Col("Дата занятия", mm=18),
    b.num("Пара", 9),
    b.Col("Группа", mm=16),
    b.Col("Дисциплина", fr=1),
    b.Col("Замечание", fr=1.1),
    b.Col("Устранить до", mm=18),
    b.Col("Состояние", mm=26),
]


def _remarks_by_teacher(remarks: pl.DataFrame) -> list[b.Block]:
    out: list[b.Block] = []
    for (teacher,), part in remarks.group_by("Преподаватель", maintain_order=True):
        part = part.sort(["Дата", "Пара"])
        unresolved = part.filter(pl.col("Состояние") != q.REMARK_STATES["fixed"]).height
        out.append(b.heading(f"{teacher} — замечаний: {part.height}, не устранено: {unresolved}", level=2))
        out.append(b.table(REMARK_COLUMNS, _remark_rows(part), size=7.5))
    return out


def weekly_analysis_pdf(
    reader: WarehouseReader, college_id: int, week_start: date, *, signer: str = ""
) -> bytes:
    """«Анализ работы с классными журналами» for the week starting `week_start` (a Monday)."""
    week_start = week_start - timedelta(days=week_start.weekday())
    week_end = week_start + timedelta(days=6)
    scope = Scope(college_id, week_start, week_end)
    teachers = q.weekly_analysis(reader, college_id, week_start)
    totals = q.summary(reader, scope)
    remarks = q.remarks(reader, scope).sort(["Преподаватель", "Дата", "Пара"])
    total_row = [
        "Итого по колледжу",
        totals["held"],
        totals["pct_on_day"],
        totals["late"],
        totals["written_overdue"],
        totals["remarks_open"] + totals["remarks_fixed"] + totals["remarks_overdue"],
        totals["remarks_fixed"],
        totals["remarks_open"],
        totals["remarks_overdue"],
    ]
    period = f"{week_start:%d.%m.%Y} — {week_end:%d.%m.%Y}"
    blocks_: list[b.Block] = [
        b.paragraph(
            "Результаты еженедельного анализа ведения электронных журналов успеваемости размещаются на доске "
            "информации для педагогических работников. Педагогические работники еженедельно устраняют "
            "отмеченные замечания (§4.2.1 Положения).",
            size=8.5,
        ),
        b.heading("Заполнение журналов по преподавателям"),
        _summary(teachers, total_row),
        b.note(ON_DAY),
        b.heading("Замечания по преподавателям"),
        b.note(REMARK_RULE),
        *(_remarks_by_teacher(remarks) if remarks.height else [b.paragraph("Замечаний за неделю нет.")]),
        b.signature("Ответственный за электронный журнал", signer),
    ]
    return b.render_report(
        title="Анализ работы с классными журналами",
        subtitle=f"за неделю {period} ({freshness_label(reader.published())})",
        college=college_name(reader, college_id),
        header_right=f"Анализ работы с классными журналами · неделя {period}",
        blocks=blocks_,
    )


def _summary(frame: pl.DataFrame, total_row: list[Any], columns: list[b.Col] | None = None) -> b.Block:
    columns = columns or SUMMARY_COLUMNS
    rows = [list(r) for r in frame.select([c.source or c.title for c in columns]).iter_rows()]
    return b.table(
        columns,
        [*rows, total_row],
        size=7.5,
        total=True,
        empty="Занятий за период нет.",
    )


CORRECTION_COLUMNS = [
    b.Col("Преподаватель", mm=36),
    b.Col("Дата занятия", mm=18),
    b.Col("Группа", mm=16),
    b.Col("Дисциплина", fr=1),
    b.Col("Студент", fr=1),
    b.Col("Было → стало", mm=18, align="center"),
    b.Col("Основание", fr=1),
    b.Col("Исправлено", mm=18),
]


def mark_corrections(reader: WarehouseReader, college_id: int, month_start: date) -> pl.DataFrame:
    """Corrections recorded for lessons of the month (what mart_monthly_teacher counts), one row each."""
    return reader.query(
        """
        SELECT l.teacher_name AS "Преподаватель", l.lesson_date AS "Дата занятия", l.group_name AS "Группа",
               l.subject_name AS "Дисциплина", s.student_name AS "Студент",
               o.mark_value || ' → ' || m.mark_value AS "Было → стало",
               coalesce(m.correction_reason, '') AS "Основание", m.created_on AS "Исправлено"
        FROM stg_mark m
        JOIN stg_mark o ON o.mark_id = m.corrects_mark_id
        JOIN mart_lesson_completeness l ON l.lesson_id = m.lesson_id
        JOIN stg_student s ON s.student_id = m.student_id
        WHERE m.corrects_mark_id IS NOT NULL AND l.college_id = ? AND l.month_start = ?
        ORDER BY l.teacher_name, l.lesson_date, s.student_name, m.mark_id
        """,
        [college_id, month_start],
    )


def monthly_report_pdf(
    reader: WarehouseReader, college_id: int, month_start: date, *, signer: str = ""
) -> bytes:
    """The deputy director's monthly report on teachers' work with the electronic journals."""
    month_start = month_start.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    scope = Scope(college_id, month_start, month_end)
    rollup = q.monthly_rollup(reader, college_id, month_start)
    totals = q.summary(reader, scope)
    corrections = mark_corrections(reader, college_id, month_start)
    unresolved = q.remarks(reader, scope, ("open", "overdue")).sort(["Преподаватель", "Дата", "Пара"])
    total_row = [
        "Итого по колледжу",
        totals["held"],
        totals["pct_on_day"],
        totals["late"],
        totals["written_overdue"],
        totals["remarks_open"] + totals["remarks_fixed"] + totals["remarks_overdue"],
        totals["remarks_fixed"],
        totals["remarks_open"],
        totals["remarks_overdue"],
        corrections.height,
    ]
    columns = [*SUMMARY_COLUMNS, b.num("Исправлений отметок", 18)]
    month = month_title(month_start)
    blocks_: list[b.Block] = [
        b.paragraph(
            "Отчёт составлен по результатам еженедельного анализа ведения электронных журналов успеваемости, "
            "проведённого ответственным за электронный журнал за прошедший месяц (§4.2.2–4.2.3 Положения).",
            size=8.5,
        ),
        b.heading("Итоги месяца по преподавателям"),
        _summary(rollup, total_row, columns),
        b.note(ON_DAY + " Исправления отметок вносит заместитель директора по УР с указанием основания."),
        b.heading("Неустранённые замечания"),
        b.note(REMARK_RULE),
        *(
            _remarks_by_teacher(unresolved)
            if unresolved.height
            else [b.paragraph("Неустранённых замечаний нет.")]
        ),
        b.heading("Исправления отметок"),
        b.frame_table(
            corrections, CORRECTION_COLUMNS, size=7.5, empty="Исправлений отметок за месяц не было."
        ),
        b.signature("Заместитель директора по УР", signer),
    ]
    return b.render_report(
        title="Отчёт о работе педагогических работников с электронными журналами успеваемости",
        subtitle=f"за {month} ({freshness_label(reader.published())})",
        college=college_name(reader, college_id),
        header_right=f"Работа с электронными журналами · {month}",
        blocks=blocks_,
        landscape=True,  # ten columns of figures beside full names
    )
