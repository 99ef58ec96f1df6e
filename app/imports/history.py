"""Marks and attendance from another system (a migration): the privileged path, command line only.

The journal's rules (a teacher fills the lesson on its day; no marks «задним числом») rightly refuse
history, so this path does not go through app.services.journal: it runs as the database owner, whom
the lesson-day triggers do not bind, creates the lessons it needs and inserts marks and attendance
directly. It is still all or nothing, never overwrites a saved mark or attendance (a different value
is an error; the same value is «unchanged», so a re-import changes nothing), and the whole import is
audited as `import.history` with the file's SHA-256 and counts. The append-only triggers on `mark`
protect the imported marks like any other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from app.actor import Actor
from app.calendar import program_semester
from app.domain import (
    ABSENT_STATUSES,
    ATTENDANCE_LABELS,
    CREDIT_MARKS,
    PAIR_TIMES,
    WORK_KIND_LABELS,
    AttendanceStatus,
    AttestationForm,
    WorkKind,
    fmt_date,
    full_name,
)
from app.imports.cells import norm
from app.imports.run import ADDED, UNCHANGED, ImportResult, Run, pk
from app.imports.schemas import HISTORY, Record
from app.imports.service import execute
from app.models import Attendance, CurriculumItem, Lesson, Mark, Student, StudyGroup, Subject, Teacher
from app.settings import get_settings

LessonKey = tuple[int, date, int, int]  # group, date, pair, subgroup


@dataclass
class _Row:
    record: Record
    key: LessonKey
    student: Student
    mark: str | None
    work_kind: WorkKind
    status: AttendanceStatus | None


def import_history(
    data: bytes, filename: str, *, session: Session, college_id: int, actor: Actor
) -> ImportResult:
    """Import history as `actor` (recorded as the author of the rows and in the audit log).

    `session` must be the owner's (app.db.get_owner_engine): the app role is bound by the day rules.
    """
    return execute(
        HISTORY,
        data,
        filename,
        session=session,
        college_id=college_id,
        actor=actor,
        apply=_apply,
        check_keys=False,  # rows of one lesson repeat the lesson's columns; checked below instead
    )


def _stamp(day: date, pair: int) -> datetime:
    """When the source system's teacher would have filled it: the end of the pair, in the college's zone."""
    end = PAIR_TIMES.get(pair, (time(18, 50), time(20, 20)))[1]
    return datetime.combine(day, end, tzinfo=get_settings().tz)


def _apply(run: Run, records: list[Record]) -> None:
    session = run.session
    assert run.actor is not None
    error = _Errors(run)
    students: dict[tuple[int, str], list[Student]] = defaultdict(list)
    for s in session.exec(select(Student).where(Student.college_id == run.college_id)):
        students[(s.study_group_id, norm(full_name(s.last_name, s.first_name, s.middle_name)))].append(s)
    forms = {
        (c.study_group_id, c.subject_id, c.semester): c.attestation_form
        for c in session.exec(select(CurriculumItem).where(CurriculumItem.college_id == run.college_id))
    }
    days = [r.values["date"] for r in records]
    lessons: dict[LessonKey, Lesson] = {}
    if days:
        for lesson in session.exec(
            select(Lesson).where(
                Lesson.college_id == run.college_id,
                Lesson.lesson_date >= min(days),
                Lesson.lesson_date <= max(days),
            )
        ):
            lessons[(lesson.study_group_id, lesson.lesson_date, lesson.pair_number, lesson.subgroup)] = lesson
    lesson_ids = [pk(lesson) for lesson in lessons.values()]
    old_marks = {
        (m.lesson_id, m.student_id, m.work_kind): m.value
        for m in session.exec(
            select(Mark).where(col(Mark.lesson_id).in_(lesson_ids), col(Mark.corrects_mark_id).is_(None))
        )
    }
    old_attendance = {
        (a.lesson_id, a.student_id): AttendanceStatus(a.status)
        for a in session.exec(select(Attendance).where(col(Attendance.lesson_id).in_(lesson_ids)))
    }

    firsts: dict[LessonKey, tuple[int, Subject, Teacher, StudyGroup]] = {}
    mark_rows: dict[tuple[LessonKey, int, WorkKind], int] = {}
    statuses: dict[tuple[LessonKey, int], tuple[AttendanceStatus, int]] = {}
    rows: list[_Row] = []
    for r in records:
        v = r.values
        group: StudyGroup = v["group"]
        subject: Subject = v["subject"]
        teacher: Teacher = v["teacher"]
        day: date = v["date"]
        when = f"{fmt_date(day)}, {v['pair']} пара"
        if day > run.today:
            error(r, "date", f"Дата {fmt_date(day)} ещё не наступила: переносится только прошедшая история.")
            continue
        found = students.get((pk(group), norm(v["student"])), [])
        if not found:
            error(r, "student", f"В группе «{group.name}» нет студента «{v['student']}»: проверьте ФИО.")
            continue
        if len(found) > 1:
            error(
                r,
                "student",
                f"В группе «{group.name}» несколько студентов «{v['student']}»: их не различить.",
            )
            continue
        student = found[0]
        if student.enrolled_on > day or (student.left_on is not None and student.left_on <= day):
            error(
                r,
                "student",
                f"{fmt_date(day)} студент «{v['student']}» не числился в группе (зачислен "
                f"{fmt_date(student.enrolled_on)}): проверьте дату или дату зачисления.",
            )
            continue
        subgroup: int = v["subgroup"] or 0
        if subgroup and student.subgroup != subgroup:
            error(r, "student", f"Студент из подгруппы {student.subgroup}, а занятие — подгруппы {subgroup}.")
            continue
        mark: str | None = v["mark"]
        status: AttendanceStatus | None = v["attendance"]
        kind: WorkKind = v["work_kind"] or WorkKind.oral
        if mark and status in ABSENT_STATUSES:
            error(
                r,
                "mark",
                f"Отметка «{mark}» выставлена отсутствовавшему («{ATTENDANCE_LABELS[status]}»): "
                "отсутствующему отметка не ставится — уберите одно из двух.",
            )
            continue
        semester = program_semester(group.admission_year, day)
        if mark in CREDIT_MARKS and forms.get((pk(group), pk(subject), semester)) != AttestationForm.credit:
            error(
                r,
                "mark",
                f"Отметка «{mark}» ставится только по дисциплине с зачётом в семестре; у «{subject.code}» в "
                f"{semester} семестре группы «{group.name}» другая форма аттестации: нужна 5, 4, 3 или 2.",
            )
            continue
        key: LessonKey = (pk(group), day, v["pair"], subgroup)
        first = firsts.setdefault(key, (r.row, subject, teacher, group))
        if first[1].id != subject.id:
            error(
                r,
                "subject",
                f"Для занятия {when} в строке {first[0]} указана другая дисциплина «{first[1].code}».",
            )
            continue
        if first[2].id != teacher.id:
            error(r, "teacher", f"Для занятия {when} в строке {first[0]} указан другой преподаватель.")
            continue
        existing = lessons.get(key)
        if existing is not None and existing.subject_id != subject.id:
            error(r, "subject", f"У группы «{group.name}» {when} уже есть занятие по другой дисциплине.")
            continue
        if existing is not None and teacher.id not in (existing.teacher_id, existing.substitute_teacher_id):
            error(r, "teacher", f"Занятие группы «{group.name}» {when} в журнале ведёт другой преподаватель.")
            continue
        if mark:
            earlier = mark_rows.setdefault((key, pk(student), kind), r.row)
            if earlier != r.row:
                error(
                    r,
                    "mark",
                    f"Отметка этому студенту за «{WORK_KIND_LABELS[kind]}» на этом занятии уже есть в строке {earlier}.",
                )
                continue
        if status is not None:
            seen_status, seen_row = statuses.setdefault((key, pk(student)), (status, r.row))
            if seen_status != status:
                error(
                    r,
                    "attendance",
                    f"В строке {seen_row} у этого студента на этом занятии другая посещаемость.",
                )
                continue
        if existing is not None:
            old = old_marks.get((pk(existing), pk(student), kind.value))
            if mark and old is not None and old != mark:
                error(
                    r,
                    "mark",
                    f"За это занятие у студента уже есть отметка «{old}» за «{WORK_KIND_LABELS[kind]}»: сохранённая "
                    "отметка не меняется (исправление — через заместителя директора по УР).",
                )
                continue
            was = old_attendance.get((pk(existing), pk(student)))
            if status is not None and was is not None and was != status:
                error(
                    r,
                    "attendance",
                    f"На этом занятии у студента уже отмечено «{ATTENDANCE_LABELS[was]}», а в файле "
                    f"«{ATTENDANCE_LABELS[status]}».",
                )
                continue
        rows.append(_Row(r, key, student, mark, kind, status))
    # A mark in one row and an absence in another, for the same student and lesson.
    marked = {(lesson_id, student_id) for lesson_id, student_id, _ in old_marks}
    for row in rows:
        status = statuses.get((row.key, pk(row.student)), (None, 0))[0]
        existing = lessons.get(row.key)
        if existing is not None and status is None:
            status = old_attendance.get((pk(existing), pk(row.student)))
        if row.mark and status in ABSENT_STATUSES:
            assert status is not None
            error(
                row.record,
                "mark",
                f"Студент отмечен на этом занятии как «{ATTENDANCE_LABELS[status]}»: отметка отсутствующему "
                "не ставится.",
            )
        if (
            existing is not None
            and row.status in ABSENT_STATUSES
            and not row.mark
            and (pk(existing), pk(row.student)) in marked
        ):
            error(
                row.record,
                "attendance",
                "У студента на этом занятии уже есть отметка: отсутствие не ставится.",
            )
    if run.result.errors:
        return
    _write(run, rows, firsts, lessons, old_marks, old_attendance)


class _Errors:
    def __init__(self, run: Run) -> None:
        self.run = run

    def __call__(self, record: Record, key: str, message: str) -> None:
        self.run.error(record, HISTORY, key, message)


def _write(
    run: Run,
    rows: list[_Row],
    firsts: dict[LessonKey, tuple[int, Subject, Teacher, StudyGroup]],
    lessons: dict[LessonKey, Lesson],
    old_marks: dict[tuple[int, int, str], str],
    old_attendance: dict[tuple[int, int], AttendanceStatus],
) -> None:
    assert run.actor is not None
    author = run.actor.user_id
    topics: dict[LessonKey, str] = {}
    kinds: dict[LessonKey, defaultdict[WorkKind, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        if row.record.values.get("topic"):
            topics.setdefault(row.key, row.record.values["topic"])
        if row.mark:
            kinds[row.key][row.work_kind] += 1
    new_lessons = 0
    for key, (_, subject, teacher, group) in firsts.items():
        if key in lessons:
            continue
        group_id, day, pair, subgroup = key
        stamp = _stamp(day, pair)
        kind = max(kinds[key], key=kinds[key].__getitem__) if kinds.get(key) else None
        topic = topics.get(key)
        lessons[key] = run.add(
            Lesson(
                college_id=run.college_id,
                study_group_id=group_id,
                subgroup=subgroup,
                subject_id=pk(subject),
                semester=program_semester(group.admission_year, day),
                teacher_id=pk(teacher),
                lesson_date=day,
                pair_number=pair,
                topic=topic,
                topic_filled_at=stamp if topic else None,
                work_kind=kind.value if kind else None,
                work_filled_at=stamp if kind else None,
                # The source recorded who was absent; everyone else was present: attendance was taken.
                attendance_filled_at=stamp,
                created_at=stamp,
                updated_at=stamp,
            )
        )
        new_lessons += 1
    marks = attendance = 0
    recorded: set[tuple[int, int]] = set()
    for row in rows:
        lesson = lessons[row.key]
        lesson_id, student_id = pk(lesson), pk(row.student)
        stamp = _stamp(row.key[1], row.key[2])
        outcome = UNCHANGED
        if row.mark and (lesson_id, student_id, row.work_kind.value) not in old_marks:
            run.session.add(
                Mark(
                    college_id=run.college_id,
                    lesson_id=lesson_id,
                    student_id=student_id,
                    value=row.mark,
                    work_kind=row.work_kind.value,
                    comment=row.record.values.get("comment") or "",
                    created_by_user_id=author,
                    created_at=stamp,
                )
            )
            marks += 1
            outcome = ADDED
        if (
            row.status is not None
            and (lesson_id, student_id) not in old_attendance
            and (lesson_id, student_id) not in recorded
        ):
            recorded.add((lesson_id, student_id))
            run.session.add(
                Attendance(
                    college_id=run.college_id,
                    lesson_id=lesson_id,
                    student_id=student_id,
                    status=row.status.value,
                    created_by_user_id=author,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
            attendance += 1
            outcome = ADDED
        run.count(outcome)
    run.result.counts.update(lessons=new_lessons, marks=marks, attendance=attendance)


def history_summary(result: ImportResult) -> str:
    c: dict[str, Any] = result.counts
    return (
        f"Перенос истории: строк {result.rows}; создано занятий {c.get('lessons', 0)}, отметок "
        f"{c.get('marks', 0)}, записей посещаемости {c.get('attendance', 0)}; без изменений {result.unchanged}."
    )
