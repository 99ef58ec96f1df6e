"""A demo college's people: its accounts and staff, its groups, students and their families."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from app.calendar import program_semester
from app.demo import catalog, names
from app.demo.catalog import Department
from app.demo.college.common import (
    DEMO_FATHER,
    DEMO_PEOPLE,
    DEMO_SIBLING,
    SIBLING_GROUP,
    TEACHER_GROUP,
    GroupInfo,
    GroupPlace,
    StudentInfo,
    TeacherInfo,
    _Base,
)
from app.demo.names import Person
from app.domain import Role
from app.validation import translit


class _People(_Base):
    # ----------------------------------------------------------------------- accounts and staff

    def _fixed(self, key: str) -> Person | None:
        """The fixed person behind a demo account; other colleges draw theirs at random."""
        return DEMO_PEOPLE.get(key) if self.index == 0 else None

    def _user(self, login: str, full_name: str, roles: tuple[Role, ...]) -> int:
        if login in self.logins:
            raise ValueError(f"duplicate login {login!r}")
        self.logins.add(login)
        user_id = self.ids.take("user_account")
        self.tables["user_account"].append(
            (
                user_id,
                self.college_id,
                login,
                self.password_hash,
                full_name,
                True,
                False,
                self.accounts_created,
            )
        )
        self.tables["user_role"].extend((user_id, role.value) for role in roles)
        return user_id

    def _account(self, key: str, person: Person, roles: tuple[Role, ...]) -> int:
        login = self.prefix + key
        self.accounts[login] = self._user(login, person.full_name, roles)
        return self.accounts[login]

    def _administration(self) -> None:
        for key, role in (("officer", Role.officer), ("deputy", Role.deputy), ("director", Role.director)):
            person = self._fixed(key) or names.adult(self.rng, male=self.rng.random() < 0.4)
            self._account(key, person, (role,))

    def _teachers(self) -> list[TeacherInfo]:
        teachers: list[TeacherInfo] = []
        demo_keys = {("math", 0): "teacher", ("it", 0): "curator"}
        reserved = {p.last_name for p in DEMO_PEOPLE.values()}  # keep the demo names unmistakable
        seen: set[str] = set()
        for dept in catalog.DEPARTMENTS:
            for i in range(dept.teachers):
                key = demo_keys.get((dept.key, i))
                person = (self._fixed(key) if key else None) or self._teacher_person(dept, seen, reserved)
                seen.add(person.last_name)
                if key:
                    login = self.prefix + key
                    user_id = self._account(key, person, (Role.teacher,))  # curators by their group
                else:
                    login = self._teacher_login(person)
                    user_id = self._user(login, person.full_name, (Role.teacher,))
                teachers.append(
                    TeacherInfo(
                        id=self.ids.take("teacher"),
                        user_id=user_id,
                        person=person,
                        department=dept.key,
                        position=dept.position,
                        room=dept.rooms[i % len(dept.rooms)],
                        login=login,
                        evening_filler=self.rng.random() < 0.35,
                        demo_key=key,
                    )
                )
        return teachers

    def _teacher_person(self, dept: Department, seen: set[str], reserved: set[str]) -> Person:
        while True:
            person = names.adult(self.rng, male=self.rng.random() >= dept.female_share)
            if person.last_name not in seen and person.last_name not in reserved:
                return person

    def _teacher_login(self, person: Person) -> str:
        """«t.sokolova»; a namesake gets initials, «t.sokolova.ev»."""
        base = f"{self.prefix}t.{translit(person.last_name)}"
        with_initials = f"{base}.{translit(person.first_name[0] + person.middle_name[0])}"
        for candidate in (base, with_initials):
            if candidate not in self.logins:
                return candidate
        n = 2
        while f"{with_initials}{n}" in self.logins:
            n += 1
        return f"{with_initials}{n}"

    # ----------------------------------------------------------------------- groups, students, families

    def _groups(self) -> list[GroupInfo]:
        groups: list[GroupInfo] = []
        year = self.semester.academic_year
        for spec in catalog.SPECIALITIES:
            speciality_id = self.ids.take("speciality")
            self.tables["speciality"].append(
                (speciality_id, self.college_id, spec.code, spec.name, spec.qualification)
            )
            for course, count in enumerate(spec.groups_per_course, start=1):
                admission = year - course + 1
                for number in range(1, count + 1):
                    groups.append(
                        GroupInfo(
                            index=len(groups),
                            id=self.ids.take("study_group"),
                            name=f"{spec.key}-{admission % 10}{number}",  # «ИСП-41»: admitted in 2024, group 1
                            spec=spec,
                            speciality_id=speciality_id,
                            course=course,
                            number=number,
                            admission_year=admission,
                            semester=program_semester(admission, self.semester.start),
                        )
                    )
        return groups

    def _students(self, groups: list[GroupInfo]) -> tuple[StudentInfo, StudentInfo]:
        """Students with their families; returns the demo student and their brother or sister."""
        family_surname, father_name = (DEMO_FATHER.last_name, DEMO_FATHER.first_name)
        if self.index:
            family_surname, father_name = (
                self.rng.choice(names.SURNAMES),
                self.rng.choice(names.ADULT_MALE_NAMES),
            )
        demo_guardians = self._demo_guardians(family_surname, father_name)
        # surname, father's name, guardians, groups the family's children are in
        families: list[tuple[str, str, list[tuple[int, str]], list[GroupInfo]]] = []
        demo: dict[GroupPlace, StudentInfo] = {}
        for group in groups:
            size = self.rng.randint(24, 28) if group.course <= 2 else self.rng.randint(21, 26)
            roll: list[StudentInfo] = []
            if group.place in (TEACHER_GROUP, SIBLING_GROUP):
                is_student = group.place == TEACHER_GROUP
                person = (DEMO_PEOPLE["student"] if is_student else DEMO_SIBLING) if self.index == 0 else None
                person = person or names.child(self.rng, self.rng.random() < 0.5, family_surname, father_name)
                demo[group.place] = self._student(group, person, demo_guardians)
                roll.append(demo[group.place])
            taken = {s.person.full_name for s in roll}
            while len(roll) < size:
                male = self.rng.random() < group.spec.male_share
                others = [f for f in families if group not in f[3]]
                sibling = bool(others) and self.rng.random() < 0.015  # a brother or sister in another group
                if sibling:
                    family = self.rng.choice(others)
                else:
                    family = (
                        self.rng.choice(names.SURNAMES),
                        self.rng.choice(names.ADULT_MALE_NAMES),
                        [],
                        [],
                    )
                person = names.child(self.rng, male, family[0], family[1])
                if person.full_name in taken:
                    continue
                if not sibling:
                    family[2].extend(self._guardians(family[0], family[1]))
                    families.append(family)
                taken.add(person.full_name)
                family[3].append(group)
                roll.append(self._student(group, person, family[2]))
            roll.sort(key=lambda s: (s.person.last_name, s.person.first_name, s.person.middle_name))
            half = math.ceil(len(roll) / 2)  # the first half of the register is subgroup 1
            for position, student in enumerate(roll):
                student.subgroup = 1 if position < half else 2
            group.students = roll
        self._movements(groups, demo[TEACHER_GROUP])
        student = demo[TEACHER_GROUP]
        student.user_id = self._account("student", student.person, (Role.student,))
        return student, demo[SIBLING_GROUP]

    def _movements(self, groups: list[GroupInfo], keep: StudentInfo) -> None:
        """A transfer student arrived a month into the semester; two students were expelled in the autumn."""
        senior = [g for g in groups if g.course > 1]
        newcomer_group, *leaver_groups = self.rng.sample(senior, 3)
        newcomer = self.rng.choice([s for s in newcomer_group.students if s is not keep])
        newcomer.enrolled_on = self.semester.start + timedelta(days=30)
        for group in leaver_groups:
            leaver = self.rng.choice([s for s in group.students if s is not keep])
            leaver.left_on = self.semester.start + timedelta(days=self.rng.randint(40, 55))

    def _student(self, group: GroupInfo, person: Person, guardians: list[tuple[int, str]]) -> StudentInfo:
        # After the ninth grade: 15–16 years old on admission, a few a year or two older.
        birth_year = group.admission_year - 16 - (self.rng.random() < 0.08) - (self.rng.random() < 0.03)
        return StudentInfo(
            id=self.ids.take("student"),
            person=person,
            group=group,
            birth_date=date(birth_year - 1, 9, 1) + timedelta(days=self.rng.randrange(365)),
            ability=min(4.95, max(2.9, self.rng.gauss(3.85, 0.5))),
            truancy=0.004 + self.rng.random() ** 2 * 0.05,
            guardians=guardians,
            enrolled_on=date(group.admission_year, 9, 1),
        )

    def _demo_guardians(self, surname: str, father_name: str) -> list[tuple[int, str]]:
        """The demo guardian (the mother, with an account) and the father (without one)."""
        mother = self._fixed("guardian") or names.adult(self.rng, male=False, family=surname)
        father = DEMO_FATHER
        if self.index:
            father = Person(
                surname, father_name, names.patronymic(self.rng.choice(names.ADULT_MALE_NAMES), True), True
            )
        mother_id = self._guardian(mother, self._account("guardian", mother, (Role.guardian,)))
        return [(mother_id, "мать"), (self._guardian(father), "отец")]

    def _guardians(self, surname: str, father_name: str) -> list[tuple[int, str]]:
        roll = self.rng.random()
        if roll < 0.04:
            return [(self._guardian(names.adult(self.rng, male=False, family=surname)), "бабушка")]
        guardians: list[tuple[int, str]] = []
        if roll < 0.9:
            guardians.append((self._guardian(names.adult(self.rng, male=False, family=surname)), "мать"))
        if roll >= 0.9 or self.rng.random() < 0.55:
            father = names.adult(self.rng, male=True, family=surname)
            guardians.append((self._guardian(Person(surname, father_name, father.middle_name, True)), "отец"))
        return guardians

    def _guardian(self, person: Person, user_id: int | None = None) -> int:
        guardian_id = self.ids.take("guardian")
        self.tables["guardian"].append(
            (guardian_id, self.college_id, person.last_name, person.first_name, person.middle_name,
             names.phone(self.rng), _demo_email(person, guardian_id, user_id is not None), user_id)
        )  # fmt: skip
        return guardian_id


EMAIL_SHARE = 0.6  # guardians who gave the curator an address for the diary's letters


def _demo_email(person: Person, guardian_id: int, always: bool) -> str:
    """An address for most guardians (the demo login's always: its letters are the ones shown),
    drawn apart from the college's generator so the rest of the demo stays as it was."""
    if not always and random.Random(guardian_id).random() >= EMAIL_SHARE:
        return ""
    return f"{translit(person.last_name)}.{translit(person.first_name[0])}{guardian_id}@example.ru".lower()
