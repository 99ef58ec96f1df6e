"""Semester and year reports on progress, attendance and контрольные работы (§3.2.5, §4.2.3–4.2.4 of
the regulation), from the warehouse marts through app.analytics.progress and app.analytics.attendance.

- the group report (deputy director, director, curator) and the college report (deputy, director);
- the curator's semester report on the group for the deputy director: the summary sheet of each
  student's marks by subject, hours missed, students at risk and academic debts.

Every figure stands beside its definition and the N it is computed over.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from app.analytics import attendance as att
from app.analytics import progress as prog
from app.analytics.common import Scope, freshness_label
from app.reports import blocks as b
from app.reports.common import ReportError, SemesterKey
from app.reports.journal_keeping import college_name
from etl.warehouse import WarehouseReader

KINDS = {"semester": "семестр", "year": "учебный год"}

CONTROL_NOTE = (
    "Контрольные работы: показатели считаются по отметкам за каждую работу (не по студентам): "
    "успеваемость — доля отметок «5», «4», «3» среди выставленных, качество — доля «5» и «4», "
    "средний балл — среднее этих отметок. «Не проверено» — писавшие без отметки за работу."
)


def period_label(kind: str, anchor: date) -> tuple[date, date, str]:
    """The period's bounds and its Russian name."""
    if kind not in KINDS:
        raise ReportError(f"Неизвестный период отчёта «{kind}».")
    start, end = prog.period_bounds(kind, anchor)
    if kind == "year":
        return start, end, f"{start.year}/{start.year + 1} учебный год ({start:%d.%m.%Y} — {end:%d.%m.%Y})"
    return start, end, f"{SemesterKey.containing(anchor).label} ({start:%d.%m.%Y} — {end:%d.%m.%Y})"


def _group_info(reader: WarehouseReader, college_id: int, group_id: int) -> dict[str, Any]:
    frame = reader.query(
        """
        SELECT g.group_name, coalesce(s.speciality_code || ' ' || s.speciality_name, '') AS speciality,
               coalesce(t.teacher_name, '') AS curator
        FROM stg_study_group g
        LEFT JOIN stg_speciality s ON s.speciality_id = g.speciality_id
        LEFT JOIN stg_teacher t ON t.teacher_id = g.curator_teacher_id
        WHERE g.college_id = ? AND g.group_id = ?
        """,
        [college_id, group_id],
    )
    if frame.height == 0:
        raise ReportError("Группа не найдена.")
    return frame.row(0, named=True)


def _progress_figures(summary: dict[str, Any]) -> list[b.Block]:
    d = prog.METRIC_DEFINITIONS
    counts = (
        f"«5» — {summary['n5']}, «4» — {summary['n4']}, «3» — {summary['n3']}, «2» — {summary['n2']}, "
        f"«н/а» — {summary['n_na']}"
    )
    return [
        b.figures(
            [
                (prog.N_LABEL, summary["n_assessed"], d[prog.N_LABEL]),
                ("Итоговые отметки", counts, "n5, n4, n3, n2, nн/а — число оценённых с такой отметкой."),
                ("Средний балл", summary["avg_mark"], d["Средний балл"]),
                ("Абсолютная успеваемость, %", summary["abs_progress_pct"], d["Абсолютная успеваемость, %"]),
                ("Качество знаний, %", summary["quality_pct"], d["Качество знаний, %"]),
                ("СОУ, %", summary["sou_pct"], d["СОУ, %"]),
            ]
        ),
        b.note(prog.BASIS[summary["basis"]]),
    ]


def _attendance_figures(summary: dict[str, Any]) -> b.Block:
    d = att.METRIC_DEFINITIONS
    return b.figures(
        [
            ("Студентов", summary["students"], "Студенты, у которых в периоде были занятия."),
            (
                "Проведено часов",
                summary["hours_held"],
                "Сумма по студентам часов занятий, на которых они должны были быть.",
            ),
            ("Пропущено часов", summary["hours_missed"], d["Пропущено часов"]),
            ("по уважительной причине", summary["hours_excused"], d["По уважительной причине"]),
            ("без уважительной причины", summary["hours_unexcused"], d["Без уважительной причины"]),
            ("Опозданий", summary["lates"], d["Опозданий"]),
            ("Доля пропусков, %", summary["pct_missed"], d["Доля пропусков, %"]),
            ("Систематически пропускающих", summary["systematic_students"], d["Систематические пропуски"]),
        ]
    )


def _definitions() -> b.Block:
    items = {**prog.METRIC_DEFINITIONS, **att.METRIC_DEFINITIONS}
    return b.definitions(items)


SUBJECT_PROGRESS_COLUMNS = [
    b.Col("Дисциплина", fr=1.2),
    b.Col("Преподаватель", fr=1),
    b.num("N", 9, "Оценено студентов (N)"),
    b.num("5", 8),
    b.num("4", 8),
    b.num("3", 8),
    b.num("2", 8),
    b.num("н/а", 8),
    b.num("зач", 8),
    b.num("незач", 10),
    b.num("Без отметки", 14),
    b.num("Средний балл", 14),
    b.num("Абс. успев., %", 15, "Абсолютная успеваемость, %"),
    b.num("Качество, %", 15, "Качество знаний, %"),
    b.num("СОУ, %", 13),
    b.num("Зачтено, %", 14),
]

STUDENT_ATTENDANCE_COLUMNS = [
    b.Col("Студент", fr=1),
    b.num("Проведено часов", 22),
    b.num("Пропущено часов", 22),
    b.num("По уважительной причине", 26),
    b.num("Без уважительной причины", 26),
    b.num("Опозданий", 18),
    b.num("Доля пропусков, %", 22),
]

CONTROL_COLUMNS = [
    b.Col("Дата", mm=17),
    b.Col("Дисциплина", fr=0.8),
    b.Col("Преподаватель", fr=0.7),
    b.Col("Тема", fr=1.4),
    b.num("Писали", 11),
    b.num("Отсут.", 11, "Отсутствовали"),
    b.num("Оценено", 12),
    b.num("Не пров.", 12, "Не проверено"),
    b.num("5", 7),
    b.num("4", 7),
    b.num("3", 7),
    b.num("2", 7),
    b.num("Ср. балл", 12, "Средний балл"),
    b.num("Успев., %", 13, "Успеваемость, %"),
    b.num("Кач., %", 12, "Качество, %"),
]

SYSTEMATIC_COLUMNS = [
    b.Col("Студент", fr=1),
    b.Col("Месяц", mm=18),
    b.num("Проведено часов", 22),
    b.num("Пропущено часов", 22),
    b.num("По уважит. причине", 24, "По уважительной причине"),
    b.num("Без уважит. причины", 24, "Без уважительной причины"),
    b.num("Доля пропусков, %", 22),
    b.num("Опозданий", 18),
]

# the glossary's metrics of a group's or a subject's row in the college report
METRIC_COLUMNS = [
    b.num("N", 14, "Оценено студентов (N)"),
    b.num("5", 12),
    b.num("4", 12),
    b.num("3", 12),
    b.num("2", 12),
    b.num("н/а", 12),
    b.num("Средний балл", 20),
    b.num("Абсолютная успеваемость, %", 30),
    b.num("Качество знаний, %", 26),
    b.num("СОУ, %", 20),
]

DEBT_COLUMNS = [
    b.Col("Студент", fr=1),
    b.Col("Дисциплина", fr=1),
    b.num("Семестр", 16),
    b.Col("Отметка", mm=16, align="center"),
    b.Col("Задолженность", fr=1),
]


def group_report_pdf(
    reader: WarehouseReader,
    college_id: int,
    group_id: int,
    kind: str,
    anchor: date,
    *,
    signer_position: str = "Заместитель директора по УР",
    signer: str = "",
) -> bytes:
    """A group's report on progress, attendance and контрольные работы for a semester or a year."""
    start, end, period = period_label(kind, anchor)
    info = _group_info(reader, college_id, group_id)
    scope = Scope(college_id, start, end, (group_id,))
    progress = prog.summary(reader, scope, kind)
    attendance = att.summary(reader, scope)
    debts = prog.debts(reader, college_id, (group_id,))
    blocks_: list[b.Block] = [
        b.paragraph(
            f"Группа {info['group_name']}; специальность (профессия): {info['speciality'] or '—'}; "
            f"куратор: {info['curator'] or '—'}."
        ),
        b.heading("Успеваемость"),
        *_progress_figures(progress),
        b.heading("Успеваемость по дисциплинам", level=2),
        b.frame_table(prog.by_group_subject(reader, scope, kind), SUBJECT_PROGRESS_COLUMNS, size=7.5),
        b.note("N и n5…nн/а — по студентам группы для каждой дисциплины отдельно."),
        b.heading("Посещаемость"),
        _attendance_figures(attendance),
        b.heading("Пропуски по студентам", level=2),
        b.frame_table(att.by_student(reader, scope), STUDENT_ATTENDANCE_COLUMNS, size=7.5),
        b.heading("Контрольные работы"),
        b.frame_table(
            prog.control_works(reader, scope),
            CONTROL_COLUMNS,
            size=7,
            empty="Контрольных работ в периоде не было.",
        ),
        b.note(CONTROL_NOTE),
        b.heading("Академические задолженности"),
        b.frame_table(debts, DEBT_COLUMNS, size=7.5, empty="Академических задолженностей нет."),
        _definitions(),
        b.signature(signer_position, signer),
    ]
    return b.render_report(
        title=f"Отчёт об успеваемости и посещаемости группы {info['group_name']}",
        subtitle=f"{period}; {freshness_label(reader.published())}",
        college=college_name(reader, college_id),
        header_right=f"Группа {info['group_name']} · {KINDS[kind]} · {start:%d.%m.%Y} — {end:%d.%m.%Y}",
        blocks=blocks_,
        landscape=True,
    )


def _subject_codes(reader: WarehouseReader, college_id: int) -> dict[int, tuple[str, str]]:
    frame = reader.query(
        "SELECT subject_id, subject_code, subject_name FROM stg_subject WHERE college_id = ?", [college_id]
    )
    return {sid: (code, name) for sid, code, name in frame.iter_rows()}


def _summary_sheet(
    reader: WarehouseReader, college_id: int, scope: Scope, kind: str
) -> tuple[list[b.Col], list[list[Any]], list[tuple[str, str]]]:
    """Each student's result mark per subject (the semester mark, before it the rounded average)."""
    results = prog.students(reader, scope, kind)
    absences = att.by_student(reader, scope)
    codes = _subject_codes(reader, college_id)
    subject_ids = sorted(set(results["_subject_id"].to_list()), key=lambda s: codes.get(s, ("", ""))[0])
    missed = {
        r["_student_id"]: (r["Пропущено часов"], r["Без уважительной причины"])
        for r in absences.iter_rows(named=True)
    }
    students: dict[int, dict[str, Any]] = {}
    for r in results.iter_rows(named=True):
        row = students.setdefault(r["_student_id"], {"name": r["Студент"], "marks": {}, "sum": 0.0, "n": 0})
        mark = r["Отметка за семестр"] or r["Отметка за период"]
        row["marks"][r["_subject_id"]] = mark
        if mark in ("5", "4", "3", "2"):
            row["sum"] += int(mark)
            row["n"] += 1
    columns = [
        b.num("№", 7),
        b.Col("Студент", mm=52),
        *[b.Col(codes.get(s, ("?", ""))[0], fr=1, align="center") for s in subject_ids],
        b.num("Средний балл", 15),
        b.num("Пропущено часов", 17),
        b.num("из них без уваж.", 17),
    ]
    rows = []
    for n, (student_id, row) in enumerate(sorted(students.items(), key=lambda kv: kv[1]["name"]), start=1):
        hours = missed.get(student_id, (0, 0))
        rows.append(
            [
                n,
                row["name"],
                *[row["marks"].get(s) or "" for s in subject_ids],
                round(row["sum"] / row["n"], 2) if row["n"] else None,
                hours[0],
                hours[1],
            ]
        )
    legend = [codes.get(s, ("?", "?")) for s in subject_ids]
    return columns, rows, legend


def curator_report_pdf(
    reader: WarehouseReader, college_id: int, group_id: int, anchor: date, *, curator: str | None = None
) -> bytes:
    """The curator's semester report on the group's progress and attendance for the deputy director."""
    start, end, period = period_label("semester", anchor)
    info = _group_info(reader, college_id, group_id)
    scope = Scope(college_id, start, end, (group_id,))
    columns, rows, legend = _summary_sheet(reader, college_id, scope, "semester")
    at_risk = prog.at_risk(reader, college_id, (group_id,))
    blocks_: list[b.Block] = [
        b.paragraph(
            f"Группа {info['group_name']}; специальность (профессия): {info['speciality'] or '—'}. "
            "Отчёт представляется куратором группы заместителю директора по УР по окончании семестра "
            "(§4.2.4 Положения)."
        ),
        b.heading("Успеваемость"),
        *_progress_figures(prog.summary(reader, scope, "semester")),
        b.heading("Посещаемость"),
        _attendance_figures(att.summary(reader, scope)),
        b.pagebreak(),
        b.heading("Сводная ведомость успеваемости и посещаемости"),
        b.table(columns, rows, size=7.5, empty="Отметок за семестр нет."),
        b.note(
            "В клетке — отметка за семестр (промежуточная аттестация), а до неё — средний балл текущих "
            "отметок, округлённый по правилам арифметики; «зач»/«незач» — по зачётным дисциплинам. "
            "Средний балл — по числовым отметкам строки. Дисциплины: "
            + "; ".join(f"{code} — {name}" for code, name in legend)
            + "."
        ),
        b.heading("Студенты группы риска"),
        b.frame_table(
            at_risk,
            [
                b.Col("Студент", mm=50),
                b.num("Дисциплин с «2»", 18, "Дисциплин с «2» за семестр"),
                b.num("Отметок «2»", 16, "Отметок «2» в семестре"),
                b.num("Задолжен- ностей", 16, "Академических задолженностей"),
                b.num("Пропущено часов в месяце", 22, "Пропущено часов в этом месяце"),
                b.num("из них без уваж.", 18, "Из них без уважительной причины"),
                b.Col("Причины", fr=1),
            ],
            size=7.5,
            empty="Студентов группы риска нет.",
        ),
        b.heading("Систематические пропуски"),
        b.frame_table(
            att.systematic(reader, scope),
            SYSTEMATIC_COLUMNS,
            size=7.5,
            empty="Систематических пропусков нет.",
        ),
        b.heading("Академические задолженности"),
        b.frame_table(
            prog.debts(reader, college_id, (group_id,)),
            DEBT_COLUMNS,
            size=7.5,
            empty="Академических задолженностей нет.",
        ),
        _definitions(),
        b.signature(f"Куратор группы {info['group_name']}", info["curator"] if curator is None else curator),
    ]
    return b.render_report(
        title=f"Отчёт куратора группы {info['group_name']} об успеваемости и посещаемости",
        subtitle=f"{period}; {freshness_label(reader.published())}",
        college=college_name(reader, college_id),
        header_right=f"Отчёт куратора · группа {info['group_name']} · {start:%d.%m.%Y} — {end:%d.%m.%Y}",
        blocks=blocks_,
        landscape=True,
    )


def college_report_pdf(
    reader: WarehouseReader, college_id: int, kind: str, anchor: date, *, signer: str = ""
) -> bytes:
    """The college's report on progress, attendance and контрольные работы for a semester or a year."""
    start, end, period = period_label(kind, anchor)
    scope = Scope(college_id, start, end)
    debts = prog.debts(reader, college_id, None)
    debt_rows = (
        debts.group_by("Группа")
        .agg(pl.len().alias("n"), pl.col("_student_id").n_unique().alias("s"))
        .sort("Группа")
    )
    blocks_: list[b.Block] = [
        b.heading("Успеваемость"),
        *_progress_figures(prog.summary(reader, scope, kind)),
        b.heading("Успеваемость по группам", level=2),
        b.frame_table(
            prog.by_group(reader, scope, kind),
            [
                b.Col("Группа", fr=1),
                *METRIC_COLUMNS,
            ],
            size=7.5,
        ),
        b.note("По группе студент учитывается один раз — по худшей из отметок по всем дисциплинам."),
        b.heading("Успеваемость по дисциплинам", level=2),
        b.frame_table(
            prog.by_subject(reader, scope, kind),
            [
                b.Col("Дисциплина", fr=1),
                b.num("Групп", 14),
                *METRIC_COLUMNS,
            ],
            size=7.5,
        ),
        b.note("По дисциплинам N — результаты «студент × дисциплина» во всех группах."),
        b.heading("Посещаемость"),
        _attendance_figures(att.summary(reader, scope)),
        b.heading("Пропуски по группам", level=2),
        b.frame_table(
            att.by_group(reader, scope),
            [
                b.Col("Группа", fr=1),
                b.num("Студентов", 18),
                b.num("Проведено часов", 24),
                b.num("Пропущено часов", 24),
                b.num("По уважительной причине", 28),
                b.num("Без уважительной причины", 28),
                b.num("Опозданий", 20),
                b.num("Доля пропусков, %", 24),
                b.num("Пропущено часов на студента", 28),
            ],
            size=7.5,
        ),
        b.heading("Студенты с систематическими пропусками", level=2),
        b.frame_table(
            att.systematic(reader, scope),
            [b.Col("Группа", mm=20), *SYSTEMATIC_COLUMNS],
            size=7.5,
            empty="Систематических пропусков нет.",
        ),
        b.heading("Контрольные работы по группам"),
        b.frame_table(
            prog.control_by_group(reader, scope),
            [
                b.Col("Группа", fr=1),
                b.num("Работ", 14),
                b.num("Писали", 16),
                b.num("Оценено", 16),
                b.num("Не проверено", 20),
                b.num("5", 12),
                b.num("4", 12),
                b.num("3", 12),
                b.num("2", 12),
                b.num("Средний балл", 18),
                b.num("Успеваемость, %", 22),
                b.num("Качество, %", 20),
            ],
            size=7.5,
            empty="Контрольных работ в периоде не было.",
        ),
        b.note(CONTROL_NOTE),
        b.heading("Академические задолженности по группам"),
        b.table(
            [b.Col("Группа", fr=1), b.num("Задолженностей", 30), b.num("Студентов с задолженностями", 45)],
            debt_rows.iter_rows(),
            size=7.5,
            empty="Академических задолженностей нет.",
        ),
        _definitions(),
        b.signature("Заместитель директора по УР", signer),
    ]
    return b.render_report(
        title="Отчёт об успеваемости, посещаемости и контрольных работах",
        subtitle=f"{period}; {freshness_label(reader.published())}",
        college=college_name(reader, college_id),
        header_right=f"Отчёт по колледжу · {KINDS[kind]} · {start:%d.%m.%Y} — {end:%d.%m.%Y}",
        blocks=blocks_,
        landscape=True,
    )
