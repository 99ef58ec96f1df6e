"""The timetable as the officer and the deputy director edit it: the permanent slots (added from a
day on, ended from a day on, every week or числитель/знаменатель), and changes for one date: cancel
a pair, move it to another day or pair, put it in another room, add an extra lesson.

A change is one row (timetable_change); the day's lessons follow from the permanent slots and the
changes (app.services.journal.materialize_lessons), so the refresh loop never brings back a
cancelled pair. A change applies to today or a coming day only (the past is history), and not to a
lesson whose journal is already being filled. A cancelled lesson leaves the journal and raises no
remark; a moved lesson's day is its new day, for the lesson-day rule too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import EVERY_WEEK, PARITY_LABELS, is_teaching_day, week_parity
from app.domain import PAIR_TIMES, WEEKDAY_NAMES, Role, fmt_date, short_name
from app.errors import DomainError, NotFound
from app.models import Lesson, StudyGroup, Subject, Teacher, TimetableChange, TimetableSlot
from app.services.journal import college_today, materialize_lessons, runs_on
from app.services.substitutions import lesson_is_filled

MAX_REASON = 300
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


def _may_change(actor: Actor) -> None:
    actor.require(
        Role.deputy,
        Role.officer,
        message="Расписание изменяют заместитель директора по УР и ответственный за электронный журнал.",
    )


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Укажите причину изменения (например, «приказ № 14», «болезнь преподавателя»).")
    if len(reason) > MAX_REASON or not reason.isprintable():
        raise DomainError(f"Причина: не длиннее {MAX_REASON} символов, без управляющих символов.")
    return reason


def _coming(session: Session, day: date, what: str, college_id: int) -> None:
    if day < college_today(session=session):
        raise DomainError(
            f"{what} {fmt_date(day)} прошло: изменить расписание можно на сегодня и будущие дни."
        )
    if not is_teaching_day(college_id, day, session=session):
        raise DomainError(
            f"{fmt_date(day)} — выходной, праздничный или нерабочий день (каникулы): занятий в этот день нет."
        )


def _pair(pair: int) -> None:
    if pair not in PAIR_TIMES:
        raise DomainError(f"Пары № {pair} нет в расписании звонков: выберите от 1 до {max(PAIR_TIMES)}.")


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


def _college_refs(
    session: Session, actor: Actor, group_id: int, subject_id: int, teacher_id: int
) -> tuple[StudyGroup, Subject, Teacher]:
    """The group, subject and teacher of a pair, all of the actor's college."""
    group = session.get(StudyGroup, group_id)
    subject = session.get(Subject, subject_id)
    teacher = session.get(Teacher, teacher_id)
    if not (group and subject and teacher) or {
        group.college_id,
        subject.college_id,
        teacher.college_id,
    } != {actor.college_id}:
        raise NotFound("Группа, дисциплина или преподаватель не найдены в колледже.")
    return group, subject, teacher


def _take_back(session: Session, slot: TimetableSlot, day: date) -> None:
    """The slot's lesson of `day`, if it was made already, goes: unless its journal is being filled."""
    lesson = session.exec(
        select(Lesson).where(Lesson.timetable_slot_id == slot.id, Lesson.lesson_date == day).with_for_update()
    ).first()
    if lesson is None:
        return
    if lesson_is_filled(session, lesson):
        raise DomainError(
            f"Журнал занятия {fmt_date(day)} ({lesson.pair_number} пара) уже заполняется: отменить или "
            "перенести его нельзя."
        )
    session.execute(delete(Lesson).where(col(Lesson.id) == lesson.id))


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
                Lesson.__table__.update()  # type: ignore[attr-defined]
                .where(Lesson.timetable_slot_id == slot.id, Lesson.lesson_date == day)
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


@dataclass(frozen=True)
class Choices:
    groups: dict[int, str]
    subjects: dict[int, str]
    teachers: dict[int, str]


def choices(actor: Actor, *, session: Session) -> Choices:
    """The college's groups, subjects and teachers, for an extra lesson."""
    _may_change(actor)
    cid = actor.college_id
    groups = session.exec(
        select(StudyGroup).where(StudyGroup.college_id == cid).order_by(col(StudyGroup.name))
    )
    subjects = session.exec(select(Subject).where(Subject.college_id == cid).order_by(col(Subject.name)))
    teachers = session.exec(
        select(Teacher)
        .where(Teacher.college_id == cid)
        .order_by(col(Teacher.last_name), col(Teacher.first_name))
    )
    return Choices(
        {g.id: g.name for g in groups if g.id is not None},
        {s.id: f"{s.code} {s.name}" for s in subjects if s.id is not None},
        {t.id: short_name(t.last_name, t.first_name, t.middle_name) for t in teachers if t.id is not None},
    )


# --------------------------------------------------------------------------- the permanent timetable


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
