"""What the deputy director does: close a half, name a sheet's exam commission."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import Half, session_window
from app.domain import Role, full_name
from app.errors import DomainError, NotFound
from app.models import AttestationClose, AttestationCommission, Teacher
from app.services.attestation.common import _closed, _item
from app.services.journal import college_today


def close_half(actor: Actor, half: Half, *, session: Session, retakes_until: date | None = None) -> None:
    """The deputy director closes a half of the year: its sheets take no more first marks, and its
    debts may be retaken until `retakes_until` (no deadline when None)."""
    details = {
        "year": half.year,
        "half": half.half,
        "retakes_until": retakes_until.isoformat() if retakes_until else None,
    }
    with audit.user_action(session, actor, "attestation.close", entity="attestation_close", details=details):
        actor.require(Role.deputy, message="Семестр закрывает заместитель директора.")
        if _closed(session, actor.college_id, half):
            raise DomainError("Этот семестр уже закрыт.")
        if retakes_until is not None and retakes_until < college_today(session=session):
            raise DomainError(
                "Срок пересдач не может быть в прошлом: выберите сегодняшний или более поздний день."
            )
        if college_today(session=session) < session_window(actor.college_id, half, session=session)[0]:
            raise DomainError("Семестр закрывают после начала сессии, когда ведомости заполнены.")
        session.add(
            AttestationClose(
                college_id=actor.college_id,
                academic_year=half.year,
                half=half.half,
                closed_by_user_id=actor.user_id,
                retakes_until=retakes_until,
            )
        )
        audit.record(session, actor, "attestation.close", entity="attestation_close", details=details)


def name_commission(actor: Actor, item_id: int, teacher_ids: list[int], *, session: Session) -> None:
    """The deputy director names the sheet's exam commission (replacing the one named before)."""
    details: dict[str, object] = {"curriculum_item_id": item_id, "teachers": sorted(teacher_ids)}
    with audit.user_action(
        session, actor, "attestation.commission", entity="curriculum_item", entity_id=item_id, details=details
    ):
        actor.require(Role.deputy, message="Комиссию назначает заместитель директора.")
        item, _group, _subject = _item(session, actor, item_id)
        teachers = (
            list(session.exec(select(Teacher).where(col(Teacher.id).in_(teacher_ids)))) if teacher_ids else []
        )
        if len(teachers) != len(set(teacher_ids)) or any(t.college_id != actor.college_id for t in teachers):
            raise NotFound("Преподаватель не найден в колледже.")
        if len(teachers) > 7:
            raise DomainError("В комиссии не больше 7 человек.")
        for old in session.exec(
            select(AttestationCommission).where(AttestationCommission.curriculum_item_id == item_id)
        ):
            session.delete(old)
        session.flush()
        for t in teachers:
            assert t.id is not None and item.id is not None
            session.add(
                AttestationCommission(
                    curriculum_item_id=item.id, teacher_id=t.id, college_id=actor.college_id
                )
            )
        audit.record(
            session, actor, "attestation.commission", entity="curriculum_item", entity_id=item_id,
            details={**details, "names": [full_name(t.last_name, t.first_name, t.middle_name) for t in teachers]},
        )  # fmt: skip


def college_teachers(actor: Actor, *, session: Session) -> dict[int, str]:
    """The college's teachers, by ФИО, for naming a commission."""
    actor.require(Role.deputy, message="Комиссию назначает заместитель директора.")
    rows = session.exec(
        select(Teacher)
        .where(Teacher.college_id == actor.college_id)
        .order_by(Teacher.last_name, Teacher.first_name)
    )
    return {t.id: full_name(t.last_name, t.first_name, t.middle_name) for t in rows if t.id is not None}
