"""Mark correction requests: a teacher who entered a wrong mark asks, the deputy director decides.

A saved mark never changes (§4.2.1). An approved request records the correction as a new mark row
beside the original, through the same code as the deputy's own correction (journal.record_correction),
in the approval's transaction. Every request, decision and refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from app import audit
from app.actor import Actor
from app.domain import Role, full_name
from app.errors import AccessDenied, DomainError, NotFound
from app.models import CorrectionRequest, Lesson, Mark
from app.services.journal import (
    MAX_TEXT,
    check_mark_value,
    college_now,
    conducting_teacher_id,
    record_correction,
)
from app.settings import get_settings

MIN_REASON = 10
MIN_COMMENT = 5
STATUS_LABELS = {"pending": "на рассмотрении", "approved": "одобрена", "rejected": "отклонена"}


@dataclass(frozen=True)
class CorrectableMark:
    """A mark of a lesson as it stands now, which the actor may ask to correct."""

    mark_id: int  # the current row: the original, or its latest correction
    student_id: int
    student_name: str
    value: str
    original_value: str
    corrected: bool
    work_kind: str
    comment: str
    pending_request_id: int | None


@dataclass(frozen=True)
class RequestRow:
    id: int
    status: str
    created_at: datetime
    lesson_id: int
    lesson_date: date
    pair_number: int
    group_name: str
    subject_name: str
    student_name: str
    work_kind: str
    old_value: str
    new_value: str
    reason: str
    requested_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str


def _require_deputy(actor: Actor) -> None:
    actor.require(
        Role.deputy, message="Заявки на исправление отметок рассматривает заместитель директора по УР."
    )


def _may_request(actor: Actor, lesson: Lesson, original_author: int) -> bool:
    """The teacher who gave the mark, or the teacher who conducted the lesson."""
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        return False
    return original_author == actor.user_id or actor.teacher_id == conducting_teacher_id(lesson)


# --------------------------------------------------------------------------- the teacher


def correctable_marks(actor: Actor, lesson_id: int, *, session: Session) -> list[CorrectableMark]:
    """The lesson's marks the actor may file a correction request on (empty for anyone else)."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None or lesson.college_id != actor.college_id:
        return []
    rows = session.execute(
        text(
            """
            SELECT mc.current_id, mc.student_id, st.last_name, st.first_name, st.middle_name, mc.value,
                   mc.original_value, mc.corrected, mc.work_kind, mc.comment, mc.created_by_user_id,
                   (SELECT r.id FROM correction_request r
                    WHERE r.mark_id = mc.current_id AND r.status = 'pending') AS pending_request_id
            FROM mark_current_of(ARRAY[:lesson]) mc JOIN student st ON st.id = mc.student_id
            ORDER BY st.last_name, st.first_name, st.middle_name, mc.original_id
            """
        ),
        {"lesson": lesson_id},
    ).mappings()
    return [
        CorrectableMark(
            mark_id=r["current_id"],
            student_id=r["student_id"],
            student_name=full_name(r["last_name"], r["first_name"], r["middle_name"]),
            value=r["value"],
            original_value=r["original_value"],
            corrected=r["corrected"],
            work_kind=r["work_kind"],
            comment=r["comment"],
            pending_request_id=r["pending_request_id"],
        )
        for r in rows
        if _may_request(actor, lesson, r["created_by_user_id"])
    ]


def request_correction(actor: Actor, mark_id: int, new_value: str, reason: str, *, session: Session) -> int:
    """File a request to correct a mark. Returns the request's id."""
    details: dict[str, Any] = {"mark_id": mark_id, "new_value": new_value, "reason": reason}
    with audit.user_action(
        session,
        actor,
        "correction.request",
        entity="mark",
        entity_id=mark_id,
        details=details,
        integrity_message="По этой отметке уже подана заявка на исправление: дождитесь решения.",
    ):
        if not actor.has(Role.teacher) or actor.teacher_id is None:
            raise AccessDenied("Заявку на исправление отметки подаёт преподаватель.")
        mark = session.get(Mark, mark_id)
        if mark is None or mark.college_id != actor.college_id:
            raise NotFound(f"Отметка №{mark_id} не найдена.")
        lesson = session.get(Lesson, mark.lesson_id)
        assert lesson is not None
        head = (
            session.execute(
                text(
                    "SELECT original_id, created_by_user_id FROM mark_current_of(ARRAY[:lesson]) "
                    "WHERE current_id = :id"
                ),
                {"id": mark_id, "lesson": mark.lesson_id},
            )
            .mappings()
            .first()
        )
        if head is None:
            raise DomainError("Эта отметка уже исправлена: заявка подаётся на текущую отметку.")
        if not _may_request(actor, lesson, head["created_by_user_id"]):
            raise AccessDenied(
                "Заявку на исправление подаёт преподаватель, выставивший отметку или проводивший занятие."
            )
        value = check_mark_value(session, lesson, new_value)
        if value == mark.value:
            raise DomainError("Новая отметка совпадает с выставленной: исправлять нечего.")
        reason = reason.strip()
        if len(reason) < MIN_REASON:
            raise DomainError(
                f"Опишите причину исправления (не короче {MIN_REASON} символов): что было ошибкой."
            )
        if len(reason) > MAX_TEXT:
            raise DomainError(f"Причина длиннее {MAX_TEXT} символов: сократите текст.")
        pending = session.exec(
            select(CorrectionRequest.id).where(
                CorrectionRequest.mark_id == mark_id, CorrectionRequest.status == "pending"
            )
        ).first()
        if pending is not None:
            raise DomainError(
                f"По этой отметке уже есть заявка №{pending} на рассмотрении: дождитесь решения."
            )
        request = CorrectionRequest(
            college_id=mark.college_id,
            mark_id=mark_id,
            requested_by_user_id=actor.user_id,
            new_value=value,
            reason=reason,
        )
        session.add(request)
        session.flush()
        assert request.id is not None
        request_id = request.id
        details.update(
            request_id=request_id,
            new_value=value,
            reason=reason,
            old_value=mark.value,
            original_mark_id=head["original_id"],
            lesson_id=mark.lesson_id,
            student_id=mark.student_id,
        )
        audit.record(session, actor, "correction.request", entity="mark", entity_id=mark_id, details=details)
    return request_id


def my_requests(actor: Actor, *, lesson_id: int | None = None, session: Session) -> list[RequestRow]:
    """The actor's own requests, newest first (optionally those on one lesson)."""
    where = "r.college_id = :college AND r.requested_by_user_id = :user"
    params: dict[str, Any] = {"college": actor.college_id, "user": actor.user_id}
    if lesson_id is not None:
        where += " AND m.lesson_id = :lesson"
        params["lesson"] = lesson_id
    return _rows(session, where, params)


# --------------------------------------------------------------------------- the deputy director


def list_pending(actor: Actor, *, session: Session) -> list[RequestRow]:
    """Requests waiting for a decision, oldest first."""
    _require_deputy(actor)
    rows = _rows(session, "r.college_id = :college AND r.status = 'pending'", {"college": actor.college_id})
    return sorted(rows, key=lambda r: r.id)


def history(
    actor: Actor,
    *,
    statuses: tuple[str, ...] | None = None,
    start: date | None = None,
    end: date | None = None,
    session: Session,
) -> list[RequestRow]:
    """Requests filed within [start, end] (by the date they were filed), newest first."""
    _require_deputy(actor)
    where = "r.college_id = :college"
    params: dict[str, Any] = {"college": actor.college_id}
    if statuses is not None:
        where += " AND r.status = ANY(:statuses)"
        params["statuses"] = list(statuses)
    # Days as the college counts them, whatever the server's zone.
    if start is not None:
        where += " AND (r.created_at AT TIME ZONE :tz)::date >= :start"
        params.update(start=start, tz=get_settings().timezone)
    if end is not None:
        where += " AND (r.created_at AT TIME ZONE :tz)::date <= :end"
        params.update(end=end, tz=get_settings().timezone)
    return _rows(session, where, params)


def _lock_request(session: Session, actor: Actor, request_id: int) -> CorrectionRequest:
    request = session.exec(
        select(CorrectionRequest).where(CorrectionRequest.id == request_id).with_for_update()
    ).first()
    if request is None or request.college_id != actor.college_id:
        raise NotFound(f"Заявка №{request_id} не найдена.")
    if request.status != "pending":
        raise DomainError(f"Заявка №{request_id} уже рассмотрена: {STATUS_LABELS[request.status]}.")
    return request


def approve(actor: Actor, request_id: int, comment: str = "", *, session: Session) -> int:
    """Record the requested correction and close the request, in one transaction. Returns the new mark's id."""
    details: dict[str, Any] = {"request_id": request_id, "comment": comment}
    with audit.user_action(
        session,
        actor,
        "correction.approve",
        entity="correction_request",
        entity_id=request_id,
        details=details,
    ):
        _require_deputy(actor)
        request = _lock_request(session, actor, request_id)
        new_mark_id = record_correction(
            session,
            actor,
            request.mark_id,
            request.new_value,
            request.reason,
            details={"mark_id": request.mark_id, "value": request.new_value, "request_id": request_id},
        )
        decided_at = college_now(session=session)  # read before touching the row: a query autoflushes
        request.status = "approved"
        request.decided_by_user_id = actor.user_id
        request.decided_at = decided_at
        request.decision_comment = comment.strip()[:MAX_TEXT]
        request.correction_mark_id = new_mark_id
        session.add(request)
        details.update(mark_id=request.mark_id, new_mark_id=new_mark_id, new_value=request.new_value)
        audit.record(
            session,
            actor,
            "correction.approve",
            entity="correction_request",
            entity_id=request_id,
            details=details,
        )
    return new_mark_id


def reject(actor: Actor, request_id: int, comment: str, *, session: Session) -> None:
    """Close the request without touching the mark; the teacher sees why."""
    details: dict[str, Any] = {"request_id": request_id, "comment": comment}
    with audit.user_action(
        session,
        actor,
        "correction.reject",
        entity="correction_request",
        entity_id=request_id,
        details=details,
    ):
        _require_deputy(actor)
        comment = comment.strip()
        if len(comment) < MIN_COMMENT:
            raise DomainError(f"Укажите причину отклонения (не короче {MIN_COMMENT} символов).")
        if len(comment) > MAX_TEXT:
            raise DomainError(f"Комментарий длиннее {MAX_TEXT} символов: сократите текст.")
        request = _lock_request(session, actor, request_id)
        decided_at = college_now(session=session)
        request.status = "rejected"
        request.decided_by_user_id = actor.user_id
        request.decided_at = decided_at
        request.decision_comment = comment
        session.add(request)
        details.update(mark_id=request.mark_id, comment=comment)
        audit.record(
            session,
            actor,
            "correction.reject",
            entity="correction_request",
            entity_id=request_id,
            details=details,
        )


# --------------------------------------------------------------------------- reading


def _rows(session: Session, where: str, params: dict[str, Any]) -> list[RequestRow]:
    # `where` is assembled from constants in this module only; values always go through params.
    rows = session.execute(
        text(
            f"""
            SELECT r.id, r.status, r.created_at, l.id AS lesson_id, l.lesson_date, l.pair_number,
                   g.name AS group_name, s.name AS subject_name,
                   st.last_name, st.first_name, st.middle_name, m.work_kind,
                   m.value AS old_value, r.new_value, r.reason,
                   ua.full_name AS requested_by, ud.full_name AS decided_by, r.decided_at,
                   r.decision_comment
            FROM correction_request r
            JOIN mark m ON m.id = r.mark_id
            JOIN lesson l ON l.id = m.lesson_id
            JOIN study_group g ON g.id = l.study_group_id
            JOIN subject s ON s.id = l.subject_id
            JOIN student st ON st.id = m.student_id
            JOIN user_account ua ON ua.id = r.requested_by_user_id
            LEFT JOIN user_account ud ON ud.id = r.decided_by_user_id
            WHERE {where}
            ORDER BY r.id DESC
            """
        ),
        params,
    ).mappings()
    return [
        RequestRow(
            id=r["id"],
            status=r["status"],
            created_at=r["created_at"],
            lesson_id=r["lesson_id"],
            lesson_date=r["lesson_date"],
            pair_number=r["pair_number"],
            group_name=r["group_name"],
            subject_name=r["subject_name"],
            student_name=full_name(r["last_name"], r["first_name"], r["middle_name"]),
            work_kind=r["work_kind"],
            old_value=r["old_value"],
            new_value=r["new_value"],
            reason=r["reason"],
            requested_by=r["requested_by"],
            decided_by=r["decided_by"],
            decided_at=r["decided_at"],
            decision_comment=r["decision_comment"],
        )
        for r in rows
    ]
