"""The diary over a period: per subject the marks, the average, the semester and year marks, hours missed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.calendar import program_semester, semester_bounds
from app.domain import (
    ATTESTATION_LABELS,
    AttestationForm,
)
from app.models import SemesterMark, YearMark
from app.services.diary.common import (
    DiaryPeriod,
    DiaryStudent,
    SubjectSummary,
    _viewed,
)
from app.services.diary.week import (
    _enrolled_span,
    _marks,
)
from app.services.marks import chain_function

# --------------------------------------------------------------------------- period


def period(
    actor: Actor,
    student_id: int,
    start: date | None = None,
    end: date | None = None,
    *,
    session: Session,
) -> DiaryPeriod:
    """Per subject over [start, end]: the marks in order, their average, the semester mark, hours missed.

    Without dates: the student's current semester (1 September – 31 January or 1 February – 31 August).
    """
    if start is not None and end is not None and end < start:
        start, end = end, start
    details: dict[str, Any] = {
        "view": "period",
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
    }
    with audit.user_action(
        session, actor, "diary.view", entity="student", entity_id=student_id, details=details
    ):
        student, now = _viewed(session, actor, student_id, details)
        today = now.date()
        if start is None or end is None:
            start, end = semester_bounds(today)
        span_start, span_end = _enrolled_span(student, start, end)
        held_end = min(span_end, today)
        attendance = (
            _attendance_by_subject(session, student, span_start, held_end) if span_start <= held_end else []
        )
        marks = _marks(session, student.id, span_start, span_end) if span_start <= span_end else []
        semesters = (
            program_semester(student.admission_year, start),
            program_semester(student.admission_year, end),
        )
        semester_marks = _semester_marks(session, student.id, *semesters)
        year_marks = _semester_marks(session, student.id, *semesters, model=YearMark)
    subjects: dict[int, SubjectSummary] = {}
    for r in attendance:
        subjects[r["subject_id"]] = SubjectSummary(
            subject_id=r["subject_id"],
            subject=r["subject_name"],
            lessons_held=r["lessons"],
            hours_held=r["hours_held"],
            hours_excused=r["hours_excused"],
            hours_unexcused=r["hours_unexcused"],
            lates=r["lates"],
        )
    for r in semester_marks:
        summary = subjects.setdefault(r["subject_id"], SubjectSummary(r["subject_id"], r["subject_name"]))
        value = r["value"]
        if r["corrected"]:
            value += f" (исправлено: было {r['original_value']})"
        form = ATTESTATION_LABELS.get(AttestationForm(r["attestation_form"]), "")
        summary.semester_marks.append((r["semester"], form, value))
    for r in year_marks:
        summary = subjects.setdefault(r["subject_id"], SubjectSummary(r["subject_id"], r["subject_name"]))
        value = r["value"] + (f" (исправлено: было {r['original_value']})" if r["corrected"] else "")
        summary.year_marks.append((r["semester"], value))
    names = {sid: s.subject for sid, s in subjects.items()}
    missing = {m.subject_id for _, m in marks} - names.keys()
    if missing:
        # Marks of a lesson after `today` cannot exist; a subject only seen through marks is rare.
        names.update(_subject_names(session, missing))
    for _, mark in marks:
        summary = subjects.setdefault(
            mark.subject_id, SubjectSummary(mark.subject_id, names[mark.subject_id])
        )
        summary.marks.append(mark)
    ordered = tuple(sorted(subjects.values(), key=lambda s: s.subject))
    return DiaryPeriod(student, start, end, now, ordered)


def _attendance_by_subject(session: Session, student: DiaryStudent, start: date, end: date) -> list[Any]:
    return list(
        session.execute(
            text(
                """
                SELECT l.subject_id, s.name AS subject_name, count(*) AS lessons,
                       COALESCE(sum(l.hours), 0) AS hours_held,
                       COALESCE(sum(l.hours) FILTER (WHERE a.status = 'excused'), 0) AS hours_excused,
                       COALESCE(sum(l.hours) FILTER (WHERE a.status = 'absent'), 0) AS hours_unexcused,
                       count(*) FILTER (WHERE a.status = 'late') AS lates
                FROM lesson l
                JOIN subject s ON s.id = l.subject_id
                LEFT JOIN attendance a ON a.lesson_id = l.id AND a.student_id = :sid
                WHERE l.study_group_id = :grp AND l.subgroup IN (0, student_subgroup(:sid, l.subject_id))
                  AND l.lesson_date BETWEEN :start AND :end
                GROUP BY l.subject_id, s.name
                """
            ),
            {"sid": student.id, "grp": student.group_id, "start": start, "end": end},
        ).mappings()
    )


def _semester_marks(
    session: Session,
    student_id: int,
    first: int,
    last: int,
    *,
    model: type[SemesterMark] | type[YearMark] = SemesterMark,
) -> list[Any]:
    """The current attestation (or year) marks of the semesters, with the value each replaced."""
    return list(
        session.execute(
            text(
                f"""
                SELECT ci.subject_id, s.name AS subject_name, ci.semester, ci.attestation_form,
                       h.original_value, h.value, h.current_id <> h.original_id AS corrected
                FROM {chain_function(model)}(NULL, :sid) h
                JOIN curriculum_item ci ON ci.id = h.curriculum_item_id
                JOIN subject s ON s.id = ci.subject_id
                WHERE ci.semester BETWEEN :first AND :last
                ORDER BY ci.semester, s.name
                """
            ),
            {"sid": student_id, "first": first, "last": last},
        ).mappings()
    )


def _subject_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(text("SELECT id, name FROM subject WHERE id = ANY(:ids)"), {"ids": sorted(ids)})
    return {r[0]: r[1] for r in rows}
