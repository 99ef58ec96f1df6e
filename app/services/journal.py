"""The teacher's journal: filling a lesson under the regulation's rules (§4.2.1).

Every public function takes the acting user and a `session`, and is one transaction: it commits what
it accepts or rolls everything back, and audits both outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, text
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.calendar import EVERY_WEEK, is_teaching_day, program_semester, week_parity
from app.domain import (
    ABSENT_STATUSES,
    ALL_LESSON_MARKS,
    ATTENDANCE_LABELS,
    CREDIT_MARKS,
    WORK_KIND_LABELS,
    WRITTEN_WORK_KINDS,
    AttendanceStatus,
    AttestationForm,
    KtpStatus,
    Role,
    WorkKind,
    fmt_date,
    full_name,
)
from app.errors import AccessDenied, DomainError, NotFound
from app.models import (
    Attendance,
    College,
    CurriculumItem,
    KtpVersion,
    Lesson,
    Mark,
    PlanTopic,
    Student,
    StudyGroup,
    Subject,
    Teacher,
    TimetableChange,
    TimetableSlot,
)
from app.settings import get_settings

MAX_TEXT = 2000
FIELD_TITLES = {"topic": "Тема занятия", "work": "Выполненные задания", "homework": "Домашнее задание"}


@dataclass(frozen=True)
class MarkInput:
    student_id: int
    value: str
    work_kind: WorkKind | None = None  # defaults to the lesson's work kind
    comment: str = ""


@dataclass(frozen=True)
class LessonEntry:
    """What the teacher saves in one go. None means «not touched by this save»."""

    topic: str | None = None
    plan_topic_id: int | None = None
    work_done: str | None = None
    work_kind: WorkKind | None = None
    homework: str | None = None
    # student_id -> status; a student left out (or None) was present. None: attendance not touched.
    attendance: dict[int, AttendanceStatus | None] | None = None
    marks: list[MarkInput] = field(default_factory=list)


@dataclass(frozen=True)
class SaveResult:
    lesson_id: int
    changed: list[str]
    late: list[str]
    marks_added: int


# --------------------------------------------------------------------------- clock


def college_now(*, session: Session) -> datetime:
    """Now by the database server's clock, in the college's time zone."""
    tz = get_settings().timezone
    value = session.execute(text("SELECT now() AT TIME ZONE :tz"), {"tz": tz}).scalar_one()
    assert isinstance(value, datetime)
    return value.replace(tzinfo=get_settings().tz)


def college_today(*, session: Session) -> date:
    return college_now(session=session).date()


def checking_deadline(lesson_date: date) -> date:
    return lesson_date + timedelta(days=get_settings().checking_deadline_days)


# --------------------------------------------------------------------------- helpers


def _lock_lesson(session: Session, lesson_id: int) -> Lesson:
    lesson = session.exec(select(Lesson).where(Lesson.id == lesson_id).with_for_update()).first()
    if lesson is None:
        raise NotFound(f"Занятие №{lesson_id} не найдено.")
    return lesson


def conducting_teacher_id(lesson: Lesson) -> int:
    """The substitute conducts (and fills) the lesson when one is assigned."""
    return lesson.substitute_teacher_id or lesson.teacher_id


def _require_conducting(actor: Actor, lesson: Lesson) -> None:
    if not actor.has(Role.teacher) or actor.teacher_id is None:
        raise AccessDenied("Журнал заполняют только преподаватели.")
    if actor.teacher_id != conducting_teacher_id(lesson):
        if actor.teacher_id == lesson.teacher_id:
            raise AccessDenied(
                f"На занятие {fmt_date(lesson.lesson_date)} назначена замена: журнал заполняет "
                "замещающий преподаватель."
            )
        raise AccessDenied("Это занятие ведёт другой преподаватель: заполнять его журнал вы не можете.")


def lesson_roster(session: Session, lesson: Lesson) -> list[Student]:
    """Students of the lesson's group (or subgroup) enrolled on the lesson date."""
    query = select(Student).where(
        Student.study_group_id == lesson.study_group_id,
        Student.enrolled_on <= lesson.lesson_date,
        (col(Student.left_on).is_(None)) | (col(Student.left_on) > lesson.lesson_date),
    )
    if lesson.subgroup:
        # the subject's subgroup where the student has one, else their own (migration 0020)
        query = query.where(func.student_subgroup(Student.id, lesson.subject_id) == lesson.subgroup)
    return list(session.exec(query.order_by(Student.last_name, Student.first_name, Student.middle_name)))


def subject_subgroups(session: Session, student_ids: list[int], subject_id: int) -> dict[int, int]:
    """Each student's subgroup for the subject: the database's student_subgroup rule (0020)."""
    if not student_ids:
        return {}
    rows = session.execute(
        text("SELECT id, student_subgroup(id, :subject) FROM student WHERE id = ANY(:ids)"),
        {"subject": subject_id, "ids": student_ids},
    )
    return {sid: sub for sid, sub in rows}


def _attestation_form(session: Session, lesson: Lesson) -> AttestationForm:
    form = session.exec(
        select(CurriculumItem.attestation_form).where(
            CurriculumItem.study_group_id == lesson.study_group_id,
            CurriculumItem.subject_id == lesson.subject_id,
            CurriculumItem.semester == lesson.semester,
        )
    ).first()
    return AttestationForm(form) if form else AttestationForm.other


def _clean(value: str | None, title: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise DomainError(f"Поле «{title}» длиннее {MAX_TEXT} символов: сократите текст.")
    return value or None


# --------------------------------------------------------------------------- validation


def normalise_mark(raw: str, *, credit_allowed: bool, who: str = "студента") -> str:
    """The mark as stored, or a refusal: 5, 4, 3, 2, and «зач»/«незач» only where the semester ends in a credit."""
    value = raw.strip().lower()
    if value not in ALL_LESSON_MARKS:
        raise DomainError(
            f"Отметка «{raw}» для {who} недопустима: ставятся 5, 4, 3, 2 (или «зач»/«незач» по дисциплине с зачётом)."
        )
    if value in CREDIT_MARKS and not credit_allowed:
        raise DomainError(
            f"Отметка «{value}» для {who} недопустима: по этой дисциплине в семестре нет зачёта, ставятся 5, 4, 3, 2."
        )
    return value


# --------------------------------------------------------------------------- save


def save_lesson(actor: Actor, lesson_id: int, entry: LessonEntry, *, session: Session) -> SaveResult:
    """Save what the teacher entered for one lesson: all of it, or nothing."""
    details: dict[str, Any] = {"lesson_id": lesson_id}
    with audit.user_action(
        session, actor, "lesson.save", entity="lesson", entity_id=lesson_id, details=details
    ):
        lesson = _lock_lesson(session, lesson_id)
        _require_conducting(actor, lesson)
        now = college_now(session=session)
        today = now.date()
        if lesson.lesson_date > today:
            raise DomainError(
                f"Занятие {fmt_date(lesson.lesson_date)} ещё не наступило: журнал заполняется в день занятия."
            )
        on_day = lesson.lesson_date == today
        # Judged before this save touches the lesson: late marks need written work recorded on the day.
        written_on_day = _written_work_recorded_on_day(lesson)
        changed: list[str] = []
        late: list[str] = []

        _save_fields(session, lesson, entry, now=now, on_day=on_day, changed=changed, late=late)
        statuses = _save_attendance(
            session, actor, lesson, entry, now=now, on_day=on_day, changed=changed, late=late
        )
        added = _add_marks(
            session,
            actor,
            lesson,
            entry.marks,
            statuses,
            today=today,
            on_day=on_day,
            written_on_day=written_on_day,
        )
        if not changed and not added:
            raise DomainError("Нечего сохранять: вы ничего не изменили.", code="nothing")
        session.add(lesson)
        details.update(
            changed=changed,
            late=late,
            marks=[{"student_id": m.student_id, "value": m.value, "work_kind": m.work_kind} for m in added],
        )
        audit.record(session, actor, "lesson.save", entity="lesson", entity_id=lesson_id, details=details)
    return SaveResult(lesson_id, changed, late, len(added))


def _written_work_recorded_on_day(lesson: Lesson) -> bool:
    if lesson.work_kind is None or WorkKind(lesson.work_kind) not in WRITTEN_WORK_KINDS:
        return False
    stamp = lesson.work_filled_at
    return stamp is not None and stamp.astimezone(get_settings().tz).date() <= lesson.lesson_date


def _save_fields(
    session: Session,
    lesson: Lesson,
    entry: LessonEntry,
    *,
    now: datetime,
    on_day: bool,
    changed: list[str],
    late: list[str],
) -> None:
    topic = _clean(entry.topic, FIELD_TITLES["topic"])
    if entry.plan_topic_id is not None:
        plan = _plan_topic_of(session, lesson, entry.plan_topic_id)
        topic = topic or plan.title
    work_done = _clean(entry.work_done, FIELD_TITLES["work"])
    homework = _clean(entry.homework, FIELD_TITLES["homework"])
    work_kind = entry.work_kind.value if entry.work_kind else None
    if work_done is not None and work_kind is None and lesson.work_kind is None:
        raise DomainError("Укажите тип выполненных заданий (например, «Практическая работа»).")

    parts: list[tuple[str, dict[str, Any], str]] = [
        ("topic", {"topic": topic, "plan_topic_id": entry.plan_topic_id}, "topic_filled_at"),
        ("work", {"work_done": work_done, "work_kind": work_kind}, "work_filled_at"),
        ("homework", {"homework": homework}, "homework_filled_at"),
    ]
    for name, values, stamp in parts:
        new = {k: v for k, v in values.items() if v is not None}
        if not new or all(getattr(lesson, k) == v for k, v in new.items()):
            continue
        filled = getattr(lesson, stamp) is not None
        if not on_day and filled:
            raise DomainError(
                f"«{FIELD_TITLES[name]}» занятия {fmt_date(lesson.lesson_date)} уже заполнено; после дня "
                "занятия изменения запрещены (§4.2.1 Положения). Пустые поля заполнить можно."
            )
        for k, v in new.items():
            setattr(lesson, k, v)
        setattr(lesson, stamp, now)
        changed.append(name)
        if not on_day:
            late.append(name)


def _plan_topic_of(session: Session, lesson: Lesson, plan_topic_id: int) -> PlanTopic:
    # A topic of the approved КТП (app.services.ktp); the one the lesson already records stays valid.
    plan = session.exec(
        select(PlanTopic)
        .join(CurriculumItem, col(CurriculumItem.id) == PlanTopic.curriculum_item_id)
        .join(KtpVersion, col(KtpVersion.id) == PlanTopic.ktp_version_id)
        .where(
            PlanTopic.id == plan_topic_id,
            CurriculumItem.study_group_id == lesson.study_group_id,
            CurriculumItem.subject_id == lesson.subject_id,
            or_(
                col(KtpVersion.status) == KtpStatus.approved.value, col(PlanTopic.id) == lesson.plan_topic_id
            ),
        )
    ).first()
    if plan is None:
        raise DomainError("Выбранная тема не из КТП этой группы и дисциплины: выберите тему из списка.")
    return plan


def _save_attendance(
    session: Session,
    actor: Actor,
    lesson: Lesson,
    entry: LessonEntry,
    *,
    now: datetime,
    on_day: bool,
    changed: list[str],
    late: list[str],
) -> dict[int, AttendanceStatus]:
    """Apply the attendance of this save; return every student's status after it."""
    assert lesson.id is not None
    existing = {
        a.student_id: a for a in session.exec(select(Attendance).where(Attendance.lesson_id == lesson.id))
    }
    statuses = {sid: AttendanceStatus(a.status) for sid, a in existing.items()}
    if entry.attendance is None:
        return statuses
    roster = {s.id for s in lesson_roster(session, lesson)}
    unknown = [sid for sid in entry.attendance if sid not in roster]
    if unknown:
        raise DomainError("В отметке посещаемости есть студенты не из этой группы: обновите страницу.")
    wanted = {sid: AttendanceStatus(s) for sid, s in entry.attendance.items() if s is not None}
    if wanted == statuses and lesson.attendance_filled_at is not None:
        return statuses
    if not on_day and lesson.attendance_filled_at is not None:
        raise DomainError(
            f"Посещаемость занятия {fmt_date(lesson.lesson_date)} уже отмечена; после дня занятия её "
            "меняет только куратор, отмечая уважительную причину."
        )
    marked = {m for m in session.exec(select(Mark.student_id).where(Mark.lesson_id == lesson.id))}
    for sid, status in wanted.items():
        if status in ABSENT_STATUSES and sid in marked:
            raise DomainError(
                "Нельзя отметить отсутствие студента, которому на этом занятии уже выставлена отметка."
            )
        row = existing.get(sid)
        if row is None:
            session.add(
                Attendance(
                    college_id=lesson.college_id,
                    lesson_id=lesson.id,
                    student_id=sid,
                    status=status.value,
                    created_by_user_id=actor.user_id,
                )
            )
        elif row.status != status.value:
            row.status = status.value
            session.add(row)
    for sid, row in existing.items():
        if sid not in wanted:
            session.delete(row)
    lesson.attendance_filled_at = now
    changed.append("attendance")
    if not on_day:
        late.append("attendance")
    return wanted


def _add_marks(
    session: Session,
    actor: Actor,
    lesson: Lesson,
    marks: list[MarkInput],
    statuses: dict[int, AttendanceStatus],
    *,
    today: date,
    on_day: bool,
    written_on_day: bool = False,
) -> list[Mark]:
    if not marks:
        return []
    assert lesson.id is not None
    roster = {s.id: s for s in lesson_roster(session, lesson)}
    credit_allowed = _attestation_form(session, lesson) == AttestationForm.credit
    existing = set(
        session.exec(
            select(Mark.student_id, Mark.work_kind).where(
                Mark.lesson_id == lesson.id, col(Mark.corrects_mark_id).is_(None)
            )
        )
    )
    seen: set[tuple[int, str]] = set()
    added: list[Mark] = []
    for item in marks:
        student = roster.get(item.student_id)
        if student is None:
            raise DomainError("Отметка выставляется только студентам группы этого занятия.")
        who = full_name(student.last_name, student.first_name)
        value = normalise_mark(item.value, credit_allowed=credit_allowed, who=who)
        kind = item.work_kind or (WorkKind(lesson.work_kind) if lesson.work_kind else None)
        if kind is None:
            raise DomainError("Укажите вид работы, за которую выставлена отметка.")
        if not on_day:
            deadline = checking_deadline(lesson.lesson_date)
            if kind not in WRITTEN_WORK_KINDS:
                raise DomainError(
                    f"Отметка для {who} за «{WORK_KIND_LABELS[kind]}» {fmt_date(lesson.lesson_date)} не "
                    "принята: выставление отметок «задним числом» запрещено (§4.2.1). После дня занятия "
                    "выставляются только отметки за письменные работы в срок проверки."
                )
            if today > deadline:
                raise DomainError(
                    f"Срок проверки письменной работы от {fmt_date(lesson.lesson_date)} истёк "
                    f"{fmt_date(deadline)}: отметка для {who} не принята."
                )
            if not written_on_day or kind.value != lesson.work_kind:
                raise DomainError(
                    f"Отметка для {who} не принята: после дня занятия выставляются только отметки за письменную "
                    "работу, записанную в журнале в день занятия (выставление «задним числом» запрещено, §4.2.1)."
                )
        status = statuses.get(item.student_id)
        if status in ABSENT_STATUSES:
            raise DomainError(
                f"{who} отмечен(а) на занятии как «{ATTENDANCE_LABELS[status]}»: отметка отсутствующему "
                "не выставляется."
            )
        key = (item.student_id, kind.value)
        if key in existing:
            raise DomainError(
                f"Отметка для {who} за «{WORK_KIND_LABELS[kind]}» уже выставлена и не может быть изменена. "
                "Ошибочную отметку исправляет заместитель директора по УР по заявке."
            )
        if key in seen:
            raise DomainError(f"Для {who} дважды указана отметка за «{WORK_KIND_LABELS[kind]}».")
        seen.add(key)
        comment = (item.comment or "").strip()[:300]
        mark = Mark(
            college_id=lesson.college_id,
            lesson_id=lesson.id,
            student_id=item.student_id,
            value=value,
            work_kind=kind.value,
            comment=comment,
            created_by_user_id=actor.user_id,
        )
        session.add(mark)
        added.append(mark)
    session.flush()
    return added


# --------------------------------------------------------------------------- correction


def correct_mark(actor: Actor, mark_id: int, new_value: str, reason: str, *, session: Session) -> int:
    """Record a correction beside the original (deputy director only). Returns the new row's id."""
    details: dict[str, Any] = {"mark_id": mark_id, "value": new_value, "reason": reason}
    with audit.user_action(session, actor, "mark.correct", entity="mark", entity_id=mark_id, details=details):
        new_id = record_correction(session, actor, mark_id, new_value, reason, details=details)
    return new_id


def check_mark_value(session: Session, lesson: Lesson, raw: str) -> str:
    """The normalised lesson mark for this lesson's subject and semester, or a refusal."""
    return normalise_mark(raw, credit_allowed=_attestation_form(session, lesson) == AttestationForm.credit)


def record_correction(
    session: Session,
    actor: Actor,
    mark_id: int,
    new_value: str,
    reason: str,
    *,
    details: dict[str, Any] | None = None,
) -> int:
    """correct_mark's checks and rows inside the caller's transaction (an approved request joins it)."""
    details = {} if details is None else details
    actor.require(Role.deputy, message="Исправлять отметки может только заместитель директора по УР.")
    reason = reason.strip()
    if len(reason) < 5:
        raise DomainError("Укажите причину исправления (не короче 5 символов).")
    mark = session.get(Mark, mark_id)
    if mark is None or mark.college_id != actor.college_id:
        raise NotFound(f"Отметка №{mark_id} не найдена.")
    if session.exec(select(Mark.id).where(Mark.corrects_mark_id == mark_id)).first() is not None:
        raise DomainError("Эта отметка уже исправлена: исправляется последняя запись.")
    lesson = session.get(Lesson, mark.lesson_id)
    assert lesson is not None
    value = check_mark_value(session, lesson, new_value)
    if value == mark.value:
        raise DomainError("Новая отметка совпадает с прежней: исправлять нечего.")
    correction = Mark(
        college_id=mark.college_id,
        lesson_id=mark.lesson_id,
        student_id=mark.student_id,
        value=value,
        work_kind=mark.work_kind,
        comment=mark.comment,
        created_by_user_id=actor.user_id,
        corrects_mark_id=mark_id,
        correction_reason=reason,
    )
    session.add(correction)
    session.flush()
    assert correction.id is not None
    details["new_mark_id"] = correction.id
    details["old_value"] = mark.value
    audit.record(session, actor, "mark.correct", entity="mark", entity_id=mark_id, details=details)
    return correction.id


# --------------------------------------------------------------------------- timetable -> lessons


def runs_on(college_id: int, day: date) -> tuple[Any, ...]:
    """The conditions for a college's timetable slots held on `day`: its weekday, within the slot's
    validity, and in its weeks (every week, or the day's числитель/знаменатель). One home: the
    lessons, the changes, the substitutions and the day's timetable all ask this."""
    return (
        TimetableSlot.college_id == college_id,
        TimetableSlot.weekday == day.isoweekday(),
        col(TimetableSlot.valid_from) <= day,
        col(TimetableSlot.valid_to) >= day,
        col(TimetableSlot.week_parity).in_((EVERY_WEEK, week_parity(day))),
    )


def materialize_lessons(college_id: int, day: date, *, session: Session) -> int:
    """Create the day's lessons from the timetable and the day's changes (idempotent). Returns how
    many were created. Sundays, public holidays and the college's holidays have none
    (app.calendar.is_teaching_day); a
    cancelled or moved-away pair has none that day, a pair moved here or an extra lesson has one."""
    if not is_teaching_day(college_id, day, session=session):
        return 0
    groups = {g.id: g for g in session.exec(select(StudyGroup).where(StudyGroup.college_id == college_id))}
    changes = session.exec(
        select(TimetableChange).where(
            TimetableChange.college_id == college_id,
            or_(col(TimetableChange.lesson_date) == day, col(TimetableChange.new_date) == day),
        )
    ).all()
    away = {
        c.timetable_slot_id: c for c in changes if c.lesson_date == day and c.timetable_slot_id is not None
    }
    slots = session.exec(select(TimetableSlot).where(*runs_on(college_id, day))).all()
    planned: list[dict[str, Any]] = []

    def lesson(group_id: int, subgroup: int, subject_id: int, teacher_id: int, slot_id: int | None,
               pair: int, room: str) -> None:  # fmt: skip
        planned.append(
            {
                "college": college_id,
                "grp": group_id,
                "sub": subgroup,
                "subject": subject_id,
                "semester": program_semester(groups[group_id].admission_year, day),
                "teacher": teacher_id,
                "slot": slot_id,
                "day": day,
                "pair": pair,
                "room": room,
            }
        )

    for slot in slots:
        assert slot.id is not None
        change = away.get(slot.id)
        if change is not None and change.kind in ("cancel", "move"):
            continue
        room = change.room if change is not None and change.kind == "room" and change.room else slot.room
        lesson(
            slot.study_group_id,
            slot.subgroup,
            slot.subject_id,
            slot.teacher_id,
            slot.id,
            slot.pair_number,
            room,
        )
    for change in changes:
        if change.kind == "move" and change.new_date == day and change.timetable_slot_id is not None:
            moved = session.get(TimetableSlot, change.timetable_slot_id)
            assert moved is not None and change.new_pair is not None
            lesson(moved.study_group_id, moved.subgroup, moved.subject_id, moved.teacher_id, moved.id,
                   change.new_pair, change.room or moved.room)  # fmt: skip
        elif change.kind == "extra" and change.lesson_date == day:
            assert change.study_group_id and change.subject_id and change.teacher_id and change.new_pair
            lesson(change.study_group_id, change.subgroup or 0, change.subject_id, change.teacher_id, None,
                   change.new_pair, change.room or "")  # fmt: skip
    created = 0
    for params in planned:
        result = session.execute(
            text(
                """
                INSERT INTO lesson (college_id, study_group_id, subgroup, subject_id, semester, teacher_id,
                                    timetable_slot_id, lesson_date, pair_number, hours, room)
                VALUES (:college, :grp, :sub, :subject, :semester, :teacher, :slot, :day, :pair, 2, :room)
                ON CONFLICT (study_group_id, lesson_date, pair_number, subgroup) DO NOTHING
                """
            ),
            params,
        )
        created += result.rowcount or 0  # type: ignore[attr-defined]
    session.commit()
    return created


CATCH_UP_DAYS = 14  # how far back a server that was down fills the days it missed


def materialize_due(*, session: Session) -> int:
    """Every college's lessons from its last created timetable day (or CATCH_UP_DAYS back) up to
    today: `ejournal serve`'s loop runs it, so a day has its lessons whether or not anybody opened
    the app, and the analysis sees them. Idempotent; returns how many lessons it created."""
    today = college_today(session=session)
    created = 0
    for college_id in list(session.exec(select(College.id))):
        assert college_id is not None
        last = session.exec(
            select(func.max(Lesson.lesson_date)).where(
                Lesson.college_id == college_id, col(Lesson.timetable_slot_id).is_not(None)
            )
        ).one()
        day = max(last or today, today - timedelta(days=CATCH_UP_DAYS))
        day = min(day, today)
        while day <= today:
            created += materialize_lessons(college_id, day, session=session)
            day += timedelta(days=1)
    return created


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LessonRow:
    id: int
    lesson_date: date
    pair_number: int
    group_name: str
    subgroup: int
    subject_name: str
    teacher_name: str
    is_substitution: bool
    topic: str | None
    homework: str | None
    work_kind: str | None
    attendance_taken: bool
    marks: int


def teacher_lessons(actor: Actor, day: date, *, session: Session) -> list[LessonRow]:
    """The lessons the actor conducts on `day`: their own, and those they substitute."""
    if actor.teacher_id is None:
        return []
    rows = session.execute(
        text(
            """
            SELECT l.id, l.lesson_date, l.pair_number, g.name AS group_name, l.subgroup,
                   s.name AS subject_name,
                   t.last_name || ' ' || t.first_name || ' ' || t.middle_name AS teacher_name,
                   l.substitute_teacher_id IS NOT NULL AS is_substitution,
                   l.topic, l.homework, l.work_kind, l.attendance_filled_at IS NOT NULL AS attendance_taken,
                   (SELECT count(*) FROM mark m WHERE m.lesson_id = l.id AND m.corrects_mark_id IS NULL) AS marks
            FROM lesson l
            JOIN study_group g ON g.id = l.study_group_id
            JOIN subject s ON s.id = l.subject_id
            JOIN teacher t ON t.id = l.teacher_id
            WHERE l.lesson_date = :day
              AND COALESCE(l.substitute_teacher_id, l.teacher_id) = :teacher
            ORDER BY l.pair_number, g.name
            """
        ),
        {"day": day, "teacher": actor.teacher_id},
    ).mappings()
    return [LessonRow(**dict(r)) for r in rows]


@dataclass(frozen=True)
class SheetStudent:
    id: int
    name: str
    status: AttendanceStatus | None
    marks: list[dict[str, Any]]


@dataclass(frozen=True)
class LessonSheet:
    lesson: Lesson
    group_name: str
    subject_name: str
    teacher_name: str
    substitute_name: str | None
    today: date
    on_day: bool
    marks_open: bool  # marks may still be added (on the day, or written work within the deadline)
    deadline: date
    credit_allowed: bool
    students: list[SheetStudent]
    plan_topics: list[PlanTopic]
    late: dict[str, bool]
    can_edit: bool


def lesson_sheet(actor: Actor, lesson_id: int, *, session: Session) -> LessonSheet:
    """Everything the lesson screen shows. Readable by the teachers of the lesson and the administration."""
    lesson = session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(f"Занятие №{lesson_id} не найдено.")
    conducting = actor.teacher_id is not None and actor.teacher_id == conducting_teacher_id(lesson)
    own = actor.teacher_id is not None and actor.teacher_id == lesson.teacher_id
    admin = actor.has(Role.deputy, Role.director, Role.officer) and actor.college_id == lesson.college_id
    if not (conducting or own or admin) or not actor.has(
        Role.teacher, Role.deputy, Role.director, Role.officer
    ):
        raise AccessDenied("Это занятие ведёт другой преподаватель: его журнал вам недоступен.")
    today = college_today(session=session)
    group = session.get(StudyGroup, lesson.study_group_id)
    subject = session.get(Subject, lesson.subject_id)
    teacher = session.get(Teacher, lesson.teacher_id)
    substitute = session.get(Teacher, lesson.substitute_teacher_id) if lesson.substitute_teacher_id else None
    assert group and subject and teacher
    roster = lesson_roster(session, lesson)
    statuses = {
        a.student_id: AttendanceStatus(a.status)
        for a in session.exec(select(Attendance).where(Attendance.lesson_id == lesson_id))
    }
    marks: dict[int, list[dict[str, Any]]] = {}
    for row in session.execute(
        text(
            "SELECT student_id, value, original_value, corrected, work_kind, comment, correction_reason "
            "FROM mark_current_of(ARRAY[:id]) ORDER BY original_id"  # the lesson's marks only (0023)
        ),
        {"id": lesson_id},
    ).mappings():
        marks.setdefault(row["student_id"], []).append(dict(row))
    plan = list(
        session.exec(
            select(PlanTopic)
            .join(CurriculumItem, col(CurriculumItem.id) == PlanTopic.curriculum_item_id)
            .join(KtpVersion, col(KtpVersion.id) == PlanTopic.ktp_version_id)
            .where(
                CurriculumItem.study_group_id == lesson.study_group_id,
                CurriculumItem.subject_id == lesson.subject_id,
                CurriculumItem.semester == lesson.semester,
                KtpVersion.status == KtpStatus.approved.value,  # the КТП in force (app.services.ktp)
            )
            .order_by(col(PlanTopic.position))
        )
    )
    deadline = checking_deadline(lesson.lesson_date)
    on_day = lesson.lesson_date == today
    tz = get_settings().tz

    def is_late(stamp: datetime | None) -> bool:
        return stamp is not None and stamp.astimezone(tz).date() > lesson.lesson_date

    return LessonSheet(
        lesson=lesson,
        group_name=group.name + (f" (подгруппа {lesson.subgroup})" if lesson.subgroup else ""),
        subject_name=subject.name,
        teacher_name=full_name(teacher.last_name, teacher.first_name, teacher.middle_name),
        substitute_name=full_name(substitute.last_name, substitute.first_name, substitute.middle_name)
        if substitute
        else None,
        today=today,
        on_day=on_day,
        marks_open=on_day
        or (lesson.lesson_date < today <= deadline and _written_work_recorded_on_day(lesson)),
        deadline=deadline,
        credit_allowed=_attestation_form(session, lesson) == AttestationForm.credit,
        students=[
            SheetStudent(
                s.id or 0,
                full_name(s.last_name, s.first_name, s.middle_name),
                statuses.get(s.id or 0),
                marks.get(s.id or 0, []),
            )
            for s in roster
        ],
        plan_topics=plan,
        late={
            "topic": is_late(lesson.topic_filled_at),
            "work": is_late(lesson.work_filled_at),
            "homework": is_late(lesson.homework_filled_at),
            "attendance": is_late(lesson.attendance_filled_at),
        },
        can_edit=conducting and actor.has(Role.teacher) and lesson.lesson_date <= today,
    )
