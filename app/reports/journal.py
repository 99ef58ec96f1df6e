"""The semester journal archive: a paper copy of one group × subject × semester (§4.2.3 of the regulation).

Laid out like the paper journal for duplex printing: a title page, then spreads — the left (even)
page holds the class list with the grid of lesson dates, marks and absences, the facing right (odd)
page the same lessons' dates, hours, topics and homework — then the semester marks with the deputy
director's signature block. Every page carries the first 16 hex characters of the SHA-256 of the
data shown (`archive_content`), so a paper copy can be checked against the database later with
`verify_archive_hash`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, or_, select

from app.domain import (
    ATTENDANCE_LABELS,
    ATTESTATION_LABELS,
    NUMERIC_MARKS,
    SUBJECT_KIND_LABELS,
    WORK_KIND_LABELS,
    AttendanceStatus,
    AttestationForm,
    HoursTally,
    Role,
    SubjectKind,
    WorkKind,
    fmt_date,
    short_name,
)
from app.models import (
    Attendance,
    College,
    CurriculumItem,
    Lesson,
    Mark,
    SemesterMark,
    Speciality,
    Student,
    StudyGroup,
    Subject,
    Teacher,
    UserAccount,
    UserRole,
)
from app.reports.common import (
    Meta,
    ReportError,
    SemesterKey,
    data_hash,
    db_session,
    fmt_number,
    now_local,
    person,
    render,
    semester_title,
)
from app.services.journal import college_today, subject_subgroups
from app.services.marks import MarkChain, mark_chains, sheet_current

DATES_PER_SPREAD = 20
CORRECTED = "*"  # printed after a mark that is a correction's current value


def _sort_key(student: Student) -> tuple[str, str, str, int]:
    # «ё» sorts with «е», as in a Russian class list.
    def norm(s: str) -> str:
        return s.lower().replace("ё", "е")

    return (norm(student.last_name), norm(student.first_name), norm(student.middle_name), student.id or 0)


def _local_date(moment: Any) -> str:
    from app.settings import get_settings

    return fmt_date(moment.astimezone(get_settings().tz).date()) if moment is not None else "—"


def archive_content(group_id: int, subject_id: int, semester: int, *, session: Session) -> dict[str, Any]:
    """Everything the archive shows, as plain JSON-ready data (what the hash covers)."""
    group = session.get(StudyGroup, group_id)
    subject = session.get(Subject, subject_id)
    if group is None or subject is None:
        raise ReportError("Группа или дисциплина не найдена.")
    if subject.college_id != group.college_id:
        raise ReportError("Дисциплина относится к другой образовательной организации.")
    college = session.get(College, group.college_id)
    speciality = session.get(Speciality, group.speciality_id)
    assert college is not None and speciality is not None
    key = SemesterKey.of_group(group.admission_year, semester)
    item = session.exec(
        select(CurriculumItem).where(
            CurriculumItem.study_group_id == group_id,
            CurriculumItem.subject_id == subject_id,
            CurriculumItem.semester == semester,
        )
    ).first()
    today = college_today(session=session)
    lessons = list(
        session.exec(
            select(Lesson)
            .where(
                Lesson.study_group_id == group_id,
                Lesson.subject_id == subject_id,
                Lesson.semester == semester,
                Lesson.lesson_date <= today,  # lessons still to come have nothing to archive
            )
            .order_by(col(Lesson.lesson_date), col(Lesson.pair_number), col(Lesson.subgroup))
        )
    )
    lesson_ids = [lesson.id for lesson in lessons]
    marks = list(session.exec(select(Mark).where(col(Mark.lesson_id).in_(lesson_ids)))) if lesson_ids else []
    attendance = (
        list(session.exec(select(Attendance).where(col(Attendance.lesson_id).in_(lesson_ids))))
        if lesson_ids
        else []
    )
    semester_current = sheet_current(session, SemesterMark, item.id) if item is not None and item.id else {}
    # The class list: students of the group during the semester, plus anyone who has a record in
    # these lessons (a student since transferred elsewhere still appears where they were marked).
    recorded = {m.student_id for m in marks} | {a.student_id for a in attendance} | set(semester_current)
    in_group = (
        (col(Student.study_group_id) == group_id)
        & (col(Student.enrolled_on) <= key.end)
        & (col(Student.left_on).is_(None) | (col(Student.left_on) >= key.start))
    )
    students = sorted(
        session.exec(
            select(Student).where(or_(in_group, col(Student.id).in_(recorded)) if recorded else in_group)
        ),
        key=_sort_key,
    )
    subgroups = subject_subgroups(session, [s.id for s in students if s.id is not None], subject_id)
    teacher_ids = {lesson.teacher_id for lesson in lessons} | {
        lesson.substitute_teacher_id for lesson in lessons if lesson.substitute_teacher_id
    }
    if item is not None and item.teacher_id:
        teacher_ids.add(item.teacher_id)
    if group.curator_teacher_id:
        teacher_ids.add(group.curator_teacher_id)
    teachers = (
        {t.id: t for t in session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))}
        if teacher_ids
        else {}
    )

    chains = mark_chains(session, marks)
    marks_by_cell: dict[tuple[int, int], list[MarkChain]] = defaultdict(list)
    for chain in chains:
        marks_by_cell[(chain.original.lesson_id, chain.original.student_id)].append(chain)
    status_by_cell = {(a.lesson_id, a.student_id): AttendanceStatus(a.status) for a in attendance}

    def expected(student: Student, lesson: Lesson) -> bool:
        if student.study_group_id != group_id:
            return False
        if student.enrolled_on > lesson.lesson_date:
            return False
        if student.left_on is not None and student.left_on <= lesson.lesson_date:
            return False
        return not lesson.subgroup or subgroups.get(student.id or 0) == lesson.subgroup

    grid: list[list[str | None]] = []
    summaries: list[dict[str, Any]] = []
    for student in students:
        assert student.id is not None
        row: list[str | None] = []
        numeric: list[int] = []
        marks_count = 0
        tally = HoursTally()
        for lesson in lessons:
            assert lesson.id is not None
            status = status_by_cell.get((lesson.id, student.id))
            cell_marks = marks_by_cell.get((lesson.id, student.id), [])
            parts = []
            tally.add(status, lesson.hours)
            if status is not None:
                parts.append(ATTENDANCE_LABELS[status])
            if cell_marks:
                parts.append(
                    "/".join(
                        c.current.value + (CORRECTED if c.current is not c.original else "")
                        for c in cell_marks
                    )
                )
            for c in cell_marks:
                marks_count += 1
                if c.current.value in NUMERIC_MARKS:
                    numeric.append(int(c.current.value))
            if parts:
                row.append("\n".join(parts))
            else:
                # None: the student was not on this lesson's list (other subgroup, not yet enrolled, left).
                row.append("" if expected(student, lesson) else None)
        grid.append(row)
        sem = semester_current.get(student.id)
        summaries.append(
            {
                "marks": marks_count,
                "average": fmt_number(sum(numeric) / len(numeric), 2) if numeric else "—",
                "missed_hours": tally.missed,
                "excused_hours": tally.excused,
                "lates": tally.lates,
                "semester_mark": (sem[1].value + (CORRECTED if sem[1] is not sem[0] else "")) if sem else "",
            }
        )

    lesson_rows = []
    slots: set[tuple[date, int]] = set()
    hours_taught = 0
    for seq, lesson in enumerate(lessons, start=1):
        if (lesson.lesson_date, lesson.pair_number) not in slots:
            # Subgroups studying in parallel in one pair: the group's hours count once.
            slots.add((lesson.lesson_date, lesson.pair_number))
            hours_taught += lesson.hours
        conducting = teachers.get(lesson.substitute_teacher_id or lesson.teacher_id)
        work = ""
        if lesson.work_kind:
            work = WORK_KIND_LABELS[WorkKind(lesson.work_kind)]
            if lesson.work_done:
                work += ": " + lesson.work_done.strip()
        elif lesson.work_done:
            work = lesson.work_done.strip()
        lesson_rows.append(
            {
                "n": seq,
                "date": fmt_date(lesson.lesson_date),
                "day": f"{lesson.lesson_date:%d.%m}",
                "pair": lesson.pair_number,
                "hours": lesson.hours,
                "subgroup": lesson.subgroup,
                "topic": (lesson.topic or "").strip(),
                "work": work,
                "homework": (lesson.homework or "").strip(),
                "teacher": short_name(conducting.last_name, conducting.first_name, conducting.middle_name)
                if conducting
                else "",
                "substitution": lesson.substitute_teacher_id is not None,
            }
        )

    lesson_by_id = {lesson.id: lesson for lesson in lessons}
    student_by_id = {s.id: s for s in students}
    corrections = []
    for chain in chains:
        if chain.current is chain.original:
            continue
        lesson = lesson_by_id[chain.original.lesson_id]
        who = student_by_id[chain.original.student_id]
        corrections.append(
            {
                "date": fmt_date(lesson.lesson_date),
                "student": person(who.last_name, who.first_name, who.middle_name),
                "was": chain.original.value,
                "now": chain.current.value,
                "reason": chain.current.correction_reason or "",
                "corrected_on": _local_date(chain.current.created_at),
            }
        )
    for original, current in semester_current.values():
        if current is original:
            continue
        who = student_by_id[original.student_id]
        corrections.append(
            {
                "date": "отметка за семестр",
                "student": person(who.last_name, who.first_name, who.middle_name),
                "was": original.value,
                "now": current.value,
                "reason": current.correction_reason or "",
                "corrected_on": _local_date(current.created_at),
            }
        )

    def teacher_name(teacher_id: int | None) -> str:
        t = teachers.get(teacher_id) if teacher_id else None
        return person(t.last_name, t.first_name, t.middle_name) if t else ""

    main_teacher = item.teacher_id if item is not None and item.teacher_id else None
    lesson_teachers = sorted(
        {teacher_name(lesson.teacher_id) for lesson in lessons} - {teacher_name(main_teacher), ""}
    )
    substitutes = sorted({teacher_name(lesson.substitute_teacher_id) for lesson in lessons} - {""})
    form = AttestationForm(item.attestation_form) if item is not None else AttestationForm.other
    return {
        "college": college.name,
        "group": group.name,
        "speciality": f"{speciality.code} {speciality.name}",
        "subject": f"{subject.code} {subject.name}",
        "subject_kind": SUBJECT_KIND_LABELS[SubjectKind(subject.kind)],
        "semester": semester,
        "semester_title": semester_title(group.admission_year, semester),
        "academic_year": key.academic_year,
        "attestation": ATTESTATION_LABELS[form],
        "planned_hours": item.planned_hours if item is not None else None,
        "hours_taught": hours_taught,
        "teachers": [name for name in [teacher_name(main_teacher), *lesson_teachers] if name],
        "substitutes": substitutes,
        "curator": teacher_name(group.curator_teacher_id),
        "period": f"{lesson_rows[0]['date']} — {lesson_rows[-1]['date']}" if lesson_rows else "—",
        "students": [
            {
                "n": n,
                "name": person(s.last_name, s.first_name, s.middle_name),
                "subgroup": subgroups.get(s.id or 0, s.subgroup),
                "note": _student_note(s, group_id, key),
            }
            for n, s in enumerate(students, start=1)
        ],
        "lessons": lesson_rows,
        "grid": grid,
        "summary": summaries,
        "corrections": corrections,
    }


def _student_note(student: Student, group_id: int, key: SemesterKey) -> str:
    if student.study_group_id != group_id:
        return "переведён(а) в другую группу"
    if student.left_on is not None and student.left_on <= key.end:
        return f"выбыл(а) {fmt_date(student.left_on)}"
    if student.enrolled_on > key.start:
        return f"зачислен(а) {fmt_date(student.enrolled_on)}"
    return ""


def _deputy_name(session: Session, college_id: int) -> str:
    """The college's deputy director for teaching, when there is exactly one account with that role."""
    names = list(
        session.exec(
            select(UserAccount.full_name)
            .join(UserRole, col(UserRole.user_id) == col(UserAccount.id))
            .where(
                UserAccount.college_id == college_id,
                col(UserAccount.is_active).is_(True),
                UserRole.role == Role.deputy.value,
            )
        )
    )
    return names[0] if len(names) == 1 else ""


def archive_hash(content: dict[str, Any]) -> str:
    return data_hash(content)


def build_journal_archive(
    group_id: int,
    subject_id: int,
    semester: int,
    *,
    deputy_name: str | None = None,
    session: Session | None = None,
) -> bytes:
    """The PDF of one group × subject × semester journal for the paper archive."""
    with db_session(session) as s:
        content = archive_content(group_id, subject_id, semester, session=s)
        group = s.get(StudyGroup, group_id)
        assert group is not None
        if deputy_name is None:
            deputy_name = _deputy_name(s, group.college_id)
    return render_archive(content, deputy_name=deputy_name)


def render_archive(content: dict[str, Any], *, deputy_name: str = "") -> bytes:
    meta = Meta(
        title=f"Журнал {content['group']} — {content['subject']} — {content['semester']}-й семестр",
        college=content["college"],
        header_left=f"{content['college']}",
        header_right=f"Группа {content['group']} · {content['subject']} · {content['semester_title']}",
        generated_at=now_local(),
        content_hash=archive_hash(content),
    )
    return render(
        "journal_archive.typ",
        meta,
        content,
        layout={"columns": DATES_PER_SPREAD},
        signature={"deputy": deputy_name},
    )


def verify_archive_hash(
    group_id: int, subject_id: int, semester: int, *, session: Session | None = None
) -> str:
    """Recompute the SHA-256 a paper copy of this journal would carry now.

    Compare its first 16 characters with «Контрольная сумма данных» printed on the copy: equal means
    the database still holds exactly what the paper shows.
    """
    with db_session(session) as s:
        return archive_hash(archive_content(group_id, subject_id, semester, session=s))
