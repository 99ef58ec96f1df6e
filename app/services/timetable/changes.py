"""Changes for one date: cancel, move or re-room a pair of a slot, add an extra lesson; the day's pairs
with their changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import EVERY_WEEK, is_teaching_day, week_parity
from app.domain import WEEKDAY_NAMES, fmt_date, short_name
from app.errors import DomainError, NotFound
from app.models import Lesson, StudyGroup, Subject, Teacher, TimetableChange, TimetableSlot, table_of
from app.services.journal import college_today, materialize_lessons, runs_on
from app.services.timetable.common import _college_refs, _may_change, _pair, _reason, _take_back

KIND_LABELS = {
    "cancel": "отменено",
    "move": "перенесено",
    "room": "другая аудитория",
    "extra": "дополнительное",
}


@dataclass(frozen=True)
class DaySlot:
    slot_id: int
    pair: int
    group_name: str
    subgroup: int
    subject_name: str
    teacher_name: str
    room: str
    change: str  # Russian, empty when the pair runs as planned

    @property
    def label(self) -> str:
        part = f" (подгр. {self.subgroup})" if self.subgroup else ""
        return f"{self.pair} пара · {self.group_name}{part} · {self.subject_name} · {self.teacher_name}"


def _coming(session: Session, day: date, what: str, college_id: int) -> None:
    if day < college_today(session=session):
        raise DomainError(
            f"{what} {fmt_date(day)} прошло: изменить расписание можно на сегодня и будущие дни."
        )
    if not is_teaching_day(college_id, day, session=session):
        raise DomainError(
            f"{fmt_date(day)} — выходной, праздничный или нерабочий день (каникулы): занятий в этот день нет."
        )


def _slot(session: Session, actor: Actor, slot_id: int, day: date) -> TimetableSlot:
    slot = session.get(TimetableSlot, slot_id)
    if slot is None or slot.college_id != actor.college_id:
        raise NotFound("Пара расписания не найдена.")
    if (
        slot.weekday != day.isoweekday()
        or not (slot.valid_from <= day <= slot.valid_to)
        or (slot.week_parity not in (EVERY_WEEK, week_parity(day)))
    ):
        raise DomainError(
            f"Этой пары нет в расписании на {fmt_date(day)} ({WEEKDAY_NAMES[day.weekday()].lower()})."
        )
    return slot


def change_slot(
    actor: Actor,
    slot_id: int,
    day: date,
    kind: str,
    *,
    session: Session,
    reason: str,
    new_date: date | None = None,
    new_pair: int | None = None,
    room: str | None = None,
) -> None:
    """Cancel, move or re-room one date's pair of a timetable slot."""
    details: dict[str, object] = {"slot_id": slot_id, "day": day.isoformat(), "kind": kind}
    with audit.user_action(
        session, actor, "timetable.change", entity="timetable_slot", entity_id=slot_id, details=details
    ):
        _may_change(actor)
        why = _reason(reason)
        if kind not in ("cancel", "move", "room"):
            raise DomainError("Неизвестный вид изменения: отмена, перенос или другая аудитория.")
        _coming(session, day, "Занятие", actor.college_id)
        slot = _slot(session, actor, slot_id, day)
        if session.exec(
            select(TimetableChange.id).where(
                TimetableChange.timetable_slot_id == slot_id, TimetableChange.lesson_date == day
            )
        ).first():
            raise DomainError(f"Для этой пары на {fmt_date(day)} изменение уже внесено.")
        room = (room or "").strip()[:40] or None
        if kind == "room" and not room:
            raise DomainError("Укажите аудиторию.")
        if kind == "move":
            if new_date is None or new_pair is None:
                raise DomainError("Укажите день и пару, на которые переносится занятие.")
            _coming(session, new_date, "День переноса", actor.college_id)
            _pair(new_pair)
            if (new_date, new_pair) == (day, slot.pair_number):
                raise DomainError("Занятие переносится на тот же день и ту же пару: выберите другие.")
            taken = session.exec(
                select(Lesson.id).where(
                    Lesson.study_group_id == slot.study_group_id,
                    Lesson.lesson_date == new_date,
                    Lesson.pair_number == new_pair,
                )
            ).first()
            if taken is not None:
                raise DomainError(f"У группы уже есть занятие {fmt_date(new_date)} на {new_pair} паре.")
        if kind in ("cancel", "move"):
            _take_back(session, slot, day)
        elif kind == "room":
            session.execute(
                table_of(Lesson)
                .update()
                .where(col(Lesson.timetable_slot_id) == slot.id, col(Lesson.lesson_date) == day)
                .values(room=room)
            )
        session.add(
            TimetableChange(
                college_id=actor.college_id,
                kind=kind,
                timetable_slot_id=slot_id,
                lesson_date=day,
                new_date=new_date if kind == "move" else None,
                new_pair=new_pair if kind == "move" else None,
                room=room,
                reason=why,
                created_by_user_id=actor.user_id,
            )
        )
        audit.record(
            session,
            actor,
            "timetable.change",
            entity="timetable_slot",
            entity_id=slot_id,
            details={
                **details,
                "reason": why,
                "new_date": new_date.isoformat() if new_date else None,
                "new_pair": new_pair,
                "room": room,
            },
        )
    for affected in {day, *([new_date] if kind == "move" and new_date else [])}:
        if affected <= college_today(session=session):
            materialize_lessons(actor.college_id, affected, session=session)


def add_extra(
    actor: Actor,
    group_id: int,
    subject_id: int,
    teacher_id: int,
    day: date,
    pair: int,
    *,
    session: Session,
    reason: str,
    subgroup: int = 0,
    room: str = "",
) -> None:
    """An extra lesson (a consultation, a make-up pair) outside the permanent timetable."""
    details: dict[str, object] = {
        "group_id": group_id,
        "subject_id": subject_id,
        "day": day.isoformat(),
        "pair": pair,
    }
    with audit.user_action(
        session, actor, "timetable.extra", entity="study_group", entity_id=group_id, details=details
    ):
        _may_change(actor)
        why = _reason(reason)
        _coming(session, day, "День", actor.college_id)
        _pair(pair)
        group, _subject, _teacher = _college_refs(session, actor, group_id, subject_id, teacher_id)
        if subgroup not in (0, 1, 2):
            raise DomainError("Подгруппа — 1, 2 или вся группа.")
        taken = session.exec(
            select(Lesson.id).where(
                Lesson.study_group_id == group_id, Lesson.lesson_date == day, Lesson.pair_number == pair
            )
        ).first()
        slot_taken = session.exec(
            select(TimetableSlot.id).where(
                *runs_on(actor.college_id, day),
                TimetableSlot.study_group_id == group_id,
                TimetableSlot.pair_number == pair,
            )
        ).first()
        if taken is not None or slot_taken is not None:
            raise DomainError(f"У группы {group.name} уже есть занятие {fmt_date(day)} на {pair} паре.")
        session.add(
            TimetableChange(
                college_id=actor.college_id,
                kind="extra",
                lesson_date=day,
                new_pair=pair,
                room=room.strip()[:40] or None,
                study_group_id=group_id,
                subgroup=subgroup,
                subject_id=subject_id,
                teacher_id=teacher_id,
                reason=why,
                created_by_user_id=actor.user_id,
            )
        )
        audit.record(
            session,
            actor,
            "timetable.extra",
            entity="study_group",
            entity_id=group_id,
            details={**details, "reason": why},
        )
    if day <= college_today(session=session):
        materialize_lessons(actor.college_id, day, session=session)


def day_slots(actor: Actor, day: date, *, session: Session) -> list[DaySlot]:
    """The day's pairs by the permanent timetable, each with its change of that day, if any."""
    _may_change(actor)
    slots = session.exec(
        select(TimetableSlot, StudyGroup, Subject, Teacher)
        .join(StudyGroup, col(StudyGroup.id) == TimetableSlot.study_group_id)
        .join(Subject, col(Subject.id) == TimetableSlot.subject_id)
        .join(Teacher, col(Teacher.id) == TimetableSlot.teacher_id)
        .where(*runs_on(actor.college_id, day))
        .order_by(col(StudyGroup.name), col(TimetableSlot.pair_number), col(TimetableSlot.subgroup))
    ).all()
    changes = {
        c.timetable_slot_id: c
        for c in session.exec(
            select(TimetableChange).where(
                TimetableChange.college_id == actor.college_id, TimetableChange.lesson_date == day
            )
        )
    }
    out = []
    for slot, group, subject, teacher in slots:
        assert slot.id is not None
        c = changes.get(slot.id)
        text = ""
        if c is not None:
            text = KIND_LABELS[c.kind]
            if c.kind == "move" and c.new_date and c.new_pair:
                text += f" на {fmt_date(c.new_date)}, {c.new_pair} пара"
            if c.room:
                text += f", ауд. {c.room}"
            text += f" — {c.reason}"
        out.append(
            DaySlot(
                slot.id,
                slot.pair_number,
                group.name,
                slot.subgroup,
                subject.name,
                short_name(teacher.last_name, teacher.first_name, teacher.middle_name),
                slot.room,
                text,
            )
        )
    return out
