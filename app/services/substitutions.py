"""Substitutions (замены): the deputy director or the journal officer gives a colleague's lesson to
another teacher of the college, who then conducts it and fills its journal on the day.

Every change is one transaction, audited with the substitute before and after; refusals are audited too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from app import audit
from app.actor import Actor
from app.calendar import week_parity
from app.domain import Role, fmt_date, short_name
from app.errors import DomainError, NotFound
from app.models import Lesson, Mark, Teacher
from app.services.journal import college_today, materialize_lessons

MAX_REASON = 500


@dataclass(frozen=True)
class TeacherOption:
    id: int
    name: str


@dataclass(frozen=True)
class SubstitutionRow:
    lesson_id: int
    lesson_date: date
    pair_number: int
    group_name: str
    subgroup: int
    subject_name: str
    teacher_id: int
    teacher_name: str
    substitute_teacher_id: int | None
    substitute_name: str | None
    filled: bool  # the journal of the lesson has entries: the substitution no longer changes


def _require_admin(actor: Actor) -> None:
    actor.require(
        Role.deputy,
        Role.officer,
        message="Замены назначают заместитель директора по УР и ответственный за электронный журнал.",
    )


def _teacher_name(teacher: Teacher) -> str:
    return short_name(teacher.last_name, teacher.first_name, teacher.middle_name)


def lesson_is_filled(session: Session, lesson: Lesson) -> bool:
    if any(
        v is not None for v in (lesson.topic, lesson.work_done, lesson.homework, lesson.attendance_filled_at)
    ):
        return True
    return session.exec(select(Mark.id).where(Mark.lesson_id == lesson.id)).first() is not None


def _busy_teachers(session: Session, lesson: Lesson) -> dict[int, str]:
    """Teachers who are taken at the lesson's date and pair -> by what.

    Counts the day's lessons (a substitute conducts instead of the planned teacher, who is away),
    and timetable slots not yet turned into lessons, so a future day is judged before it is
    materialized.
    """
    rows = session.execute(
        text(
            """
            SELECT COALESCE(l.substitute_teacher_id, l.teacher_id) AS teacher_id,
                   g.name AS group_name, l.subgroup, s.name AS subject_name, false AS away
            FROM lesson l
            JOIN study_group g ON g.id = l.study_group_id
            JOIN subject s ON s.id = l.subject_id
            WHERE l.college_id = :college AND l.lesson_date = :day AND l.pair_number = :pair
              AND l.id <> :lesson
            UNION ALL
            -- a teacher whose lesson at this pair went to a substitute is away then
            SELECT l.teacher_id, g.name, l.subgroup, s.name, true
            FROM lesson l
            JOIN study_group g ON g.id = l.study_group_id
            JOIN subject s ON s.id = l.subject_id
            WHERE l.college_id = :college AND l.lesson_date = :day AND l.pair_number = :pair
              AND l.id <> :lesson AND l.substitute_teacher_id IS NOT NULL
            UNION ALL
            SELECT ts.teacher_id, g.name, ts.subgroup, s.name, false
            FROM timetable_slot ts
            JOIN study_group g ON g.id = ts.study_group_id
            JOIN subject s ON s.id = ts.subject_id
            WHERE ts.college_id = :college AND ts.weekday = :weekday AND ts.pair_number = :pair
              AND ts.valid_from <= :day AND ts.valid_to >= :day AND ts.week_parity IN (0, :parity)
              AND NOT EXISTS (
                  SELECT 1 FROM lesson l
                  WHERE l.study_group_id = ts.study_group_id AND l.lesson_date = :day
                    AND l.pair_number = ts.pair_number AND l.subgroup = ts.subgroup)
            """
        ),
        {
            "college": lesson.college_id,
            "day": lesson.lesson_date,
            "pair": lesson.pair_number,
            "lesson": lesson.id,
            "weekday": lesson.lesson_date.isoweekday(),
            "parity": week_parity(lesson.lesson_date),
        },
    ).mappings()
    busy: dict[int, str] = {}
    for r in rows:
        sub = f" (подгр. {r['subgroup']})" if r["subgroup"] else ""
        what = f"{r['group_name']}{sub} · {r['subject_name']}"
        busy.setdefault(
            r["teacher_id"],
            f"отсутствует: занятие {what} передано на замену" if r["away"] else f"ведёт занятие {what}",
        )
    return busy


def _eligible_teachers(session: Session, college_id: int) -> dict[int, str]:
    """Teachers of the college who can log in as teachers (a substitute must fill the journal)."""
    rows = session.execute(
        text(
            """
            SELECT t.id, t.last_name, t.first_name, t.middle_name
            FROM teacher t
            JOIN user_account u ON u.id = t.user_id AND u.is_active
            WHERE t.college_id = :college
              AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role = :role)
            ORDER BY t.last_name, t.first_name, t.middle_name
            """
        ),
        {"college": college_id, "role": Role.teacher.value},
    ).mappings()
    return {r["id"]: short_name(r["last_name"], r["first_name"], r["middle_name"]) for r in rows}


def _lesson_of_college(session: Session, actor: Actor, lesson_id: int, *, lock: bool) -> Lesson:
    query = select(Lesson).where(Lesson.id == lesson_id)
    lesson = session.exec(query.with_for_update() if lock else query).first()
    if lesson is None or lesson.college_id != actor.college_id:
        raise NotFound(f"Занятие №{lesson_id} не найдено.")
    return lesson


def _check_changeable(session: Session, lesson: Lesson, *, past_by: Actor | None = None) -> bool:
    """Whether the lesson is past (then only `past_by`, a deputy director, may give it to someone:
    a forgotten assignment would leave a lesson nobody may fill). Refuses what may not change."""
    today = college_today(session=session)
    past = lesson.lesson_date < today
    if past and (past_by is None or not past_by.has(Role.deputy)):
        raise DomainError(
            f"Занятие {fmt_date(lesson.lesson_date)} прошло: замену на прошедшее занятие назначает только "
            "заместитель директора (с письменной причиной); отменить её нельзя."
        )
    if lesson_is_filled(session, lesson):
        raise DomainError(
            f"Журнал занятия {fmt_date(lesson.lesson_date)} уже заполняется: замену изменить нельзя."
        )
    return past


# --------------------------------------------------------------------------- reading


def teachers_of_day(actor: Actor, day: date, *, session: Session) -> list[TeacherOption]:
    """Teachers with lessons planned on `day` (whom a substitution may be needed for)."""
    _require_admin(actor)
    _materialize(actor, day, session=session)
    rows = session.execute(
        text(
            """
            SELECT DISTINCT t.id, t.last_name, t.first_name, t.middle_name
            FROM lesson l JOIN teacher t ON t.id = l.teacher_id
            WHERE l.college_id = :college AND l.lesson_date = :day
            ORDER BY t.last_name, t.first_name, t.middle_name
            """
        ),
        {"college": actor.college_id, "day": day},
    ).mappings()
    return [
        TeacherOption(r["id"], short_name(r["last_name"], r["first_name"], r["middle_name"])) for r in rows
    ]


def _materialize(actor: Actor, day: date, *, session: Session) -> None:
    # A substitution is planned ahead: the day's timetable must be lessons to be assigned. Past days
    # are history and are never created here.
    if day >= college_today(session=session):
        materialize_lessons(actor.college_id, day, session=session)


def list_lessons_for_substitution(
    actor: Actor,
    day: date,
    *,
    teacher_id: int | None = None,
    substituted_only: bool = False,
    session: Session,
) -> list[SubstitutionRow]:
    """The college's lessons on `day`: of one (absent) teacher, or only those with a substitute."""
    _require_admin(actor)
    _materialize(actor, day, session=session)
    rows = session.execute(
        text(
            """
            SELECT l.id AS lesson_id, l.lesson_date, l.pair_number, g.name AS group_name, l.subgroup,
                   s.name AS subject_name, l.teacher_id,
                   t.last_name AS t_last, t.first_name AS t_first, t.middle_name AS t_middle,
                   l.substitute_teacher_id,
                   st.last_name AS s_last, st.first_name AS s_first, st.middle_name AS s_middle,
                   (l.topic IS NOT NULL OR l.work_done IS NOT NULL OR l.homework IS NOT NULL
                    OR l.attendance_filled_at IS NOT NULL
                    OR EXISTS (SELECT 1 FROM mark m WHERE m.lesson_id = l.id)) AS filled
            FROM lesson l
            JOIN study_group g ON g.id = l.study_group_id
            JOIN subject s ON s.id = l.subject_id
            JOIN teacher t ON t.id = l.teacher_id
            LEFT JOIN teacher st ON st.id = l.substitute_teacher_id
            WHERE l.college_id = :college AND l.lesson_date = :day
              AND (CAST(:teacher AS integer) IS NULL OR l.teacher_id = :teacher)
              AND (NOT :substituted_only OR l.substitute_teacher_id IS NOT NULL)
            ORDER BY l.pair_number, g.name, l.subgroup
            """
        ),
        {
            "college": actor.college_id,
            "day": day,
            "teacher": teacher_id,
            "substituted_only": substituted_only,
        },
    ).mappings()
    return [
        SubstitutionRow(
            lesson_id=r["lesson_id"],
            lesson_date=r["lesson_date"],
            pair_number=r["pair_number"],
            group_name=r["group_name"],
            subgroup=r["subgroup"],
            subject_name=r["subject_name"],
            teacher_id=r["teacher_id"],
            teacher_name=short_name(r["t_last"], r["t_first"], r["t_middle"]),
            substitute_teacher_id=r["substitute_teacher_id"],
            substitute_name=short_name(r["s_last"], r["s_first"], r["s_middle"])
            if r["substitute_teacher_id"]
            else None,
            filled=r["filled"],
        )
        for r in rows
    ]


def free_teachers(actor: Actor, lesson_id: int, *, session: Session) -> list[TeacherOption]:
    """Teachers who could take the lesson: of the college, not its own teacher, free at that pair."""
    _require_admin(actor)
    lesson = _lesson_of_college(session, actor, lesson_id, lock=False)
    busy = _busy_teachers(session, lesson)
    return [
        TeacherOption(tid, name)
        for tid, name in _eligible_teachers(session, lesson.college_id).items()
        if tid not in busy and tid != lesson.teacher_id and tid != lesson.substitute_teacher_id
    ]


# --------------------------------------------------------------------------- changing


def _names(session: Session, *teacher_ids: int | None) -> dict[int, str]:
    names: dict[int, str] = {}
    for tid in teacher_ids:
        if tid is not None:
            teacher = session.get(Teacher, tid)
            if teacher is not None:
                names[tid] = _teacher_name(teacher)
    return names


def assign_substitute(
    actor: Actor, lesson_id: int, teacher_id: int, reason: str, *, session: Session
) -> None:
    """Give the lesson to `teacher_id` (replacing an earlier substitute, if any)."""
    details: dict[str, Any] = {"lesson_id": lesson_id, "teacher_id": teacher_id, "reason": reason}
    with audit.user_action(
        session, actor, "lesson.substitute", entity="lesson", entity_id=lesson_id, details=details
    ):
        _require_admin(actor)
        reason = reason.strip()
        if not reason:
            raise DomainError("Укажите причину замены (например, «больничный лист», «командировка»).")
        if len(reason) > MAX_REASON:
            raise DomainError(f"Причина замены длиннее {MAX_REASON} символов: сократите текст.")
        lesson = _lesson_of_college(session, actor, lesson_id, lock=True)
        past = _check_changeable(session, lesson, past_by=actor)
        # Serializes assignments of one teacher, so two lessons at one pair never both get them.
        candidate = session.exec(select(Teacher).where(Teacher.id == teacher_id).with_for_update()).first()
        if candidate is None or candidate.college_id != actor.college_id:
            raise NotFound(f"Преподаватель №{teacher_id} не найден.")
        who = _teacher_name(candidate)
        if teacher_id == lesson.teacher_id:
            raise DomainError(f"{who} — преподаватель этого занятия: замещает другой преподаватель.")
        if teacher_id == lesson.substitute_teacher_id:
            raise DomainError(f"{who} уже назначен(а) на замену этого занятия.")
        if teacher_id not in _eligible_teachers(session, lesson.college_id):
            raise DomainError(
                f"У {who} нет действующей учётной записи преподавателя: он(а) не сможет заполнить журнал."
            )
        clash = _busy_teachers(session, lesson).get(teacher_id)
        if clash is not None:
            raise DomainError(
                f"{who} в это время ({lesson.pair_number} пара, {fmt_date(lesson.lesson_date)}) {clash}. "
                "Выберите другого преподавателя."
            )
        names = _names(session, lesson.teacher_id, lesson.substitute_teacher_id, teacher_id)
        details.update(
            lesson_date=lesson.lesson_date.isoformat(),
            pair_number=lesson.pair_number,
            teacher=names.get(lesson.teacher_id),
            before={
                "substitute_teacher_id": lesson.substitute_teacher_id,
                "substitute": names.get(lesson.substitute_teacher_id or 0),
            },
            after={"substitute_teacher_id": teacher_id, "substitute": who},
            reason=reason,
            # the substitute fills it after its day: the analysis counts it as filled late
            past=past,
        )
        lesson.substitute_teacher_id = teacher_id
        session.add(lesson)
        audit.record(
            session, actor, "lesson.substitute", entity="lesson", entity_id=lesson_id, details=details
        )


def cancel_substitute(actor: Actor, lesson_id: int, reason: str = "", *, session: Session) -> None:
    """Give the lesson back to its own teacher."""
    details: dict[str, Any] = {"lesson_id": lesson_id, "reason": reason}
    with audit.user_action(
        session, actor, "lesson.substitute_cancel", entity="lesson", entity_id=lesson_id, details=details
    ):
        _require_admin(actor)
        lesson = _lesson_of_college(session, actor, lesson_id, lock=True)
        if lesson.substitute_teacher_id is None:
            raise DomainError(f"На занятие {fmt_date(lesson.lesson_date)} замена не назначена.")
        _check_changeable(session, lesson)
        names = _names(session, lesson.teacher_id, lesson.substitute_teacher_id)
        details.update(
            lesson_date=lesson.lesson_date.isoformat(),
            pair_number=lesson.pair_number,
            teacher=names.get(lesson.teacher_id),
            before={
                "substitute_teacher_id": lesson.substitute_teacher_id,
                "substitute": names.get(lesson.substitute_teacher_id),
            },
            after={"substitute_teacher_id": None, "substitute": None},
            reason=reason.strip()[:MAX_REASON],
        )
        lesson.substitute_teacher_id = None
        session.add(lesson)
        audit.record(
            session,
            actor,
            "lesson.substitute_cancel",
            entity="lesson",
            entity_id=lesson_id,
            details=details,
        )
