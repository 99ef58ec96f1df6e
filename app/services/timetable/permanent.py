"""The permanent timetable: a group's slots in force, adding a slot from a day on, ending one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import EVERY_WEEK, PARITY_LABELS
from app.domain import WEEKDAY_NAMES, fmt_date, short_name
from app.errors import DomainError, NotFound
from app.models import Lesson, StudyGroup, Subject, Teacher, TimetableSlot
from app.services.journal import college_today, materialize_lessons
from app.services.timetable.common import _college_refs, _may_change, _pair, _reason, _take_back


@dataclass(frozen=True)
class PermanentSlot:
    slot_id: int
    weekday: int
    pair: int
    subgroup: int
    week_parity: int
    subject_name: str
    teacher_name: str
    room: str
    valid_from: date
    valid_to: date


def group_slots(
    actor: Actor, group_id: int, *, session: Session, on: date | None = None
) -> list[PermanentSlot]:
    """A group's permanent timetable in force on `on` (today) or later, by day and pair."""
    _may_change(actor)
    group = session.get(StudyGroup, group_id)
    if group is None or group.college_id != actor.college_id:
        raise NotFound("Группа не найдена.")
    day = on or college_today(session=session)
    rows = session.exec(
        select(TimetableSlot, Subject, Teacher)
        .join(Subject, col(Subject.id) == TimetableSlot.subject_id)
        .join(Teacher, col(Teacher.id) == TimetableSlot.teacher_id)
        .where(TimetableSlot.study_group_id == group_id, TimetableSlot.valid_to >= day)
        .order_by(
            col(TimetableSlot.weekday),
            col(TimetableSlot.pair_number),
            col(TimetableSlot.subgroup),
            col(TimetableSlot.valid_from),
        )
    ).all()
    return [
        PermanentSlot(
            slot.id or 0,
            slot.weekday,
            slot.pair_number,
            slot.subgroup,
            slot.week_parity,
            subject.name,
            short_name(teacher.last_name, teacher.first_name, teacher.middle_name),
            slot.room,
            slot.valid_from,
            slot.valid_to,
        )
        for slot, subject, teacher in rows
    ]


def _overlapping(
    session: Session, actor: Actor, weekday: int, pair: int, starts: date, ends: date, parity: int
) -> list[TimetableSlot]:
    """Slots of the college on the same day and pair whose dates and weeks meet these."""
    rows = session.exec(
        select(TimetableSlot).where(
            TimetableSlot.college_id == actor.college_id,
            TimetableSlot.weekday == weekday,
            TimetableSlot.pair_number == pair,
            TimetableSlot.valid_from <= ends,
            TimetableSlot.valid_to >= starts,
        )
    ).all()
    return [s for s in rows if EVERY_WEEK in (s.week_parity, parity) or s.week_parity == parity]


def add_slot(
    actor: Actor,
    group_id: int,
    subject_id: int,
    teacher_id: int,
    weekday: int,
    pair: int,
    starts: date,
    ends: date,
    *,
    session: Session,
    subgroup: int = 0,
    week_parity: int = EVERY_WEEK,
    room: str = "",
) -> int:
    """A permanent slot of the timetable from `starts` to `ends`; refused where the group (or the
    subgroup) or the teacher already has a pair then."""
    details: dict[str, object] = {
        "group_id": group_id,
        "subject_id": subject_id,
        "teacher_id": teacher_id,
        "weekday": weekday,
        "pair": pair,
        "subgroup": subgroup,
        "week_parity": week_parity,
        "from": starts.isoformat(),
        "to": ends.isoformat(),
    }
    with audit.user_action(
        session, actor, "timetable.slot_add", entity="study_group", entity_id=group_id, details=details
    ):
        _may_change(actor)
        group, _subject, teacher = _college_refs(session, actor, group_id, subject_id, teacher_id)
        if weekday not in range(1, 7):
            raise DomainError("День недели — с понедельника по субботу.")
        _pair(pair)
        if subgroup not in (0, 1, 2):
            raise DomainError("Подгруппа — 1, 2 или вся группа.")
        if week_parity not in PARITY_LABELS:
            raise DomainError("Неделя — каждая, числитель или знаменатель.")
        if ends < starts:
            raise DomainError("«Действует по» раньше «Действует с»: проверьте даты.")
        if starts < college_today(session=session):
            raise DomainError(
                "Постоянное расписание меняется с сегодняшнего дня или позже: прошлое — история."
            )
        when = f"{WEEKDAY_NAMES[weekday - 1].lower()}, {pair} пара"
        for other in _overlapping(session, actor, weekday, pair, starts, ends, week_parity):
            # the whole group meets any subgroup; subgroups 1 and 2 study side by side
            if other.study_group_id == group_id and (
                0 in (other.subgroup, subgroup) or other.subgroup == subgroup
            ):
                raise DomainError(
                    f"У группы {group.name} уже есть пара в это время ({when}, с {fmt_date(other.valid_from)} "
                    f"по {fmt_date(other.valid_to)}): сначала завершите её."
                )
            if other.teacher_id == teacher_id:
                raise DomainError(
                    f"{short_name(teacher.last_name, teacher.first_name, teacher.middle_name)} в это время "
                    f"({when}) уже ведёт занятие у другой группы или подгруппы."
                )
        slot = TimetableSlot(
            college_id=actor.college_id,
            study_group_id=group_id,
            subgroup=subgroup,
            weekday=weekday,
            pair_number=pair,
            subject_id=subject_id,
            teacher_id=teacher_id,
            room=room.strip()[:40],
            valid_from=starts,
            valid_to=ends,
            week_parity=week_parity,
        )
        session.add(slot)
        session.flush()
        assert slot.id is not None
        audit.record(
            session, actor, "timetable.slot_add", entity="study_group", entity_id=group_id,
            details={**details, "slot_id": slot.id},
        )  # fmt: skip
    if starts <= college_today(session=session):
        materialize_lessons(actor.college_id, starts, session=session)
    return slot.id


def end_slot(actor: Actor, slot_id: int, last_day: date, *, session: Session, reason: str) -> None:
    """A permanent slot ends after `last_day` (today or later): its lessons held stay history."""
    details: dict[str, object] = {"slot_id": slot_id, "last_day": last_day.isoformat()}
    with audit.user_action(
        session, actor, "timetable.slot_end", entity="timetable_slot", entity_id=slot_id, details=details
    ):
        _may_change(actor)
        why = _reason(reason)
        slot = session.get(TimetableSlot, slot_id)
        if slot is None or slot.college_id != actor.college_id:
            raise NotFound("Пара расписания не найдена.")
        today = college_today(session=session)
        if last_day < today - timedelta(days=1):
            raise DomainError("Завершить пару можно вчерашним днём или позже: прошлые занятия — история.")
        if last_day >= slot.valid_to:
            raise DomainError(f"Пара и так действует только по {fmt_date(slot.valid_to)}.")
        if last_day < slot.valid_from:
            raise DomainError(
                f"Пара начинает действовать {fmt_date(slot.valid_from)}: завершить её раньше начала нельзя."
            )
        for lesson in session.exec(
            select(Lesson).where(Lesson.timetable_slot_id == slot_id, Lesson.lesson_date > last_day)
        ):
            _take_back(session, slot, lesson.lesson_date)
        slot.valid_to = last_day
        session.add(slot)
        audit.record(
            session, actor, "timetable.slot_end", entity="timetable_slot", entity_id=slot_id,
            details={**details, "reason": why},
        )  # fmt: skip
