"""Factories: a fresh college per test, so tests never share rows and need no cleanup."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlmodel import Session, col, select

from app.actor import Actor, load_actor
from app.calendar import academic_year_start, program_semester
from app.domain import AttestationForm, Role, SubjectKind
from app.models import (
    College,
    CurriculumItem,
    Guardian,
    Lesson,
    PlanTopic,
    Speciality,
    StudentGuardian,
    StudyGroup,
    Subject,
    Teacher,
    TimetableSlot,
    UserAccount,
    UserRole,
)
from app.passwords import hash_password
from app.services.journal import college_today

_counter = itertools.count(1)
PASSWORD = "verno-parol-123"
# Hashing is deliberately slow; the factories reuse one hash.
_HASH: list[str] = []


def _hash() -> str:
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


STUDENT_NAMES = [
    ("Абрамов", "Илья", "Сергеевич", 1),
    ("Белова", "Анна", "Игоревна", 1),
    ("Волков", "Денис", "Андреевич", 2),
    ("Григорьева", "Мария", "Олеговна", 2),
    ("Дмитриев", "Павел", "Викторович", 1),
]


@dataclass
class World:
    engine: Engine
    college_id: int
    group_id: int
    speciality_id: int
    subject_id: int  # a discipline examined (numeric marks only)
    credit_subject_id: int  # a discipline with a credit this semester
    semester: int
    today: date
    student_ids: list[int]
    teacher_id: int
    other_teacher_id: int
    users: dict[str, int] = field(default_factory=dict)  # role-ish name -> user id
    plan_topic_ids: list[int] = field(default_factory=list)
    logins: dict[str, str] = field(default_factory=dict)

    def actor(self, who: str) -> Actor:
        with Session(self.engine) as s:
            return load_actor(self.users[who], session=s)

    def slot(
        self, day: date, pair: int, *, room: str = "", days: int = 1, teacher_id: int | None = None
    ) -> int:
        """A timetable slot of the world's group and examined subject on `day`'s weekday at `pair`,
        valid `days` either side of `day`."""
        with Session(self.engine) as s:
            slot = TimetableSlot(
                college_id=self.college_id,
                study_group_id=self.group_id,
                weekday=day.isoweekday(),
                pair_number=pair,
                subject_id=self.subject_id,
                teacher_id=teacher_id or self.teacher_id,
                room=room,
                valid_from=day - timedelta(days=days),
                valid_to=day + timedelta(days=days),
            )
            s.add(slot)
            s.commit()
            assert slot.id is not None
            return slot.id

    def without_timetable(self) -> World:
        """No timetable slots: a test that counts lessons keeps a server's refresh loop running
        beside the suite (app_url) from making today's lesson of the factory's slot meanwhile."""
        with Session(self.engine) as s:
            s.execute(delete(TimetableSlot).where(col(TimetableSlot.college_id) == self.college_id))
            s.commit()
        return self

    def make_curator(self, who: str = "teacher", group_id: int | None = None) -> None:
        """Name `who`'s teacher the curator of the world's group (or `group_id`): that is what
        makes an account a curator (app.actor.load_actor)."""
        with Session(self.engine) as s:
            teacher_id = s.exec(select(Teacher.id).where(Teacher.user_id == self.users[who])).one()
            group = s.get(StudyGroup, group_id or self.group_id)
            assert group is not None
            group.curator_teacher_id = teacher_id
            s.add(group)
            s.commit()

    def lesson(
        self,
        days_ago: int = 0,
        *,
        subject_id: int | None = None,
        teacher_id: int | None = None,
        substitute_teacher_id: int | None = None,
        pair_number: int | None = None,
        subgroup: int = 0,
        **fields: object,
    ) -> int:
        day = self.today - timedelta(days=days_ago)
        with Session(self.engine) as s:
            lesson = Lesson(
                college_id=self.college_id,
                study_group_id=self.group_id,
                subgroup=subgroup,
                subject_id=subject_id or self.subject_id,
                semester=self.semester,
                teacher_id=teacher_id or self.teacher_id,
                substitute_teacher_id=substitute_teacher_id,
                lesson_date=day,
                pair_number=pair_number or _free_pair(s, self.group_id, day, subgroup),
                **fields,  # type: ignore[arg-type]
            )
            s.add(lesson)
            s.commit()
            assert lesson.id is not None
            return lesson.id


def _free_pair(s: Session, group_id: int, day: date, subgroup: int) -> int:
    from sqlmodel import select

    used = set(
        s.exec(
            select(Lesson.pair_number).where(
                Lesson.study_group_id == group_id, Lesson.lesson_date == day, Lesson.subgroup == subgroup
            )
        )
    )
    for n in range(1, 9):
        if n not in used:
            return n
    raise RuntimeError("no free pair left on that day for the test group")


def _user(s: Session, college_id: int, name: str, roles: set[Role], login: str) -> int:
    user = UserAccount(college_id=college_id, login=login, password_hash=_hash(), full_name=name)
    s.add(user)
    s.flush()
    assert user.id is not None
    for r in roles:
        s.add(UserRole(user_id=user.id, role=r.value))
    return user.id


def make_world(engine: Engine) -> World:
    n = next(_counter)
    tag = f"t{n}x{id(engine) % 10000}"
    with Session(engine) as s:
        today = college_today(session=s)
        college = College(name=f"Тестовый техникум №{n}", short_name=f"ТТ-{n}")
        s.add(college)
        s.flush()
        assert college.id is not None
        cid = college.id
        spec = Speciality(college_id=cid, code="09.02.07", name="Информационные системы и программирование")
        s.add(spec)
        s.flush()
        assert spec.id is not None
        admission = academic_year_start(today)
        group = StudyGroup(college_id=cid, speciality_id=spec.id, name="ИСП-11", admission_year=admission)
        s.add(group)
        s.flush()
        assert group.id is not None
        semester = program_semester(admission, today)

        users: dict[str, int] = {}
        logins: dict[str, str] = {}

        def add_user(key: str, name: str, roles: set[Role]) -> int:
            login = f"{key}-{tag}"
            logins[key] = login
            users[key] = _user(s, cid, name, roles, login)
            return users[key]

        t_user = add_user("teacher", "Соколова Елена Викторовна", {Role.teacher})
        o_user = add_user("other_teacher", "Кузнецов Олег Петрович", {Role.teacher})
        add_user("deputy", "Морозова Ирина Павловна", {Role.deputy})
        add_user("officer", "Захаров Антон Ильич", {Role.officer})
        add_user("director", "Лебедев Николай Ефимович", {Role.director})
        teacher = Teacher(
            college_id=cid, last_name="Соколова", first_name="Елена", middle_name="Викторовна", user_id=t_user
        )
        other = Teacher(
            college_id=cid, last_name="Кузнецов", first_name="Олег", middle_name="Петрович", user_id=o_user
        )
        s.add(teacher)
        s.add(other)
        s.flush()
        assert teacher.id is not None and other.id is not None

        student_ids: list[int] = []
        for i, (last, first, middle, sub) in enumerate(STUDENT_NAMES):
            # the columns every schema since 0001 has (email came in 0025, with a server default)
            students = sa_table(
                "student",
                *(sa_column(c) for c in ("id", "college_id", "study_group_id", "last_name", "first_name")),
                *(sa_column(c) for c in ("middle_name", "subgroup", "enrolled_on", "user_id")),
            )
            sid = s.execute(
                insert(students)
                .values(
                    college_id=cid,
                    study_group_id=group.id,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    subgroup=sub,
                    enrolled_on=today - timedelta(days=400),
                    user_id=add_user("student", f"{last} {first} {middle}", {Role.student})
                    if i == 0
                    else None,
                )
                .returning(students.c.id)
            ).scalar_one()
            student_ids.append(sid)
        guardian = Guardian(
            college_id=cid,
            last_name="Абрамова",
            first_name="Ольга",
            middle_name="Ивановна",
            user_id=add_user("guardian", "Абрамова Ольга Ивановна", {Role.guardian}),
        )
        s.add(guardian)
        s.flush()
        assert guardian.id is not None
        s.add(StudentGuardian(student_id=student_ids[0], guardian_id=guardian.id))

        subject = Subject(
            college_id=cid, code="ОП.01", name="Операционные системы", kind=SubjectKind.discipline
        )
        credit = Subject(
            college_id=cid, code="ОГСЭ.04", name="Физическая культура", kind=SubjectKind.discipline
        )
        s.add(subject)
        s.add(credit)
        s.flush()
        assert subject.id is not None and credit.id is not None
        # the columns every schema since 0001 has (year_mark came in 0020, with a server default)
        items = CurriculumItem.__table__  # type: ignore[attr-defined]
        item_id = s.execute(
            insert(items)
            .values(
                college_id=cid,
                study_group_id=group.id,
                subject_id=subject.id,
                semester=semester,
                planned_hours=72,
                attestation_form=AttestationForm.exam.value,
                teacher_id=teacher.id,
            )
            .returning(items.c.id)
        ).scalar_one()
        s.execute(
            insert(items).values(
                college_id=cid,
                study_group_id=group.id,
                subject_id=credit.id,
                semester=semester,
                planned_hours=36,
                attestation_form=AttestationForm.credit.value,
                teacher_id=teacher.id,
            )
        )
        plan_ids = []
        for pos, title in enumerate(["Введение в ОС", "Процессы и потоки", "Управление памятью"], start=1):
            p = PlanTopic(curriculum_item_id=item_id, position=pos, title=title, hours=2)
            s.add(p)
            s.flush()
            assert p.id is not None
            plan_ids.append(p.id)
        # Only the columns every schema since 0001 has: the migration tests build this world on a
        # database at an early revision (week_parity came in 0018 and has a server default).
        s.execute(
            insert(TimetableSlot.__table__).values(  # type: ignore[attr-defined]
                college_id=cid,
                study_group_id=group.id,
                weekday=1,
                pair_number=1,
                subject_id=subject.id,
                teacher_id=teacher.id,
                room="204",
                valid_from=today - timedelta(days=60),
                valid_to=today + timedelta(days=60),
            )
        )
        s.commit()
        return World(
            engine,
            cid,
            group.id,
            spec.id,
            subject.id,
            credit.id,
            semester,
            today,
            student_ids,
            teacher.id,
            other.id,
            users,
            plan_ids,
            logins,
        )
