"""The curator's information letter to a guardian on one student's marks and attendance for a period
(§4.1.3, §4.2.4 of the regulation), read from the journal database so it is current to the minute."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.domain import ABSENT_STATUSES, DEBT_MARKS, NUMERIC_MARKS, AttendanceStatus, fmt_date
from app.models import (
    Attendance,
    College,
    CurriculumItem,
    Guardian,
    Lesson,
    Mark,
    SemesterMark,
    Speciality,
    Student,
    StudentGuardian,
    StudyGroup,
    Subject,
    Teacher,
    YearMark,
)
from app.reports.common import (
    Meta,
    ReportError,
    data_hash,
    db_session,
    fmt_number,
    long_date,
    now_local,
    person,
    render,
)
from app.services.journal import college_today
from app.services.marks import mark_chains, sheet_chains


@dataclass
class _SubjectLine:
    name: str
    marks: list[str] = field(default_factory=list)
    hours: int = 0
    missed: int = 0
    unexcused: int = 0
    lates: int = 0
    semester_mark: str = ""
    year_mark: str = ""


def salutation(guardian: Guardian | None) -> str:
    """«Уважаемая Ольга Ивановна!» — the name and patronymic need no declension in an address."""
    if guardian is None or not guardian.first_name:
        return "Уважаемые родители (законные представители)!"
    middle = guardian.middle_name.strip()
    if middle.endswith(("вна", "чна", "кызы")):
        return f"Уважаемая {guardian.first_name} {middle}!"
    if middle.endswith(("вич", "ич", "оглы")):
        return f"Уважаемый {guardian.first_name} {middle}!"
    return f"Уважаемый(ая) {person(guardian.first_name, middle)}!"


def letter_content(
    student_id: int, start: date, end: date, *, guardian_id: int | None = None, session: Session
) -> dict[str, Any]:
    if end < start:
        raise ReportError("Начало периода позже его окончания.")
    student = session.get(Student, student_id)
    if student is None:
        raise ReportError("Студент не найден.")
    group = session.get(StudyGroup, student.study_group_id)
    college = session.get(College, student.college_id)
    assert group is not None and college is not None
    speciality = session.get(Speciality, group.speciality_id)
    curator = session.get(Teacher, group.curator_teacher_id) if group.curator_teacher_id else None
    guardians = list(
        session.exec(
            select(Guardian)
            .join(StudentGuardian, col(StudentGuardian.guardian_id) == col(Guardian.id))
            .where(StudentGuardian.student_id == student_id)
            .order_by(col(Guardian.last_name), col(Guardian.first_name))
        )
    )
    guardian: Guardian | None = None
    if guardian_id is not None:
        guardian = next((g for g in guardians if g.id == guardian_id), None)
        if guardian is None:
            raise ReportError("Этот родитель (законный представитель) не связан со студентом.")
    elif len(guardians) == 1:
        guardian = guardians[0]

    today = college_today(session=session)
    last = min(end, today)
    lessons = list(
        session.exec(
            select(Lesson)
            .where(
                Lesson.study_group_id == student.study_group_id,
                Lesson.lesson_date >= start,
                Lesson.lesson_date <= last,
                Lesson.lesson_date >= student.enrolled_on,
                # the student's subgroup for the lesson's subject (the database's rule, 0020)
                or_(
                    col(Lesson.subgroup) == 0,
                    col(Lesson.subgroup) == func.student_subgroup(student_id, Lesson.subject_id),
                ),
            )
            .order_by(col(Lesson.lesson_date), col(Lesson.pair_number))
        )
    )
    lessons = [
        lesson for lesson in lessons if student.left_on is None or lesson.lesson_date < student.left_on
    ]
    lesson_ids = [lesson.id for lesson in lessons]
    marks = (
        list(
            session.exec(
                select(Mark).where(Mark.student_id == student_id, col(Mark.lesson_id).in_(lesson_ids))
            )
        )
        if lesson_ids
        else []
    )
    attendance = (
        {
            a.lesson_id: AttendanceStatus(a.status)
            for a in session.exec(
                select(Attendance).where(
                    Attendance.student_id == student_id, col(Attendance.lesson_id).in_(lesson_ids)
                )
            )
        }
        if lesson_ids
        else {}
    )
    subjects = {
        s.id: s
        for s in session.exec(
            select(Subject).where(col(Subject.id).in_({lesson.subject_id for lesson in lessons}))
        )
    }
    marks_by_lesson: dict[int, list[str]] = defaultdict(list)
    for chain in mark_chains(session, marks):
        marks_by_lesson[chain.original.lesson_id].append(chain.current.value)

    lines: dict[int, _SubjectLine] = {}
    for lesson in lessons:
        assert lesson.id is not None
        subject = subjects[lesson.subject_id]
        line = lines.setdefault(subject.id or 0, _SubjectLine(subject.name))
        line.hours += lesson.hours
        status = attendance.get(lesson.id)
        if status in ABSENT_STATUSES:
            line.missed += lesson.hours
            line.unexcused += lesson.hours if status == AttendanceStatus.absent else 0
        elif status == AttendanceStatus.late:
            line.lates += 1
        line.marks.extend(marks_by_lesson.get(lesson.id, []))

    # Semester marks of the semesters the period's lessons belong to.
    semesters = {(lesson.subject_id, lesson.semester) for lesson in lessons}
    if semesters:
        items = list(
            session.exec(
                select(CurriculumItem).where(
                    CurriculumItem.study_group_id == student.study_group_id,
                    col(CurriculumItem.subject_id).in_({s for s, _ in semesters}),
                )
            )
        )
        wanted = {i.id: i.subject_id for i in items if (i.subject_id, i.semester) in semesters}
        if wanted:
            for model in (SemesterMark, YearMark):
                sheets = sheet_chains(session, model, items=[i for i in wanted if i], student=student_id)
                for (item_id, _), sheet in sheets.items():
                    subject_line = lines.get(wanted[item_id])
                    if subject_line is None:
                        continue
                    current = sheet[-1].value
                    subject_line.semester_mark = (
                        current if model is SemesterMark
                        else " · ".join(p for p in (subject_line.semester_mark, f"год: {current}") if p)
                    )  # fmt: skip

    table = []
    failing_subjects = []
    for line in sorted(lines.values(), key=lambda s: s.name):
        numeric = [int(m) for m in line.marks if m in NUMERIC_MARKS]
        average = sum(numeric) / len(numeric) if numeric else None
        credits = [m for m in line.marks if m in ("зач", "незач")]
        if (
            line.semester_mark in DEBT_MARKS
            or (average is not None and average < 3)
            or (not numeric and credits and credits.count("незач") > credits.count("зач"))
        ):
            failing_subjects.append(line.name)
        table.append(
            {
                "subject": line.name,
                "marks": " ".join(line.marks),
                "average": fmt_number(average, 2),
                "semester_mark": " · ".join(
                    p for p in (line.semester_mark, f"год: {line.year_mark}" if line.year_mark else "") if p
                ),
                "hours": line.hours,
                "missed": line.missed,
                "unexcused": line.unexcused,
                "lates": line.lates,
            }
        )
    totals = {
        "hours": sum(line.hours for line in lines.values()),
        "missed": sum(line.missed for line in lines.values()),
        "unexcused": sum(line.unexcused for line in lines.values()),
        "lates": sum(line.lates for line in lines.values()),
    }
    totals["excused"] = totals["missed"] - totals["unexcused"]
    return {
        "college": college.name,
        "city": college.city,
        "date": long_date(today),
        "salutation": salutation(guardian),
        "guardian": person(guardian.last_name, guardian.first_name, guardian.middle_name) if guardian else "",
        "student": person(student.last_name, student.first_name, student.middle_name),
        "group": group.name,
        "speciality": f"{speciality.code} {speciality.name}" if speciality else "",
        "period": f"с {fmt_date(start)} по {fmt_date(last)}",
        "subjects": table,
        "totals": totals,
        "failing_subjects": failing_subjects,
        "curator": person(curator.last_name, curator.first_name, curator.middle_name) if curator else "",
    }


def guardian_letter_pdf(
    student_id: int,
    start: date,
    end: date,
    *,
    guardian_id: int | None = None,
    curator_name: str | None = None,
    session: Session | None = None,
) -> bytes:
    """«Информационное письмо» to a guardian on one student's marks and attendance for [start, end]."""
    with db_session(session) as s:
        content = letter_content(student_id, start, end, guardian_id=guardian_id, session=s)
    if curator_name is not None:
        content["curator"] = curator_name
    meta = Meta(
        title=f"Информационное письмо — {content['student']}",
        college=content["college"],
        header_left=content["college"],
        header_right=f"Информационное письмо · группа {content['group']}",
        generated_at=now_local(),
        content_hash=data_hash(content),
    )
    return render("guardian_letter.typ", meta, content)
