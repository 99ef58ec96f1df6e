"""Filling a sheet: its first marks in the session, a retake of a debt."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.domain import fmt_date
from app.errors import DomainError
from app.models import AttestationClose, SemesterMark
from app.services.attestation.common import MAX_TEXT, MODELS, Sheet, SheetKind, _chains, _item, _may_enter
from app.services.attestation.reading import sheet
from app.services.journal import college_today


def _text(value: str, what: str, *, required: bool) -> str:
    value = " ".join(value.split())
    if required and not value:
        raise DomainError(f"Укажите {what}.")
    if len(value) > MAX_TEXT or not value.isprintable():
        raise DomainError(f"{what.capitalize()}: не длиннее {MAX_TEXT} символов, без управляющих символов.")
    return value


def _open_for_entry(sheet_: Sheet, today: date) -> None:
    if sheet_.closed:
        raise DomainError(
            f"Семестр закрыт заместителем директора: ведомость «{sheet_.title}» только для чтения."
        )
    starts, _ends = sheet_.window
    if today < starts:
        raise DomainError(
            f"Ведомость заполняется в период аттестации: с {fmt_date(starts)} "
            f"(сессия {fmt_date(starts)} — {fmt_date(sheet_.window[1])})."
        )


def enter(
    actor: Actor,
    item_id: int,
    values: dict[int, str],
    *,
    session: Session,
    kind: SheetKind = SheetKind.semester,
) -> int:
    """Put the sheet's marks for the students in `values`; how many were added. All or nothing."""
    details = {"curriculum_item_id": item_id, "students": len(values), "sheet": kind.value}
    with audit.user_action(
        session, actor, "attestation.enter", entity="curriculum_item", entity_id=item_id, details=details
    ):
        item, _group, _subject = _item(session, actor, item_id, kind)
        _may_enter(session, actor, item)
        current = sheet(actor, item_id, session=session, kind=kind)
        today = college_today(session=session)
        _open_for_entry(current, today)
        by_student = {r.student_id: r for r in current.rows}
        added = 0
        for student_id, value in values.items():
            row = by_student.get(student_id)
            if row is None:
                raise DomainError("Студента нет в списке группы для этой ведомости.")
            if value not in current.allowed:
                raise DomainError(
                    f"{row.student_name}: «{value}» не подходит для формы «{current.form_label}»: "
                    f"допустимо {', '.join(current.allowed)}."
                )
            if row.value is not None:
                raise DomainError(
                    f"{row.student_name}: отметка «{row.value}» уже в ведомости и не изменяется; "
                    "повторная сдача вносится как пересдача."
                )
            session.add(
                MODELS[kind](
                    college_id=actor.college_id,
                    curriculum_item_id=item_id,
                    student_id=student_id,
                    value=value,
                    created_by_user_id=actor.user_id,
                    kind="original",
                    taken_on=today,
                )
            )
            added += 1
        if not added:
            raise DomainError("Выберите отметку хотя бы одному студенту.")
        audit.record(
            session,
            actor,
            "attestation.enter",
            entity="curriculum_item",
            entity_id=item_id,
            details={**details, "added": added},
        )
    return added


def retake(
    actor: Actor,
    item_id: int,
    student_id: int,
    value: str,
    *,
    session: Session,
    reason: str,
    commission: str,
) -> None:
    """A retake of a debt: a new row replacing the current one, with the day, commission and reason."""
    details = {"curriculum_item_id": item_id, "student_id": student_id, "value": value}
    with audit.user_action(
        session, actor, "attestation.retake", entity="curriculum_item", entity_id=item_id, details=details
    ):
        item, _group, _subject = _item(session, actor, item_id)
        _may_enter(session, actor, item)
        why = _text(reason, "причину пересдачи (например, «приказ № 12 от 05.02.2027»)", required=True)
        who = _text(commission, "состав комиссии", required=True)
        current = sheet(actor, item_id, session=session)
        closed = session.get(AttestationClose, (actor.college_id, current.half.year, current.half.half))
        if (
            closed is not None
            and closed.retakes_until is not None
            and college_today(session=session) > closed.retakes_until
        ):
            raise DomainError(
                f"Срок пересдач по семестру истёк {fmt_date(closed.retakes_until)}: задолженность больше не "
                "закрывается пересдачей."
            )
        row = next((r for r in current.rows if r.student_id == student_id), None)
        if row is None or row.value is None:
            raise DomainError("Пересдача вносится по выставленной отметке: сначала заполните ведомость.")
        if not row.is_debt:
            raise DomainError(
                f"{row.student_name}: отметка «{row.value}» не задолженность, пересдача не нужна."
            )
        if value not in current.allowed or value == "не допущен":
            raise DomainError(f"«{value}» не подходит для пересдачи по форме «{current.form_label}».")
        head = _chains(session, item_id)[student_id][-1]
        session.add(
            SemesterMark(
                college_id=actor.college_id,
                curriculum_item_id=item_id,
                student_id=student_id,
                value=value,
                created_by_user_id=actor.user_id,
                corrects_id=head.id,
                correction_reason=why,
                kind="retake",
                taken_on=college_today(session=session),
                commission=who,
            )
        )
        audit.record(
            session,
            actor,
            "attestation.retake",
            entity="curriculum_item",
            entity_id=item_id,
            details={**details, "was": row.value, "reason": why, "commission": who},
        )
