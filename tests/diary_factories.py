"""Factories for the diary and the curator's group on top of tests.factories.make_world.

The world's teacher curates ИСП-11; `family` adds a second child for the world's guardian in another
group (ИСП-21, curated by the other teacher), and `other_family` a second family in ИСП-11.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from app.domain import Role
from app.models import (
    Attendance,
    Guardian,
    Mark,
    Student,
    StudentGuardian,
    StudyGroup,
    UserAccount,
    UserRole,
)
from tests.factories import World, _hash


@dataclass(frozen=True)
class Family:
    guardian_user_id: int
    guardian_id: int
    child_ids: list[int]
    login: str


def make_curator(world: World, who: str = "teacher") -> None:
    """Name a teacher the curator of ИСП-11, which makes the account a curator."""
    world.make_curator(who)


def guardian_id_of(world: World, who: str = "guardian") -> int:
    from sqlmodel import select

    with Session(world.engine) as s:
        gid = s.exec(select(Guardian.id).where(Guardian.user_id == world.users[who])).one()
        assert gid is not None
        return gid


def second_group(world: World, name: str = "ИСП-21", curator_teacher_id: int | None = None) -> int:
    """Another group of the world's college, curated by the other teacher unless told otherwise."""
    with Session(world.engine) as s:
        group = StudyGroup(
            college_id=world.college_id,
            speciality_id=world.speciality_id,
            name=name,
            admission_year=world.today.year - 1 if world.today.month >= 9 else world.today.year - 2,
            curator_teacher_id=curator_teacher_id or world.other_teacher_id,
        )
        s.add(group)
        s.commit()
        assert group.id is not None
        return group.id


def add_student(
    world: World,
    group_id: int,
    last: str,
    first: str,
    middle: str = "",
    *,
    subgroup: int = 1,
    enrolled_on: date | None = None,
) -> int:
    with Session(world.engine) as s:
        student = Student(
            college_id=world.college_id,
            study_group_id=group_id,
            last_name=last,
            first_name=first,
            middle_name=middle,
            subgroup=subgroup,
            enrolled_on=enrolled_on or world.today - timedelta(days=400),
        )
        s.add(student)
        s.commit()
        assert student.id is not None
        return student.id


def second_child(world: World) -> int:
    """The world's guardian's second child, Абрамова Вера, in ИСП-21 (another group, another curator)."""
    group_id = second_group(world)
    child = add_student(world, group_id, "Абрамова", "Вера", "Сергеевна")
    with Session(world.engine) as s:
        s.add(StudentGuardian(student_id=child, guardian_id=guardian_id_of(world), relation="мать"))
        s.commit()
    return child


def other_family(world: World, child_index: int = 1) -> Family:
    """A second family: Белов Игорь, guardian (with an account) of the world's student №2, Белова Анна."""
    login = f"belov-{world.logins['guardian']}"
    with Session(world.engine) as s:
        user = UserAccount(
            college_id=world.college_id, login=login, password_hash=_hash(), full_name="Белов Игорь Андреевич"
        )
        s.add(user)
        s.flush()
        assert user.id is not None
        s.add(UserRole(user_id=user.id, role=Role.guardian.value))
        guardian = Guardian(
            college_id=world.college_id,
            last_name="Белов",
            first_name="Игорь",
            middle_name="Андреевич",
            phone="+7 912 000-11-22",
            user_id=user.id,
        )
        s.add(guardian)
        s.flush()
        assert guardian.id is not None
        child = world.student_ids[child_index]
        s.add(StudentGuardian(student_id=child, guardian_id=guardian.id, relation="отец"))
        s.commit()
        world.users["other_guardian"] = user.id
        world.logins["other_guardian"] = login
        return Family(user.id, guardian.id, [child], login)


def mark(
    world: World,
    lesson_id: int,
    student_id: int,
    value: str,
    work_kind: str = "oral",
    comment: str = "",
    *,
    by: str = "teacher",
) -> int:
    """A mark written as history (the owner's connection is not bound by the lesson-day rule)."""
    with Session(world.engine) as s:
        row = Mark(
            college_id=world.college_id,
            lesson_id=lesson_id,
            student_id=student_id,
            value=value,
            work_kind=work_kind,
            comment=comment,
            created_by_user_id=world.users[by],
        )
        s.add(row)
        s.commit()
        assert row.id is not None
        return row.id


def attend(world: World, lesson_id: int, student_id: int, status: str, *, by: str = "teacher") -> int:
    with Session(world.engine) as s:
        row = Attendance(
            college_id=world.college_id,
            lesson_id=lesson_id,
            student_id=student_id,
            status=status,
            created_by_user_id=world.users[by],
        )
        s.add(row)
        s.commit()
        assert row.id is not None
        return row.id
