"""Saving a lesson's journal (topic, work, homework, attendance, marks) and a deputy's correction."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Date, Integer, Select, bindparam, delete, func, insert, or_, update
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.domain import (
    ABSENT_STATUSES,
    ATTENDANCE_LABELS,
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
from app.errors import DomainError, NotFound
from app.models import (
    Attendance,
    CurriculumItem,
    KtpVersion,
    Lesson,
    Mark,
    PlanTopic,
    Student,
    table_of,
)
from app.services.journal.common import (
    FIELD_TITLES,
    LessonEntry,
    MarkInput,
    SaveResult,
    _attestation_form,
    _clean,
    _require_conducting,
    attestation_form_of,
    attestation_form_query,
    checking_deadline,
    normalise_mark,
    roster_query,
)
from app.settings import get_settings

# --------------------------------------------------------------------------- save


@dataclass(frozen=True)
class _Keys:
    """A lesson's keys as bind parameters (common.LessonKeys), for a statement built once."""

    study_group_id: Any
    lesson_date: Any
    subject_id: Any
    semester: Any
    subgroup: Any


@cache
def _read(subgrouped: bool) -> Select[Any]:
    """The roster, the lesson's marks, its attendance and the attestation form, in one statement
    (JSON aggregates) of the lesson's keys. Built and keyed once: building it took a sixth of a
    save's CPU. `subgrouped`: the roster is the lesson's subgroup (the rule's second form)."""

    def rows(query: Any) -> Any:
        table = query.subquery()
        return select(func.json_agg(func.json_build_array(*table.c))).scalar_subquery()

    keys = _Keys(
        study_group_id=bindparam("group_id", type_=Integer),
        lesson_date=bindparam("lesson_date", type_=Date),
        subject_id=bindparam("subject_id", type_=Integer),
        semester=bindparam("semester", type_=Integer),
        subgroup=bindparam("subgroup", type_=Integer) if subgrouped else None,
    )
    lesson = bindparam("lesson_id", type_=Integer)
    return select(
        rows(roster_query(keys, select(col(Student.id), Student.last_name, Student.first_name))),
        rows(
            select(Mark.student_id, Mark.work_kind, Mark.corrects_mark_id).where(
                col(Mark.lesson_id) == lesson
            )
        ),
        rows(select(Attendance.student_id, Attendance.status).where(col(Attendance.lesson_id) == lesson)),
        attestation_form_query(keys).limit(1).scalar_subquery(),
    )


class _Lesson:
    """The lesson being saved and what a save reads about it, all in one round trip after the
    lesson is locked (the teachers' saves at the end of a pair come all at once, and a statement
    less is a round trip and SQLAlchemy's work on it less: bench/load.py)."""

    def __init__(self, session: Session, lesson: _Open) -> None:
        self.lesson = lesson
        roster, marks, attendance, form = (
            session.connection()
            .execute(
                _read(bool(lesson.subgroup)),
                {
                    "lesson_id": lesson.id,
                    "group_id": lesson.study_group_id,
                    "lesson_date": lesson.lesson_date,
                    "subject_id": lesson.subject_id,
                    "semester": lesson.semester,
                    "subgroup": lesson.subgroup,
                },
            )
            .one()
        )
        # (student: (last name, first name)) of the lesson's roster
        self.roster: dict[int, tuple[str, str]] = {sid: (last, first) for sid, last, first in roster or []}
        # (student, kind of work, the mark it corrects) of every mark of the lesson
        self.marks: list[tuple[int, str, int | None]] = [tuple(m) for m in marks or []]
        self.attendance = {sid: AttendanceStatus(status) for sid, status in attendance or []}
        self.form = attestation_form_of(form)


def save_lesson(actor: Actor, lesson_id: int, entry: LessonEntry, *, session: Session) -> SaveResult:
    """Save what the teacher entered for one lesson: all of it, or nothing."""
    details: dict[str, Any] = {"lesson_id": lesson_id}
    # Every row goes in as a Core statement (the ORM's bookkeeping was most of a save's CPU):
    # the session holds no object to flush.
    with audit.user_action(
        session, actor, "lesson.save", entity="lesson", entity_id=lesson_id, details=details
    ):
        lesson, now = _lock_lesson_at(session, lesson_id)
        read_lesson = lesson.filled()
        _require_conducting(actor, lesson)
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
        read = _Lesson(session, lesson)
        statuses = _save_attendance(
            session, actor, read, entry, now=now, on_day=on_day, changed=changed, late=late
        )
        added = _add_marks(
            session,
            actor,
            read,
            entry.marks,
            statuses,
            today=today,
            on_day=on_day,
            written_on_day=written_on_day,
        )
        if not changed and not added:
            raise DomainError("Нечего сохранять: вы ничего не изменили.", code="nothing")
        _write_lesson(session, lesson, read_lesson)
        details.update(
            changed=changed,
            late=late,
            marks=[{k: m[k] for k in ("student_id", "value", "work_kind")} for m in added],
        )
        audit.record(session, actor, "lesson.save", entity="lesson", entity_id=lesson_id, details=details)
    return SaveResult(lesson_id, changed, late, len(added))


def _written_work_recorded_on_day(lesson: Lesson | _Open) -> bool:
    if lesson.work_kind is None or WorkKind(lesson.work_kind) not in WRITTEN_WORK_KINDS:
        return False
    stamp = lesson.work_filled_at
    return stamp is not None and stamp.astimezone(get_settings().tz).date() <= lesson.lesson_date


def _save_fields(
    session: Session,
    lesson: _Open,
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


def _plan_topic_of(session: Session, lesson: _Open, plan_topic_id: int) -> PlanTopic:
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


@dataclass(slots=True)
class _Open:
    """The lesson being saved, as read under its lock: what the save's rules read, and the
    columns it fills, written back by one UPDATE built once (_write_lesson). A plain copy, not
    an ORM object: building and flushing one cost a save a fifth of its CPU (bench/load.py)."""

    id: int
    college_id: int
    study_group_id: int
    subgroup: int
    subject_id: int
    semester: int
    teacher_id: int
    substitute_teacher_id: int | None
    lesson_date: date
    topic: str | None
    plan_topic_id: int | None
    work_done: str | None
    work_kind: str | None
    homework: str | None
    topic_filled_at: datetime | None
    work_filled_at: datetime | None
    homework_filled_at: datetime | None
    attendance_filled_at: datetime | None

    def filled(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _FILLED)


_LESSON = table_of(Lesson)
_COLUMNS = [f.name for f in fields(_Open)]
_FILLED = _COLUMNS[_COLUMNS.index("topic") :]  # the columns a save fills (_save_fields, _save_attendance)
_LOCK = (
    _LESSON.select()
    .with_only_columns(*(_LESSON.c[name] for name in _COLUMNS), func.now())
    .where(_LESSON.c.id == bindparam("p_lesson"))
    .with_for_update(of=_LESSON)
)
_WRITE = (
    update(_LESSON)
    .where(_LESSON.c.id == bindparam("p_lesson"))
    .values({name: bindparam(f"p_{name}") for name in _FILLED})
)


def _lock_lesson_at(session: Session, lesson_id: int) -> tuple[_Open, datetime]:
    """The lesson, locked for this save, and the college's now (the transaction's: the same in
    every statement of it), in one round trip."""
    row = session.connection().execute(_LOCK, {"p_lesson": lesson_id}).one_or_none()
    if row is None:
        raise NotFound(f"Занятие №{lesson_id} не найдено.")
    *columns, now = row
    return _Open(*columns), now.astimezone(get_settings().tz)


def _write_lesson(session: Session, lesson: _Open, read: tuple[Any, ...]) -> None:
    """Write the lesson's filled columns back if this save changed any (`read`: as they were)."""
    if lesson.filled() != read:
        values = {f"p_{name}": getattr(lesson, name) for name in _FILLED}
        session.connection().execute(_WRITE, {"p_lesson": lesson.id, **values})


def _save_attendance(
    session: Session,
    actor: Actor,
    read: _Lesson,
    entry: LessonEntry,
    *,
    now: datetime,
    on_day: bool,
    changed: list[str],
    late: list[str],
) -> dict[int, AttendanceStatus]:
    """Apply the attendance of this save; return every student's status after it."""
    lesson = read.lesson
    assert lesson.id is not None
    statuses = dict(read.attendance)
    if entry.attendance is None:
        return statuses
    unknown = [sid for sid in entry.attendance if sid not in read.roster]
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
    marked = {sid for sid, _, _ in read.marks}
    for sid, status in wanted.items():
        if status in ABSENT_STATUSES and sid in marked:
            raise DomainError(
                "Нельзя отметить отсутствие студента, которому на этом занятии уже выставлена отметка."
            )
    # Core statements on the table, not ORM rows: the rows were read with the rest of the lesson
    # (_Lesson), and the ORM's bookkeeping cost a save more CPU than its round trips.
    conn = session.connection()
    gone = [sid for sid in statuses if sid not in wanted]
    if gone:
        conn.execute(_Attendance.remove, {"p_lesson": lesson.id, "p_students": gone})
    changed_status = [
        {"p_lesson": lesson.id, "p_student": sid, "p_status": status.value}
        for sid, status in wanted.items()
        if sid in statuses and statuses[sid] != status
    ]
    if changed_status:
        conn.execute(_Attendance.restatus, changed_status)
    new = [
        {
            "college_id": lesson.college_id,
            "lesson_id": lesson.id,
            "student_id": sid,
            "status": status.value,
            "reason": "",
            "created_by_user_id": actor.user_id,
        }
        for sid, status in wanted.items()
        if sid not in statuses
    ]
    if new:
        conn.execute(_Attendance.add, new)
    lesson.attendance_filled_at = now
    changed.append("attendance")
    if not on_day:
        late.append("attendance")
    return wanted


class _Attendance:
    """The save's attendance statements, built once (a statement built is CPU a save spends)."""

    table = table_of(Attendance)
    of_lesson = table.c.lesson_id == bindparam("p_lesson")
    remove = delete(table).where(of_lesson, table.c.student_id.in_(bindparam("p_students", expanding=True)))
    restatus = (
        update(table)
        .where(of_lesson, table.c.student_id == bindparam("p_student"))
        .values(status=bindparam("p_status"))
    )
    add = insert(table)


_MARK_INSERT = insert(table_of(Mark))


def _add_marks(
    session: Session,
    actor: Actor,
    read: _Lesson,
    marks: list[MarkInput],
    statuses: dict[int, AttendanceStatus],
    *,
    today: date,
    on_day: bool,
    written_on_day: bool = False,
) -> list[dict[str, Any]]:
    """Check the marks of this save and insert them (one statement); return their rows."""
    if not marks:
        return []
    lesson = read.lesson
    assert lesson.id is not None
    roster = read.roster
    credit_allowed = read.form == AttestationForm.credit
    existing = {(sid, kind) for sid, kind, corrects in read.marks if corrects is None}
    seen: set[tuple[int, str]] = set()
    added: list[dict[str, Any]] = []
    for item in marks:
        names = roster.get(item.student_id)
        if names is None:
            raise DomainError("Отметка выставляется только студентам группы этого занятия.")
        who = full_name(*names)
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
        added.append(
            {
                "college_id": lesson.college_id,
                "lesson_id": lesson.id,
                "student_id": item.student_id,
                "value": value,
                "work_kind": kind.value,
                "comment": (item.comment or "").strip()[:300],
                "created_by_user_id": actor.user_id,
            }
        )
    if added:
        session.connection().execute(_MARK_INSERT, added)
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
