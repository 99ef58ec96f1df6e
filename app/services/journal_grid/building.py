"""Building the grid: the period's lessons, marks as they stand now, attendance and the class list."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.actor import Actor
from app.calendar import program_semester
from app.domain import (
    ATTENDANCE_LABELS,
    ATTESTATION_LABELS,
    NUMERIC_MARKS,
    AttendanceStatus,
    AttestationForm,
    HoursTally,
    fmt_date,
    full_name,
    short_name,
)
from app.models import Mark, SemesterMark
from app.services.journal import college_now
from app.services.journal_grid.access import _check
from app.services.journal_grid.common import GridLesson, GridMark, GridStudent, JournalGrid
from app.services.marks import SheetMark, mark_chains, sheet_current

_LESSONS_SQL = """
    SELECT l.id, l.lesson_date, l.pair_number, l.subgroup, l.hours, l.topic, l.work_kind, l.work_done,
           l.homework, l.substitute_teacher_id IS NOT NULL AS substitution,
           t.last_name AS t_last, t.first_name AS t_first, t.middle_name AS t_middle
    FROM lesson l
    JOIN teacher t ON t.id = COALESCE(l.substitute_teacher_id, l.teacher_id)
    WHERE l.study_group_id = :grp AND l.subject_id = :subject AND l.lesson_date BETWEEN :start AND :end
    ORDER BY l.lesson_date, l.pair_number, l.subgroup, l.id
"""

# The class list of the period, as the group list orders it; plus anyone with a record in these
# lessons (a student since transferred to another group still appears where they were marked).
# `subgroup` is the student's for this subject (the database's student_subgroup rule)
_STUDENT_COLUMNS = (
    "id, study_group_id, last_name, first_name, middle_name, student_subgroup(id, :subject) AS subgroup, "
    "enrolled_on, left_on"
)
_STUDENTS_SQL = f"""
    SELECT {_STUDENT_COLUMNS} FROM student
    WHERE study_group_id = :grp AND enrolled_on <= :end AND (left_on IS NULL OR left_on > :start)
    UNION
    SELECT {_STUDENT_COLUMNS} FROM student WHERE id = ANY(:recorded)
    ORDER BY last_name, first_name, middle_name, id
"""


def build_grid(
    actor: Actor, group_id: int, subject_id: int, start: date, end: date, *, session: Session
) -> JournalGrid:
    """The journal of one group × subject over [start, end]: the lessons held up to today."""
    if end < start:
        start, end = end, start
    group, subject = _check(session, actor, group_id, subject_id)
    now = college_now(session=session)
    today = now.date()
    held_end = min(end, today)  # lessons still to come have nothing to show yet
    lesson_rows = (
        list(
            session.execute(
                text(_LESSONS_SQL), {"grp": group_id, "subject": subject_id, "start": start, "end": held_end}
            ).mappings()
        )
        if start <= held_end
        else []
    )
    lesson_ids = [r["id"] for r in lesson_rows]
    mark_rows = (
        list(session.exec(select(Mark).where(col(Mark.lesson_id).in_(lesson_ids)))) if lesson_ids else []
    )
    chains = mark_chains(session, mark_rows)
    attendance = (
        {
            (r[0], r[1]): AttendanceStatus(r[2])
            for r in session.execute(
                text("SELECT lesson_id, student_id, status FROM attendance WHERE lesson_id = ANY(:ids)"),
                {"ids": lesson_ids},
            )
        }
        if lesson_ids
        else {}
    )
    semester = program_semester(group["admission_year"], end)
    item = (
        session.execute(
            text(
                "SELECT id, attestation_form FROM curriculum_item "
                "WHERE study_group_id = :grp AND subject_id = :subject AND semester = :semester"
            ),
            {"grp": group_id, "subject": subject_id, "semester": semester},
        )
        .mappings()
        .first()
    )
    semester_current = sheet_current(session, SemesterMark, item["id"]) if item is not None else {}
    recorded = sorted({c.original.student_id for c in chains} | {sid for _, sid in attendance})
    student_rows = list(
        session.execute(
            text(_STUDENTS_SQL),
            {"grp": group_id, "subject": subject_id, "start": start, "end": end, "recorded": recorded},
        ).mappings()
    )
    marks = tuple(
        GridMark(
            lesson_id=c.original.lesson_id,
            student_id=c.original.student_id,
            value=c.current.value,
            work_kind=c.original.work_kind,
            comment=c.original.comment or "",
            corrected=c.current is not c.original,
            original_value=c.original.value,
            correction_reason=c.current.correction_reason if c.current is not c.original else None,
        )
        for c in chains
    )
    lessons = _grid_lessons(lesson_rows, marks)
    students = tuple(
        _grid_student(r, group_id, start, end, lessons, marks, attendance, semester_current)
        for r in student_rows
    )
    form = AttestationForm(item["attestation_form"]) if item is not None else AttestationForm.other
    order = {s.id: n for n, s in enumerate(students)}
    lesson_order = {lesson.id: n for n, lesson in enumerate(lessons)}
    return JournalGrid(
        group_id=group_id,
        group_name=group["name"],
        subject_id=subject_id,
        subject_code=subject["code"],
        subject_name=subject["name"],
        start=start,
        end=end,
        today=today,
        as_of=now,
        semester=semester,
        attestation=ATTESTATION_LABELS[form],
        lessons=lessons,
        students=students,
        marks=tuple(
            sorted(marks, key=lambda m: (lesson_order[m.lesson_id], order.get(m.student_id, len(order))))
        ),
    )


def _grid_lessons(rows: list[Any], marks: tuple[GridMark, ...]) -> tuple[GridLesson, ...]:
    per_day: dict[date, int] = defaultdict(int)
    per_pair: dict[tuple[date, int], int] = defaultdict(int)
    for r in rows:
        per_day[r["lesson_date"]] += 1
        per_pair[(r["lesson_date"], r["pair_number"])] += 1
    kinds: dict[int, list[str]] = defaultdict(list)
    for m in marks:
        if m.work_kind not in kinds[m.lesson_id]:
            kinds[m.lesson_id].append(m.work_kind)
    out = []
    for r in rows:
        day, pair = r["lesson_date"], r["pair_number"]
        column = f"{day:%d.%m}"
        if per_day[day] > 1:
            column += f" п.{pair}"
        if per_pair[(day, pair)] > 1:
            column += f" пгр.{r['subgroup']}" if r["subgroup"] else " гр."
        out.append(
            GridLesson(
                id=r["id"],
                lesson_date=day,
                pair_number=pair,
                subgroup=r["subgroup"],
                hours=r["hours"],
                topic=(r["topic"] or "").strip(),
                work_kind=r["work_kind"],
                work_done=(r["work_done"] or "").strip(),
                homework=(r["homework"] or "").strip(),
                teacher=short_name(r["t_last"], r["t_first"], r["t_middle"]),
                substitution=r["substitution"],
                column=column,
                mark_kinds=tuple(kinds.get(r["id"], ())),
            )
        )
    return tuple(out)


def _on_list(student: Any, group_id: int, lesson: GridLesson) -> bool:
    """Was the student on this lesson's list (the journal's lesson_roster rule)?"""
    if student["study_group_id"] != group_id or student["enrolled_on"] > lesson.lesson_date:
        return False
    if student["left_on"] is not None and student["left_on"] <= lesson.lesson_date:
        return False
    return not lesson.subgroup or student["subgroup"] == lesson.subgroup


def _note(student: Any, group_id: int, start: date, end: date) -> str:
    if student["study_group_id"] != group_id:
        return "переведён(а) в другую группу"
    if student["left_on"] is not None and student["left_on"] <= end:
        return f"выбыл(а) {fmt_date(student['left_on'])}"
    if student["enrolled_on"] > start:
        return f"зачислен(а) {fmt_date(student['enrolled_on'])}"
    return ""


def _grid_student(
    row: Any,
    group_id: int,
    start: date,
    end: date,
    lessons: tuple[GridLesson, ...],
    marks: tuple[GridMark, ...],
    attendance: dict[tuple[int, int], AttendanceStatus],
    semester_current: dict[int, tuple[SheetMark, SheetMark]],
) -> GridStudent:
    sid = row["id"]
    own: dict[int, list[str]] = defaultdict(list)
    for m in marks:
        if m.student_id == sid:
            own[m.lesson_id].append(m.value)
    cells: list[str | None] = []
    statuses: list[AttendanceStatus | None] = []
    values: list[tuple[str, ...]] = []
    numeric: list[int] = []
    tally = HoursTally()
    for lesson in lessons:
        status = attendance.get((lesson.id, sid))
        current = tuple(own.get(lesson.id, ()))
        parts = []
        tally.add(status, lesson.hours)
        if status is not None:
            parts.append(ATTENDANCE_LABELS[status])
        if current:
            parts.append("/".join(current))
            numeric.extend(int(v) for v in current if v in NUMERIC_MARKS)
        if parts:
            cells.append(" ".join(parts))
        else:
            cells.append("" if _on_list(row, group_id, lesson) else None)
        statuses.append(status)
        values.append(current)
    sem = semester_current.get(sid)
    return GridStudent(
        id=sid,
        name=full_name(row["last_name"], row["first_name"], row["middle_name"]),
        subgroup=row["subgroup"],
        note=_note(row, group_id, start, end),
        cells=tuple(cells),
        statuses=tuple(statuses),
        marks=tuple(values),
        average=round(sum(numeric) / len(numeric), 2) if numeric else None,
        hours_missed=tally.missed,
        hours_excused=tally.excused,
        lates=tally.lates,
        semester_mark=sem[1].value if sem else None,
    )
