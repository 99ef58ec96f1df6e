"""Substitutions: who may assign them, to whom, when; the substitute then conducts the lesson."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.domain import Role, WorkKind
from app.errors import AccessDenied, DomainError, NotFound
from app.models import AuditEvent, Lesson, Teacher, TimetableSlot, UserAccount, UserRole
from app.services.journal import LessonEntry, MarkInput, save_lesson, teacher_lessons
from app.services.substitutions import (
    assign_substitute,
    cancel_substitute,
    free_teachers,
    list_lessons_for_substitution,
    teachers_of_day,
)
from tests.factories import make_world


def assign(world, who: str, lesson_id: int, teacher_id: int, reason: str = "больничный лист") -> None:
    with Session(world.engine) as s:
        assign_substitute(world.actor(who), lesson_id, teacher_id, reason, session=s)


def cancel(world, who: str, lesson_id: int) -> None:
    with Session(world.engine) as s:
        cancel_substitute(world.actor(who), lesson_id, "вышла на работу", session=s)


def substitute_of(world, lesson_id: int) -> int | None:
    with Session(world.engine) as s:
        lesson = s.get(Lesson, lesson_id)
        assert lesson is not None
        return lesson.substitute_teacher_id


def audits(world, action: str) -> list[AuditEvent]:
    with Session(world.engine) as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.college_id == world.college_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)  # type: ignore[arg-type]
            )
        )


def add_teacher(world, last: str, *, account: bool = True, role: Role = Role.teacher) -> int:
    with Session(world.engine) as s:
        user_id = None
        if account:
            user = UserAccount(
                college_id=world.college_id,
                login=f"{last}-{world.college_id}",
                password_hash="x",
                full_name=f"{last} Анна Сергеевна",
            )
            s.add(user)
            s.flush()
            user_id = user.id
            assert user_id is not None
            s.add(UserRole(user_id=user_id, role=role.value))
        teacher = Teacher(
            college_id=world.college_id,
            last_name=last,
            first_name="Анна",
            middle_name="Сергеевна",
            user_id=user_id,
        )
        s.add(teacher)
        s.commit()
        assert teacher.id is not None
        return teacher.id


# --------------------------------------------------------------------------- accepted


@pytest.mark.parametrize("who", ["deputy", "officer"])
def test_deputy_or_officer_assigns_and_the_substitute_conducts(world, who):
    lid = world.lesson(0)
    assign(world, who, lid, world.other_teacher_id)
    assert substitute_of(world, lid) == world.other_teacher_id
    row = audits(world, "lesson.substitute")[-1]
    assert row.outcome == "accepted" and row.actor_user_id == world.users[who]
    assert row.details["before"] == {"substitute_teacher_id": None, "substitute": None}
    assert row.details["after"] == {
        "substitute_teacher_id": world.other_teacher_id,
        "substitute": "Кузнецов О. П.",
    }
    assert row.details["reason"] == "больничный лист"
    # the substitute lists and fills it with the journal's usual rules; the absent teacher does not
    with Session(world.engine) as s:
        listed = teacher_lessons(world.actor("other_teacher"), world.today, session=s)
        assert [(r.id, r.is_substitution) for r in listed] == [(lid, True)]
        assert teacher_lessons(world.actor("teacher"), world.today, session=s) == []
    with Session(world.engine) as s:
        save_lesson(
            world.actor("other_teacher"),
            lid,
            LessonEntry(
                topic="Процессы", work_kind=WorkKind.oral, marks=[MarkInput(world.student_ids[1], "4")]
            ),
            session=s,
        )
    with Session(world.engine) as s, pytest.raises(AccessDenied, match="замена"):
        save_lesson(world.actor("teacher"), lid, LessonEntry(homework="§2"), session=s)


def test_a_future_lesson_may_be_reassigned_and_cancelled_with_before_and_after(world):
    third = add_teacher(world, "Орлова")
    lid = world.lesson(-3)
    assign(world, "deputy", lid, world.other_teacher_id)
    assign(world, "deputy", lid, third, "командировка")
    assert substitute_of(world, lid) == third
    row = audits(world, "lesson.substitute")[-1]
    assert row.details["before"]["substitute_teacher_id"] == world.other_teacher_id
    assert row.details["after"]["substitute_teacher_id"] == third
    cancel(world, "officer", lid)
    assert substitute_of(world, lid) is None
    row = audits(world, "lesson.substitute_cancel")[-1]
    assert row.outcome == "accepted" and row.details["before"]["substitute_teacher_id"] == third
    assert row.details["after"] == {"substitute_teacher_id": None, "substitute": None}


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize("who", ["teacher", "director", "student", "guardian"])
def test_only_the_deputy_or_the_officer_assigns(world, who):
    lid = world.lesson(0)
    with pytest.raises(AccessDenied, match="Замены назначают"):
        assign(world, who, lid, world.other_teacher_id)
    assert substitute_of(world, lid) is None
    refused = audits(world, "lesson.substitute")[-1]
    assert refused.outcome == "refused" and refused.actor_user_id == world.users[who]


def test_a_past_lesson_is_history(world):
    lid = world.lesson(1)
    with pytest.raises(DomainError, match="прошло"):
        assign(world, "officer", lid, world.other_teacher_id)
    past_with_substitute = world.lesson(2, substitute_teacher_id=world.other_teacher_id)
    with pytest.raises(DomainError, match="прошло"):
        cancel(world, "deputy", past_with_substitute)
    assert substitute_of(world, past_with_substitute) == world.other_teacher_id
    assert audits(world, "lesson.substitute")[-1].outcome == "refused"


def test_the_substitute_must_be_free_at_that_pair(world):
    a = world.lesson(0, pair_number=3, subgroup=1)
    world.lesson(0, pair_number=3, subgroup=2, teacher_id=world.other_teacher_id)
    with pytest.raises(DomainError, match=r"Кузнецов О\. П\. в это время \(3 пара.*ИСП-11 \(подгр\. 2\)"):
        assign(world, "deputy", a, world.other_teacher_id)
    assert substitute_of(world, a) is None
    assert "ИСП-11 (подгр. 2)" in audits(world, "lesson.substitute")[-1].message


def test_a_teacher_substituting_elsewhere_at_that_pair_is_busy(world):
    third = add_teacher(world, "Орлова")
    a = world.lesson(0, pair_number=4, subgroup=1)
    world.lesson(0, pair_number=4, subgroup=2, teacher_id=world.other_teacher_id, substitute_teacher_id=third)
    with pytest.raises(DomainError, match=r"Орлова А\. С\. в это время"):
        assign(world, "deputy", a, third)
    # the planned teacher of that lesson is replaced there: away at that pair, not offered
    with pytest.raises(DomainError, match="передано на замену"):
        assign(world, "deputy", a, world.other_teacher_id)


def test_a_timetable_slot_not_yet_a_lesson_makes_the_teacher_busy(world):
    ahead = (1 - world.today.weekday()) % 7 or 7  # next Tuesday
    day = world.today + timedelta(days=ahead)
    lid = world.lesson(-ahead, pair_number=5, subgroup=1)
    with Session(world.engine) as s:
        s.add(
            TimetableSlot(
                college_id=world.college_id,
                study_group_id=world.group_id,
                subgroup=2,
                weekday=2,
                pair_number=5,
                subject_id=world.subject_id,
                teacher_id=world.other_teacher_id,
                valid_from=day - timedelta(days=30),
                valid_to=day + timedelta(days=30),
            )
        )
        s.commit()
    with pytest.raises(DomainError, match="в это время"):
        assign(world, "deputy", lid, world.other_teacher_id)


def test_a_filled_lesson_keeps_its_teacher(world):
    lid = world.lesson(0, topic="Уже начато")
    with pytest.raises(DomainError, match="уже заполняется"):
        assign(world, "deputy", lid, world.other_teacher_id)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(world, reason):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="причину замены"):
        assign(world, "deputy", lid, world.other_teacher_id, reason)


def test_the_substitute_is_another_teacher_of_the_college_who_can_log_in(world, engine):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="преподаватель этого занятия"):
        assign(world, "deputy", lid, world.teacher_id)
    no_account = add_teacher(world, "Белкина", account=False)
    with pytest.raises(DomainError, match="нет действующей учётной записи"):
        assign(world, "deputy", lid, no_account)
    not_teaching = add_teacher(world, "Зимина", role=Role.officer)  # an account without the teacher role
    with pytest.raises(DomainError, match="нет действующей учётной записи"):
        assign(world, "deputy", lid, not_teaching)
    elsewhere = make_world(engine)
    with pytest.raises(NotFound):
        assign(world, "deputy", lid, elsewhere.other_teacher_id)
    # nor a lesson of another college
    with pytest.raises(NotFound):
        assign(world, "deputy", elsewhere.lesson(0), world.other_teacher_id)
    assign(world, "deputy", lid, world.other_teacher_id)
    with pytest.raises(DomainError, match="уже назначен"):
        assign(world, "deputy", lid, world.other_teacher_id)


def test_cancel_needs_a_substitution(world):
    lid = world.lesson(0)
    with pytest.raises(DomainError, match="не назначена"):
        cancel(world, "deputy", lid)
    with pytest.raises(AccessDenied):
        cancel(world, "teacher", lid)
    assert [a.outcome for a in audits(world, "lesson.substitute_cancel")] == ["refused", "refused"]


# --------------------------------------------------------------------------- reading


def test_free_teachers_and_the_days_lessons(world):
    third = add_teacher(world, "Орлова")
    add_teacher(world, "Белкина", account=False)
    a = world.lesson(0, pair_number=2, subgroup=1)
    b = world.lesson(0, pair_number=2, subgroup=2, teacher_id=world.other_teacher_id)
    deputy = world.actor("deputy")
    with Session(world.engine) as s:
        assert [t.id for t in free_teachers(deputy, a, session=s)] == [third]  # Кузнецов teaches at pair 2
        assert [t.id for t in free_teachers(deputy, b, session=s)] == [third]
    assign(world, "deputy", a, third)
    with Session(world.engine) as s:
        assert free_teachers(deputy, b, session=s) == []
        own = list_lessons_for_substitution(deputy, world.today, teacher_id=world.teacher_id, session=s)
        # on a Monday the factory's own slot adds its 1st pair: only this test's lessons are compared
        made = {a, b}
        assert [(r.lesson_id, r.substitute_name) for r in own if r.lesson_id in made] == [(a, "Орлова А. С.")]
        swapped = list_lessons_for_substitution(deputy, world.today, substituted_only=True, session=s)
        assert [r.lesson_id for r in swapped] == [a]
        names = [t.name for t in teachers_of_day(deputy, world.today, session=s)]
        assert names == ["Кузнецов О. П.", "Соколова Е. В."]
    with Session(world.engine) as s, pytest.raises(AccessDenied):
        list_lessons_for_substitution(world.actor("teacher"), world.today, session=s)


def test_a_coming_day_is_materialized_from_the_timetable_to_be_assigned(world):
    days_to_monday = 7 - world.today.weekday()  # the factory's slot: Mondays, pair 1
    monday = world.today + timedelta(days=days_to_monday)
    with Session(world.engine) as s:
        rows = list_lessons_for_substitution(world.actor("deputy"), monday, session=s)
    assert [(r.pair_number, r.teacher_id, r.substitute_teacher_id) for r in rows] == [
        (1, world.teacher_id, None)
    ]
    assign(world, "deputy", rows[0].lesson_id, world.other_teacher_id)
    past_monday = monday - timedelta(days=14)
    with Session(world.engine) as s:
        assert list_lessons_for_substitution(world.actor("deputy"), past_monday, session=s) == []


def test_the_deputy_gives_a_forgotten_past_lesson_to_a_substitute_who_fills_it_late(world, app_engine):
    """Issue 12: a substitute could be assigned only for today or later, so a forgotten assignment
    left a lesson nobody might fill."""
    lid = world.lesson(2)
    with Session(app_engine) as s:  # as the app's role: the database's lesson-day rule applies
        assign_substitute(
            world.actor("deputy"), lid, world.other_teacher_id, "больничный лист, забыли оформить", session=s
        )
    assert substitute_of(world, lid) == world.other_teacher_id
    entry = audits(world, "lesson.substitute")[-1]
    assert entry.outcome == "accepted" and entry.details["past"] is True
    with Session(app_engine) as s:
        result = save_lesson(
            world.actor("other_teacher"), lid, LessonEntry(topic="Процессы и потоки"), session=s
        )
        lesson = s.get(Lesson, lid)
        assert lesson is not None and lesson.topic == "Процессы и потоки"
        assert lesson.topic_filled_at is not None and lesson.topic_filled_at.date() > lesson.lesson_date
    assert result is not None


def test_the_database_refuses_a_past_substitute_without_the_deputys_audit_entry(world, app_engine):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    lid = world.lesson(2)
    with pytest.raises(DBAPIError, match="назначает заместитель директора"), app_engine.begin() as conn:
        conn.execute(
            text("UPDATE lesson SET substitute_teacher_id = :t WHERE id = :l"),
            {"t": world.other_teacher_id, "l": lid},
        )
    filled = world.lesson(3, topic="Введение")
    with pytest.raises(DBAPIError, match="прошло"), app_engine.begin() as conn:
        conn.execute(
            text("UPDATE lesson SET substitute_teacher_id = :t WHERE id = :l"),
            {"t": world.other_teacher_id, "l": filled},
        )
    assert substitute_of(world, lid) is None and substitute_of(world, filled) is None
