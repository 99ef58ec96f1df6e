"""The grid as frames: the left page, the right page, the marks and the legend (the page and the Excel
file show the same)."""

from __future__ import annotations

from typing import Any

import polars as pl

from app.domain import ATTENDANCE_LABELS, ATTENDANCE_TITLES, AttendanceStatus, fmt_date
from app.services.journal_grid.common import (
    COL_AVERAGE,
    COL_EXCUSED,
    COL_MISSED,
    COL_N,
    COL_NAME,
    COL_SEMESTER,
    NOT_ON_LIST,
    GridMark,
    JournalGrid,
)


def grid_frame(grid: JournalGrid) -> pl.DataFrame:
    """The left page: № , ФИО, a column per lesson, the average, hours missed, the semester mark."""
    data: dict[str, list[Any]] = {
        COL_N: list(range(1, len(grid.students) + 1)),
        COL_NAME: [s.name + (f" ({s.note})" if s.note else "") for s in grid.students],
    }
    for index, lesson in enumerate(grid.lessons):
        data[lesson.column] = [
            NOT_ON_LIST if s.cells[index] is None else s.cells[index] for s in grid.students
        ]
    data[COL_AVERAGE] = [s.average_text for s in grid.students]
    data[COL_MISSED] = [s.hours_missed for s in grid.students]
    data[COL_EXCUSED] = [s.hours_excused for s in grid.students]
    data[COL_SEMESTER] = [s.semester_mark or "" for s in grid.students]
    data["_student_id"] = [s.id for s in grid.students]
    schema: dict[str, Any] = {name: pl.String for name in data}
    schema.update({COL_N: pl.Int64, COL_MISSED: pl.Int64, COL_EXCUSED: pl.Int64, "_student_id": pl.Int64})
    return pl.DataFrame(data, schema=schema)


def lessons_frame(grid: JournalGrid) -> pl.DataFrame:
    """The right page: the period's lessons with their date, topic, homework, hours and teacher."""
    lessons = grid.lessons
    return pl.DataFrame(
        {
            COL_N: list(range(1, len(lessons) + 1)),
            "Дата": [fmt_date(lesson.lesson_date) for lesson in lessons],
            "Пара": [lesson.pair_number for lesson in lessons],
            "Подгруппа": [str(lesson.subgroup) if lesson.subgroup else "вся группа" for lesson in lessons],
            "Тема занятия": [lesson.topic for lesson in lessons],
            "Выполненные задания": [lesson.work_text for lesson in lessons],
            "Домашнее задание": [lesson.homework for lesson in lessons],
            "Часы": [lesson.hours for lesson in lessons],
            "Преподаватель": [
                lesson.teacher + (" (замена)" if lesson.substitution else "") for lesson in lessons
            ],
            "_lesson_id": [lesson.id for lesson in lessons],
        },
        schema={
            COL_N: pl.Int64,
            "Дата": pl.String,
            "Пара": pl.Int64,
            "Подгруппа": pl.String,
            "Тема занятия": pl.String,
            "Выполненные задания": pl.String,
            "Домашнее задание": pl.String,
            "Часы": pl.Int64,
            "Преподаватель": pl.String,
            "_lesson_id": pl.Int64,
        },
    )


def marks_frame(grid: JournalGrid) -> pl.DataFrame:
    """The legend of the marks: each mark with its lesson, student, kind of work and any correction."""
    lessons = {lesson.id: lesson for lesson in grid.lessons}
    names = {s.id: s.name for s in grid.students}
    rows = grid.marks

    def corrected(m: GridMark) -> str:
        if not m.corrected:
            return ""
        reason = f", причина: {m.correction_reason}" if m.correction_reason else ""
        return f"исправлено: было {m.original_value}{reason}"

    return pl.DataFrame(
        {
            "Дата": [fmt_date(lessons[m.lesson_id].lesson_date) for m in rows],
            "Столбец": [lessons[m.lesson_id].column for m in rows],
            "Студент": [names.get(m.student_id, "") for m in rows],
            "Отметка": [m.value for m in rows],
            "Вид работы": [m.kind_label for m in rows],
            "За что": [m.comment for m in rows],
            "Исправление": [corrected(m) for m in rows],
        },
        schema={
            name: pl.String
            for name in ("Дата", "Столбец", "Студент", "Отметка", "Вид работы", "За что", "Исправление")
        },
    )


def legend_frame() -> pl.DataFrame:
    """What the letters in the grid mean."""
    rows = [(ATTENDANCE_LABELS[s], ATTENDANCE_TITLES[s]) for s in AttendanceStatus]
    rows += [
        ("5, 4, 3, 2", "отметка (текущее значение, с учётом исправлений); две отметки за занятие — «5/4»"),
        ("зач, незач", "зачтено / не зачтено"),
        (NOT_ON_LIST, "студент не в списке занятия (другая подгруппа, ещё не зачислен или уже выбыл)"),
    ]
    return pl.DataFrame({"Обозначение": [r[0] for r in rows], "Значение": [r[1] for r in rows]})


def title(grid: JournalGrid) -> str:
    return f"Журнал группы {grid.group_name} — {grid.subject_label} — {fmt_date(grid.start)} — {fmt_date(grid.end)}"
