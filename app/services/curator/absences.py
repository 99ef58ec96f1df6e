"""Valid reasons for absences: the curator turns «н» into «ув» with the document it rests on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import (
    AttendanceStatus,
    fmt_date,
)
from app.errors import DomainError
from app.models import (
    Attendance,
    Lesson,
)
from app.services.curator.common import (
    MAX_REASON,
    REASON_KINDS,
    AbsenceRow,
    _student,
)
from app.services.journal import college_today

# --------------------------------------------------------------------------- absences


def absences(
    actor: Actor, student_id: int, start: date, end: date, *, session: Session, only_unexcused: bool = True
) -> list[AbsenceRow]:
    """The student's absences over [start, end], for the curator to record valid reasons."""
    _student(session, actor, student_id)
    statuses = ["absent"] if only_unexcused else ["absent", "excused"]
    rows = session.execute(
        text(
            """
            SELECT a.id, l.lesson_date, l.pair_number, s.name AS subject, l.hours, a.status, a.reason,
                   a.reason_document_date
            FROM attendance a
            JOIN lesson l ON l.id = a.lesson_id
            JOIN subject s ON s.id = l.subject_id
            WHERE a.student_id = :sid AND a.status = ANY(:statuses)
              AND l.lesson_date BETWEEN :start AND :end
            ORDER BY l.lesson_date, l.pair_number
            """
        ),
        {"sid": student_id, "statuses": statuses, "start": start, "end": end},
    ).mappings()
    return [
        AbsenceRow(
            r["id"],
            r["lesson_date"],
            r["pair_number"],
            r["subject"],
            r["hours"],
            AttendanceStatus(r["status"]),
            r["reason"],
            r["reason_document_date"],
        )
        for r in rows
    ]


def excuse_absences(
    actor: Actor,
    student_id: int,
    attendance_ids: list[int],
    reason_kind: str,
    document_date: date,
    note: str = "",
    *,
    session: Session,
) -> int:
    """Record a valid reason for the chosen absences: «н» becomes «ув». Marks are never touched."""
    details: dict[str, Any] = {
        "student_id": student_id,
        "attendance_ids": sorted(set(attendance_ids)),
        "reason_kind": reason_kind,
        "document_date": document_date.isoformat(),
    }
    with audit.user_action(
        session, actor, "attendance.excuse", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        if not attendance_ids:
            raise DomainError("Выберите пропуски, для которых есть уважительная причина.")
        if reason_kind not in REASON_KINDS:
            raise DomainError("Укажите основание: " + ", ".join(REASON_KINDS).lower() + ".")
        today = college_today(session=session)
        if document_date > today:
            raise DomainError("Дата документа не может быть в будущем.")
        note = " ".join(note.split())
        reason = reason_kind + (f": {note}" if note else "")
        if len(reason) > MAX_REASON:
            raise DomainError(f"Основание длиннее {MAX_REASON} символов: сократите примечание.")
        rows = session.exec(
            select(Attendance, col(Lesson.lesson_date))
            .join(Lesson, col(Lesson.id) == Attendance.lesson_id)
            .where(col(Attendance.id).in_(sorted(set(attendance_ids))))
            .with_for_update(of=Attendance)
        ).all()
        if len(rows) != len(set(attendance_ids)) or any(a.student_id != student_id for a, _ in rows):
            raise DomainError("Среди выбранных есть пропуски другого студента: обновите страницу.")
        for a, day in rows:
            if a.status != AttendanceStatus.absent.value:
                raise DomainError(f"Пропуск {fmt_date(day)} уже не «н»: обновите страницу.")
            if day > today:
                raise DomainError(f"Занятие {fmt_date(day)} ещё не наступило.")
        for a, day in sorted(rows, key=lambda r: (r[1], r[0].id or 0)):
            before = {"status": a.status, "reason": a.reason}
            a.status = AttendanceStatus.excused.value
            a.reason = reason
            a.reason_document_date = document_date
            session.add(a)
            audit.record(
                session,
                actor,
                "attendance.excuse",
                entity="attendance",
                entity_id=a.id,
                details={
                    "student_id": student_id,
                    "lesson_date": day.isoformat(),
                    "before": before,
                    "after": {"status": a.status, "reason": reason},
                    "document_date": document_date.isoformat(),
                },
            )
        count = len(rows)
    return count
