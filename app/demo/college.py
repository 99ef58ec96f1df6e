"""One demo college's standing data: people, groups, subjects, curricula, КТП and the timetable.

Everything is drawn from one `random.Random` in a fixed order, so a seed always gives the same college.
The lesson history built on top of it lives in app/demo/history.py.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.calendar import Half, default_session, is_school_day, program_semester
from app.demo import catalog, names
from app.demo.catalog import Department, SpecialitySpec, Split, SubjectSpec, Whole
from app.demo.copy import Tables, empty_tables
from app.demo.names import Person
from app.demo.schoolyear import Semester
from app.demo.timetable import PlacementError, Unit, place
from app.domain import DEBT_MARKS, NOT_ADMITTED, AttestationForm, Role, SubjectKind
from app.validation import translit

# The fixed people behind the demo accounts of the first college, by login.
DEMO_PEOPLE: dict[str, Person] = {
    "officer": Person("Захарова", "Наталья", "Сергеевна", male=False),
    "deputy": Person("Котова", "Ирина", "Павловна", male=False),
    "director": Person("Белоусов", "Игорь", "Анатольевич", male=True),
    "teacher": Person("Соколова", "Елена", "Викторовна", male=False),
    "curator": Person("Кузнецов", "Олег", "Петрович", male=True),
    "student": Person("Лебедев", "Артём", "Сергеевич", male=True),
    "guardian": Person("Лебедева", "Марина", "Александровна", male=False),
}
# The student's family: the guardian's second child and the father (a guardian without an account).
DEMO_SIBLING = Person("Лебедева", "Дарья", "Сергеевна", male=False)
DEMO_FATHER = Person("Лебедев", "Сергей", "Николаевич", male=True)

GroupPlace = tuple[
    str, int, int
]  # speciality key, course, group number: «ИСП», 3, 1 is the third-year ИСП group
TEACHER_GROUP: GroupPlace = ("ИСП", 3, 1)  # curated by the demo teacher; the demo student's group
CURATOR_GROUP: GroupPlace = ("ИСП", 2, 1)  # curated by the demo curator
SIBLING_GROUP: GroupPlace = ("ЭБ", 1, 1)
# What the demo teacher and the demo curator teach, so both have lessons in their own groups and others.
TEACHER_PINS: tuple[tuple[GroupPlace, str], ...] = (
    (("ИСП", 3, 1), "ЕН.03"),
    (("ИСП", 2, 1), "ЕН.01"),
    (("ИСП", 2, 1), "ЕН.02"),
    (("ИСП", 1, 1), "ОУД.04"),
    (("ИСП", 1, 2), "ОУД.04"),
)
CURATOR_PINS: tuple[tuple[GroupPlace, str], ...] = ((("ИСП", 2, 1), "ОП.04"), (("ИСП", 3, 1), "МДК.01.01"))

# КТП lesson kinds each style cycles through within a theme.
STYLE_PATTERN: dict[str, tuple[str, ...]] = {
    catalog.LECTURE: ("theory", "practice"),
    catalog.LAB: ("theory", "lab"),
    catalog.MATH: ("theory", "exercise"),
    catalog.HUMANITIES: ("theory", "theory", "seminar"),
    catalog.LANGUAGE: ("language",),
    catalog.SPORT: ("sport",),
    catalog.PRACTICE: ("work",),
}
NO_HOMEWORK_KINDS = frozenset({"sport", "work", "control", "final"})
LANGUAGE_ASPECTS = ("Лексика", "Грамматика", "Чтение и перевод текста", "Развитие устной речи")
FINAL_TITLES: dict[AttestationForm, tuple[str, str]] = {
    AttestationForm.exam: ("Консультация перед экзаменом", "theory"),
    AttestationForm.diff_credit: ("Дифференцированный зачёт", "final"),
    AttestationForm.credit: ("Зачёт", "final"),
    AttestationForm.qual_exam: ("Подготовка к квалификационному экзамену", "theory"),
    AttestationForm.other: ("Обобщающее повторение", "theory"),
}


@dataclass
class Ids:
    """Ids handed out in Python, continuing across colleges, so rows are COPYed with their keys."""

    next_id: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next_id.get(table, 1)
        self.next_id[table] = value + 1
        return value


@dataclass(eq=False)
class TeacherInfo:
    id: int
    user_id: int
    person: Person
    department: str
    position: str
    room: str
    login: str
    evening_filler: bool  # writes topic and homework after the lessons rather than during them
    demo_key: str | None = None  # «teacher» or «curator»: teaches only what the pins give them
    load: int = 0  # pairs a week


@dataclass(eq=False)
class GroupInfo:
    index: int
    id: int
    name: str
    spec: SpecialitySpec
    speciality_id: int
    course: int
    number: int
    admission_year: int
    semester: int
    students: list[StudentInfo] = field(default_factory=list)
    curator: TeacherInfo | None = None

    @property
    def place(self) -> GroupPlace:
        return (self.spec.key, self.course, self.number)


@dataclass(eq=False)
class StudentInfo:
    id: int
    person: Person
    group: GroupInfo
    birth_date: date
    ability: float  # the mark this student earns on average
    truancy: float  # chance of skipping a whole school day without an excuse
    guardians: list[tuple[int, str]]  # guardian id, relation
    subgroup: int = 1
    subject_subgroups: dict[int, int] = field(
        default_factory=dict
    )  # subject id -> subgroup, where it differs
    enrolled_on: date = date.min
    left_on: date | None = None
    user_id: int | None = None

    def on_roll(self, day: date) -> bool:
        return self.enrolled_on <= day and (self.left_on is None or day < self.left_on)

    def subgroup_for(self, subject_id: int) -> int:
        """The student's subgroup for a subject (the database's student_subgroup rule)."""
        return self.subject_subgroups.get(subject_id, self.subgroup)


@dataclass(frozen=True)
class Topic:
    id: int
    position: int
    title: str
    kind: str  # theory, practice, lab, exercise, seminar, language, sport, work, control, final
    theme: str
    homework: str
    number: int  # of the practical, laboratory or control work; 0 otherwise


@dataclass(eq=False)
class Stream:
    """A curriculum item: one group learning one subject this semester, with its КТП."""

    item_id: int
    group: GroupInfo
    subject_id: int
    subject: SubjectSpec
    teacher: TeacherInfo
    form: AttestationForm
    pairs: int  # a week (for a split subject: a week per subgroup)
    split: bool
    topics: list[Topic] = field(default_factory=list)


@dataclass(frozen=True)
class SlotInfo:
    id: int
    stream: Stream
    subgroup: int
    weekday: int
    pair: int
    teacher: TeacherInfo
    room: str


@dataclass
class College:
    index: int
    id: int
    name: str
    semester: Semester
    tables: Tables
    teachers: list[TeacherInfo]
    groups: list[GroupInfo]
    streams: list[Stream]
    slots: list[SlotInfo]
    accounts: dict[str, int]  # login -> user id of the demo accounts
    demo_teacher: TeacherInfo
    demo_curator: TeacherInfo
    demo_student: StudentInfo
    demo_sibling: StudentInfo


def local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def login_prefix(index: int) -> str:
    """Logins are unique across the region: the first college keeps the plain demo logins."""
    return "" if index == 0 else f"c{index + 1}."


def build_college(
    index: int, rng: random.Random, ids: Ids, today: date, tz: ZoneInfo, password_hash: str
) -> College:
    return _Builder(index, rng, ids, today, tz, password_hash).build()


class _Builder:
    def __init__(
        self, index: int, rng: random.Random, ids: Ids, today: date, tz: ZoneInfo, password_hash: str
    ) -> None:
        self.index = index
        self.rng = rng
        self.ids = ids
        self.tz = tz
        self.password_hash = password_hash
        self.semester = Semester.containing(today)
        self.today = today
        self.tables = empty_tables()
        self.college_id = ids.take("college")
        self.prefix = login_prefix(index)
        self.logins: set[str] = set()
        self.accounts: dict[str, int] = {}
        # Accounts were issued on the last Friday of August, before the academic year began.
        august_end = date(self.semester.academic_year, 8, 31)
        self.accounts_created = local(
            august_end - timedelta(days=(august_end.weekday() - 4) % 7), time(10, 0), tz
        )

    def build(self) -> College:
        name, short, city = catalog.college_identity(self.index)
        self.tables["college"].append((self.college_id, name, short, city))
        self._administration()
        teachers = self._teachers()
        groups = self._groups()
        demo_student, demo_sibling = self._students(groups)
        subject_ids = self._subjects()
        streams = self._curricula(groups, teachers, subject_ids)
        demo_teacher = next(t for t in teachers if t.demo_key == "teacher")
        demo_curator = next(t for t in teachers if t.demo_key == "curator")
        self._curators(groups, streams, teachers, demo_teacher, demo_curator)
        slots = self._timetable(streams, demo_teacher)
        self._plans(streams, slots)
        self._emit(teachers, groups, streams, slots)
        self._past_attestation(groups, teachers, subject_ids)
        self._coming_changes(slots, demo_teacher)
        self._calendar()
        return College(
            index=self.index,
            id=self.college_id,
            name=name,
            semester=self.semester,
            tables=self.tables,
            teachers=teachers,
            groups=groups,
            streams=streams,
            slots=slots,
            accounts=self.accounts,
            demo_teacher=demo_teacher,
            demo_curator=demo_curator,
            demo_student=demo_student,
            demo_sibling=demo_sibling,
        )

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

    # ----------------------------------------------------------------------- subjects and curricula

    def _subjects(self) -> dict[tuple[str, str], tuple[int, SubjectSpec]]:
        """Subjects by (speciality key, code); the shared ones under every speciality."""
        shared = {s.code: (self._subject(s, None), s) for s in catalog.COMMON_SUBJECTS}
        found: dict[tuple[str, str], tuple[int, SubjectSpec]] = {}
        for spec in catalog.SPECIALITIES:
            modules: dict[str, int] = {}
            speciality_id = next(r[0] for r in self.tables["speciality"] if r[2] == spec.code)
            for code, name in spec.modules:
                modules[code] = self.ids.take("module")
                self.tables["module"].append((modules[code], self.college_id, speciality_id, code, name))
            found.update({(spec.key, code): pair for code, pair in shared.items()})
            for subject in spec.subjects:
                module_id = modules[subject.module] if subject.module else None
                found[spec.key, subject.code] = (self._subject(subject, module_id), subject)
        return found

    def _subject(self, spec: SubjectSpec, module_id: int | None) -> int:
        subject_id = self.ids.take("subject")
        self.tables["subject"].append(
            (subject_id, self.college_id, spec.code, spec.name, spec.kind.value, module_id)
        )
        return subject_id

    def _curricula(
        self,
        groups: list[GroupInfo],
        teachers: list[TeacherInfo],
        subjects: dict[tuple[str, str], tuple[int, SubjectSpec]],
    ) -> list[Stream]:
        by_dept: dict[str, list[TeacherInfo]] = {}
        for teacher in teachers:
            by_dept.setdefault(teacher.department, []).append(teacher)
        pins: dict[tuple[GroupPlace, str], TeacherInfo] = {}
        for key, pinned in (("teacher", TEACHER_PINS), ("curator", CURATOR_PINS)):
            teacher = next(t for t in teachers if t.demo_key == key)
            pins.update({pin: teacher for pin in pinned})
        streams: list[Stream] = []
        half = 0 if self.semester.autumn else 1
        for group in groups:
            for line in catalog.curriculum(group.spec, group.course):
                if isinstance(line, Whole):
                    parts = [(line.code, line.pairs, (line.autumn, line.spring), False)]
                else:
                    assert isinstance(line, Split)
                    parts = [
                        (line.first, line.blocks, line.first_forms, True),
                        (line.second, line.blocks, line.second_forms, True),
                    ]
                busy: list[TeacherInfo] = []  # a split's two teachers work at the same time
                for code, pairs, forms, split in parts:
                    subject_id, subject = subjects[group.spec.key, code]
                    # the least loaded colleague of the department, so the load spreads evenly
                    teacher = pins.get((group.place, code)) or min(
                        (t for t in by_dept[subject.department] if t not in busy and not t.demo_key),
                        key=lambda t: (t.load, self.rng.random()),
                    )
                    teacher.load += pairs * (2 if split else 1)
                    busy.append(teacher)
                    streams.append(
                        Stream(
                            item_id=self.ids.take("curriculum_item"),
                            group=group,
                            subject_id=subject_id,
                            subject=subject,
                            teacher=teacher,
                            form=forms[half],
                            pairs=pairs,
                            split=split,
                        )
                    )
        return streams

    def _curators(
        self,
        groups: list[GroupInfo],
        streams: list[Stream],
        teachers: list[TeacherInfo],
        demo_teacher: TeacherInfo,
        demo_curator: TeacherInfo,
    ) -> None:
        """Every group gets a curator among its teachers; nobody curates two groups."""
        taken: set[int] = {demo_teacher.id, demo_curator.id}
        for group in groups:
            if group.place == TEACHER_GROUP:
                group.curator = demo_teacher
            elif group.place == CURATOR_GROUP:
                group.curator = demo_curator
        for group in groups:
            if group.curator:
                continue
            own = [s.teacher for s in streams if s.group is group and s.teacher.id not in taken]
            pool = own or [t for t in teachers if t.id not in taken]
            group.curator = self.rng.choice(sorted(set(pool), key=lambda t: t.id))
            taken.add(group.curator.id)

    # ----------------------------------------------------------------------- timetable and КТП

    def _timetable(self, streams: list[Stream], demo_teacher: TeacherInfo) -> list[SlotInfo]:
        units: list[Unit] = []
        owners: list[tuple[Stream, ...]] = []
        by_group: dict[int, list[Stream]] = {}
        for stream in streams:
            by_group.setdefault(stream.group.id, []).append(stream)
        halved = self._halved(streams, demo_teacher)
        halves: dict[int, int] = {}  # unit key -> the subgroup a halved subject's unit is for
        for group_streams in by_group.values():
            splits = [s for s in group_streams if s.split]
            for first, second in zip(splits[::2], splits[1::2], strict=True):
                for _ in range(first.pairs):
                    units.append(
                        Unit(
                            len(units),
                            first.group.index,
                            (first.teacher.id, second.teacher.id),
                            2,
                            first.subject_id,
                        )
                    )
                    owners.append((first, second))
            for stream in (s for s in group_streams if not s.split):
                practice = stream.subject.kind in (SubjectKind.training_practice, SubjectKind.work_practice)
                for n in range(stream.pairs * (2 if stream is halved else 1)):
                    if stream is halved:
                        halves[len(units)] = 1 + n % 2
                    units.append(
                        Unit(
                            len(units),
                            stream.group.index,
                            (stream.teacher.id,),
                            1,
                            stream.subject_id,
                            practice,
                        )
                    )
                    owners.append((stream,))
        placed: dict[int, tuple[int, int]] | None = None
        for _attempt in range(100):
            try:
                placed = place(
                    units, random.Random(self.rng.getrandbits(64)), everyday_teachers=(demo_teacher.id,)
                )
                break
            except PlacementError:
                continue
        if placed is None:
            raise RuntimeError("could not build a timetable for the demo college")
        slots: list[SlotInfo] = []
        for unit in units:
            day, pair = placed[unit.key]
            owner = owners[unit.key]
            if len(owner) == 1:
                slots.append(self._slot(owner[0], halves.get(unit.key, 0), day, pair))
            else:
                first, second = owner
                slots += [
                    self._slot(first, 1, day, pair),
                    self._slot(second, 2, day, pair),
                    self._slot(second, 1, day, pair + 1),
                    self._slot(first, 2, day, pair + 1),
                ]
        slots.sort(key=lambda s: (s.stream.group.index, s.weekday, s.pair, s.subgroup))
        return [SlotInfo(self.ids.take("timetable_slot"), s.stream, s.subgroup, s.weekday, s.pair, s.teacher, s.room)
                for s in slots]  # fmt: skip

    def _halved(self, streams: list[Stream], demo_teacher: TeacherInfo) -> Stream | None:
        """One subject of the demo student's group taught to each subgroup apart, its subgroups made
        differently from the group list's (who is in which for English follows the list, for this
        subject the teacher's own split): subgroups per subject, the demo student among those moved."""
        group_streams = [
            s for s in streams
            if s.group.place == TEACHER_GROUP and not s.split and s.teacher is not demo_teacher
            and s.subject.kind == SubjectKind.discipline and s.subject.style not in (catalog.SPORT, catalog.PRACTICE)
        ]  # fmt: skip
        if not group_streams:
            return None
        stream = min(group_streams, key=lambda s: (s.pairs, s.subject.code))
        demo = next((st for st in stream.group.students if st.user_id is not None), None)
        flip = 0
        for position, student in enumerate(stream.group.students):
            if student is demo:
                flip = 0 if 1 + position % 2 != student.subgroup else 1
        for position, student in enumerate(stream.group.students):
            subgroup = 1 + (position + flip) % 2
            if subgroup != student.subgroup:
                student.subject_subgroups[stream.subject_id] = subgroup
                self.tables["subject_subgroup"].append(
                    (student.id, stream.subject_id, self.college_id, subgroup)
                )
        return stream

    def _slot(self, stream: Stream, subgroup: int, weekday: int, pair: int) -> SlotInfo:
        room = (
            catalog.WORK_PRACTICE_ROOM
            if stream.subject.kind == SubjectKind.work_practice
            else stream.teacher.room
        )
        return SlotInfo(0, stream, subgroup, weekday, pair, stream.teacher, room)

    def _plans(self, streams: list[Stream], slots: list[SlotInfo]) -> None:
        """A КТП per curriculum item, one topic per lesson the timetable gives it this semester."""
        per_weekday = Counter(day.isoweekday() for day in self.semester.school_days())
        lessons: Counter[int] = Counter()
        for slot in slots:
            if slot.subgroup in (0, 1):  # both subgroups go through the same КТП
                lessons[slot.stream.item_id] += per_weekday[slot.weekday]
        for stream in streams:
            lines = build_plan(stream.subject, lessons[stream.item_id], stream.form, self.rng)
            stream.topics = [
                Topic(self.ids.take("plan_topic"), position, title, kind, theme, homework, number)
                for position, (title, kind, theme, homework, number) in enumerate(lines, start=1)
            ]

    # ----------------------------------------------------------------------- rows

    def _emit(
        self,
        teachers: list[TeacherInfo],
        groups: list[GroupInfo],
        streams: list[Stream],
        slots: list[SlotInfo],
    ) -> None:
        cid = self.college_id
        t = self.tables
        for teacher in teachers:
            p = teacher.person
            t["teacher"].append((teacher.id, cid, p.last_name, p.first_name, p.middle_name, teacher.position,
                                 teacher.user_id))  # fmt: skip
        for group in groups:
            curator_id = group.curator.id if group.curator else None
            t["study_group"].append(
                (group.id, cid, group.speciality_id, group.name, group.admission_year, curator_id)
            )
            for s in group.students:
                p = s.person
                t["student"].append((s.id, cid, group.id, p.last_name, p.first_name, p.middle_name, s.birth_date,
                                     s.subgroup, s.enrolled_on, s.left_on, s.user_id))  # fmt: skip
                t["student_guardian"].extend(
                    (s.id, guardian_id, relation) for guardian_id, relation in s.guardians
                )
        for stream in streams:
            hours = 2 * len(stream.topics)
            t["curriculum_item"].append((stream.item_id, cid, stream.group.id, stream.subject_id, stream.group.semester,
                                         hours, stream.form.value, stream.teacher.id, False))  # fmt: skip
            t["plan_topic"].extend((topic.id, stream.item_id, topic.position, topic.title, 2, topic.homework)
                                   for topic in stream.topics)  # fmt: skip
        for slot in slots:
            t["timetable_slot"].append((slot.id, cid, slot.stream.group.id, slot.subgroup, slot.weekday, slot.pair,
                                        slot.stream.subject_id, slot.teacher.id, slot.room, self.semester.start,
                                        self.semester.end))  # fmt: skip

    # ----------------------------------------------------------------------- the calendar

    def _calendar(self) -> None:
        """The year's winter holidays, as a deputy enters them (no lessons from 29 December to
        10 January); the sessions keep app.calendar's default."""
        year = self.semester.academic_year
        self.tables["calendar_period"].append(
            (self.ids.take("calendar_period"), self.college_id, year, None, "holidays",
             date(year, 12, 29), date(year + 1, 1, 10), "Зимние каникулы")
        )  # fmt: skip

    # ----------------------------------------------------------------------- timetable changes

    def _coming_changes(self, slots: list[SlotInfo], demo_teacher: TeacherInfo) -> None:
        """Next week's changes, as the deputy enters them: one of the demo teacher's pairs cancelled,
        another moved to the next day's last pair, and a consultation added for her group."""
        deputy = self.accounts[self.prefix + "deputy"]
        start = self.today + timedelta(days=7 - self.today.weekday())  # next Monday
        days = [start + timedelta(days=n) for n in range(6) if is_school_day(start + timedelta(days=n))]
        if start + timedelta(days=6) > self.semester.end or len(days) < 2:
            return
        mine = [s for s in slots if s.teacher is demo_teacher]
        by_day = {d: [s for s in mine if s.weekday == d.isoweekday()] for d in days}
        usable = [d for d in days if by_day[d]]
        if len(usable) < 2:
            return
        at = local(self.today, time(9, 15), self.tz)
        first, second = usable[0], usable[1]
        cancel = by_day[first][0]
        self.tables["timetable_change"].append(
            (self.ids.take("timetable_change"), self.college_id, "cancel", cancel.id, first, None, None, None,
             None, None, None, None, "Преподаватель на курсах повышения квалификации (приказ № 212)", deputy, at)
        )  # fmt: skip
        moved = by_day[second][0]
        group_pairs = {
            s.pair for s in slots if s.stream.group is moved.stream.group and s.weekday == second.isoweekday()
        }
        teacher_pairs = {s.pair for s in mine if s.weekday == second.isoweekday()}
        free = [p for p in range(1, 7) if p not in group_pairs | teacher_pairs]
        if free:
            self.tables["timetable_change"].append(
                (self.ids.take("timetable_change"), self.college_id, "move", moved.id, second, second, free[-1],
                 None, None, None, None, None, "Аудитория занята под олимпиаду", deputy, at)
            )  # fmt: skip
        group = cancel.stream.group
        taken = {s.pair for s in slots if s.stream.group is group and s.weekday == first.isoweekday()}
        busy = {s.pair for s in mine if s.weekday == first.isoweekday()}
        spare = [p for p in range(1, 7) if p not in taken | busy]
        if spare:
            self.tables["timetable_change"].append(
                (self.ids.take("timetable_change"), self.college_id, "extra", None, first, None, spare[-1],
                 cancel.room, group.id, 0, cancel.stream.subject_id, demo_teacher.id,
                 "Консультация перед экзаменом", deputy, at)
            )  # fmt: skip

    # ----------------------------------------------------------------------- the past sessions

    def _past_attestation(
        self,
        groups: list[GroupInfo],
        teachers: list[TeacherInfo],
        subjects: dict[tuple[str, str], tuple[int, SubjectSpec]],
    ) -> None:
        """The attestation sheets of every half from the previous academic year's start to this
        half, filled the way a college fills them: mostly 3–5 (by each student's ability), a few
        «2», «н/а» and «не допущен», most debts retaken in the weeks after the session, some still
        open; year marks for the first course's subjects; each half closed by the deputy. No
        lessons: only the sheets. And the ГИА sheet of each final-year group, for the coming June."""
        # A generator of its own, seeded from the main one without drawing from it: the days, marks
        # and planted defects that follow come out as they did before the sheets were added.
        self.sheet_rng = random.Random(hash(self.rng.getstate()[1]) ^ 0xA77E57)
        by_dept: dict[str, list[TeacherInfo]] = {}
        for teacher in teachers:
            if not teacher.demo_key:
                by_dept.setdefault(teacher.department, []).append(teacher)
        now = Half.containing(self.today)
        halves = [now.previous()]  # the latest first, back to the previous academic year's autumn
        while halves[-1] != Half(now.year - 1, 1):
            halves.append(halves[-1].previous())
        for half in halves:
            self._close(half, latest=half == halves[0])
        for group in groups:
            current: dict[tuple[str, int], dict[int, str]] = {}  # (code, semester) -> student -> value
            for back in range(len(halves), 0, -1):
                semester = group.semester - back
                if semester < 1:
                    continue
                half = Half.of_group(group.admission_year, semester)
                session_start, session_end = default_session(half)
                course = (semester + 1) // 2
                for line in catalog.curriculum(group.spec, course):
                    parts = (
                        [(line.code, (line.autumn, line.spring))]
                        if isinstance(line, Whole)
                        else [(line.first, line.first_forms), (line.second, line.second_forms)]
                    )
                    for code, forms in parts:
                        form = forms[half.half - 1]
                        # the first course's year marks: its subjects' spring items ask for one
                        year_mark = course == 1 and half.half == 2 and form is not AttestationForm.other
                        if form is AttestationForm.other:
                            continue
                        subject_id, subject = subjects[group.spec.key, code]
                        teacher = self.sheet_rng.choice(by_dept[subject.department])
                        item_id = self.ids.take("curriculum_item")
                        self.tables["curriculum_item"].append(
                            (item_id, self.college_id, group.id, subject_id, semester, 72, form.value, teacher.id,
                             year_mark)
                        )  # fmt: skip
                        exam_day = session_start + timedelta(days=self.sheet_rng.randrange(0, 21))
                        values = current.setdefault((code, semester), {})
                        retakes_from = _retakes_from(half)
                        for student in group.students:
                            if not (
                                student.enrolled_on <= half.end
                                and (student.left_on is None or student.left_on > half.end)
                            ):
                                continue
                            values[student.id] = self._sheet_mark(
                                item_id, student, form, teacher, exam_day, retakes_from
                            )
                        if year_mark:
                            self._year_marks(item_id, form, teacher, session_end, values,
                                             current.get((code, semester - 1), {}))  # fmt: skip
        self._gia(groups)

    def _close(self, half: Half, *, latest: bool) -> None:
        """The deputy closed the half a week after its session; the latest one's retakes are still
        open for three weeks, an older one's ended 45 days after its retakes began."""
        _starts, ends = default_session(half)
        closed = ends + timedelta(days=7)
        if closed >= self.today:
            return
        deadline = self.today + timedelta(days=21) if latest else _retakes_from(half) + timedelta(days=45)
        self.tables["attestation_close"].append(
            (self.college_id, half.year, half.half, local(closed, time(16, 0), self.tz),
             self.accounts[self.prefix + "deputy"], deadline)
        )  # fmt: skip

    def _year_marks(
        self,
        item_id: int,
        form: AttestationForm,
        teacher: TeacherInfo,
        session_end: date,
        spring: dict[int, str],
        autumn: dict[int, str],
    ) -> None:
        """Year marks from the year's semester marks as they stand: their mean, a tie going the
        spring's way; «н/а» for a debt still open."""
        day = session_end
        for student_id, last in spring.items():
            first = autumn.get(student_id, last)
            if last in DEBT_MARKS or first in DEBT_MARKS:
                value = "н/а" if NOT_ADMITTED not in (first, last) else "2"
            elif form is AttestationForm.credit or not (first.isdigit() and last.isdigit()):
                value = last
            else:
                a, b = int(first), int(last)
                value = str(math.ceil((a + b) / 2) if b >= a else math.floor((a + b) / 2))
            self.tables["year_mark"].append(
                (self.ids.take("year_mark"), self.college_id, item_id, student_id, value, teacher.user_id,
                 local(day, time(15, 0), self.tz), day)
            )  # fmt: skip

    def _gia(self, groups: list[GroupInfo]) -> None:
        """Each final-year group's ГИА (the defence of the final qualifying work) in its last
        semester: a curriculum line, its sheet the commission's secretary (the curator) fills."""
        finals = [g for g in groups if g.course == len(g.spec.groups_per_course) and g.curator is not None]
        if not finals:
            return
        subject_id = self.ids.take("subject")
        self.tables["subject"].append(
            (subject_id, self.college_id, "ГИА", "Государственная итоговая аттестация (защита ВКР)",
             SubjectKind.gia.value, None)
        )  # fmt: skip
        for group in finals:
            assert group.curator is not None
            self.tables["curriculum_item"].append(
                (self.ids.take("curriculum_item"), self.college_id, group.id, subject_id, 2 * group.course, 216,
                 AttestationForm.gia.value, group.curator.id, False)
            )  # fmt: skip

    def _sheet_mark(
        self,
        item_id: int,
        student: StudentInfo,
        form: AttestationForm,
        teacher: TeacherInfo,
        exam_day: date,
        retakes_from: date,
    ) -> str:
        """The student's sheet mark and its retake, if any; the value that stands now."""
        roll = self.sheet_rng.random()
        if roll < 0.01:
            value = NOT_ADMITTED
        elif roll < 0.01 + 0.6 * student.truancy:
            value = "н/а"
        elif form is AttestationForm.credit:
            value = "незач" if self.sheet_rng.random() < max(0.0, 3.6 - student.ability) * 0.35 else "зач"
        else:
            value = str(min(5, max(2, round(self.sheet_rng.gauss(student.ability, 0.7)))))
        mark_id = self.ids.take("semester_mark")
        at = local(exam_day, time(12, 0), self.tz)
        self.tables["semester_mark"].append(
            (mark_id, self.college_id, item_id, student.id, value, teacher.user_id, at, None, None, "original",
             exam_day, None)
        )  # fmt: skip
        if value not in DEBT_MARKS or self.sheet_rng.random() < 0.3:
            return value  # passed, or the debt is still open
        retake_day = retakes_from + timedelta(days=self.sheet_rng.randrange(0, 38))
        if retake_day >= self.today:
            return value
        passed = "зач" if form is AttestationForm.credit else self.sheet_rng.choice(("3", "3", "4"))
        self.tables["semester_mark"].append(
            (self.ids.take("semester_mark"), self.college_id, item_id, student.id, passed, teacher.user_id,
             local(retake_day, time(14, 0), self.tz), mark_id,
             f"Приказ о ликвидации академической задолженности от {retake_day:%d.%m.%Y}", "retake", retake_day,
             f"{teacher.person.full_name}, заместитель директора по УР, председатель ПЦК")
        )  # fmt: skip
        return passed


def _retakes_from(half: Half) -> date:
    """Debts are retaken from a week after the winter session, and from September for the summer's."""
    if half.half == 2:
        return date(half.year + 1, 9, 2)
    return default_session(half)[1] + timedelta(days=7)


# --------------------------------------------------------------------------- КТП


def build_plan(
    subject: SubjectSpec, lessons: int, form: AttestationForm, rng: random.Random
) -> list[tuple[str, str, str, str, int]]:
    """The КТП lines (title, kind, theme, homework, work number) for `lessons` lessons of a subject.

    Themes are spread evenly; within a theme the style's pattern alternates theory and practice;
    a control work closes each part of the course (at a theme boundary), and the last lesson
    prepares the attestation.
    """
    if lessons <= 0:
        return []
    style = subject.style
    graded_parts = style not in (catalog.SPORT, catalog.PRACTICE) and lessons >= 8
    controls = max(1, round(lessons / 14)) if graded_parts else 0
    final_title, final_kind = FINAL_TITLES[form]
    if style == catalog.SPORT and form == AttestationForm.other:
        final_title, final_kind = "Сдача контрольных нормативов", "sport"
    if style == catalog.PRACTICE:
        closes = form in (AttestationForm.diff_credit, AttestationForm.credit, AttestationForm.qual_exam)
        final_title, final_kind = (
            ("Дифференцированный зачёт по практике", "final")
            if closes
            else ("Подведение итогов этапа практики", "work")
        )
    content = lessons - controls - 1
    themes = subject.themes
    pattern = STYLE_PATTERN[style]
    numbers: Counter[str] = Counter()
    parts: list[list[tuple[str, str, str, str, int]]] = []  # the lessons of each theme
    for i, theme in enumerate(themes):
        part = []
        for j in range((i + 1) * content // len(themes) - i * content // len(themes)):
            kind = pattern[j % len(pattern)]
            number = 0
            if kind in ("practice", "lab"):
                numbers[kind] += 1
                number = numbers[kind]
            homework = homework_text(kind, theme, number, rng, paragraph=f"{i + 1}.{j + 1}")
            part.append((_title(kind, theme, j, number), kind, theme, homework, number))
        if part:
            parts.append(part)
    # Control work k closes the theme whose end is nearest to the k-th share of the course.
    ends = list(itertools.accumulate(len(p) for p in parts))
    closing = {
        min(range(len(parts)), key=lambda i: abs(ends[i] - k * content / (controls + 1)))
        for k in range(1, controls + 1)
    }
    lines: list[tuple[str, str, str, str, int]] = []
    for i, part in enumerate(parts):
        lines += part
        if i in closing:
            theme, number = part[-1][2], sum(1 for line in lines if line[1] == "control") + 1
            lines.append((f"Контрольная работа №{number} по теме «{theme}»", "control", theme, "", number))
    while len(lines) < lessons - 1:  # two controls closed the same theme: the course revises instead
        theme = lines[-1][2] if lines else themes[-1]
        lines.append((f"Повторение по теме «{theme}»", "theory", theme, "", 0))
    lines.append((final_title, final_kind, themes[-1], "", 0))
    return lines


def _title(kind: str, theme: str, repeat: int, number: int) -> str:
    if kind == "practice":
        return f"Практическая работа №{number}. {theme}"
    if kind == "lab":
        return f"Лабораторная работа №{number}. {theme}"
    if kind == "exercise":
        return f"Решение задач по теме «{theme}»"
    if kind == "seminar":
        return f"Семинар: {theme}"
    if kind == "language":
        return theme if repeat == 0 else f"{theme}. {LANGUAGE_ASPECTS[(repeat - 1) % len(LANGUAGE_ASPECTS)]}"
    if kind == "sport":
        return theme if repeat == 0 else f"{theme}. Совершенствование техники"
    return theme if repeat == 0 else f"{theme} (продолжение)"


def homework_text(kind: str, theme: str, number: int, rng: random.Random, paragraph: str = "1.1") -> str:
    """A homework as teachers word it; empty for lessons that set none (КТП homework is optional)."""
    if kind in NO_HOMEWORK_KINDS:
        return ""
    if kind == "practice":
        return f"Оформить отчёт по практической работе №{number}"
    if kind == "lab":
        return f"Оформить отчёт по лабораторной работе №{number}, сделать выводы"
    if kind == "exercise":
        first = rng.randint(1, 60) * 5
        return f"Решить задачи № {first}–{first + rng.randint(3, 6)}"
    if kind == "seminar":
        return "Повторить материал темы, подготовить выступление"
    if kind == "language":
        exercise, page = rng.randint(1, 12), rng.randint(10, 180)
        return rng.choice(
            (
                f"Выучить новые слова, упр. {exercise} на с. {page}",
                f"Упр. {exercise} на с. {page} письменно",
                "Подготовить пересказ текста",
                "Составить диалог по теме",
            )
        )
    return rng.choice(
        (
            "Выучить конспект лекции, ответить на контрольные вопросы",
            f"Учебник: § {paragraph}, вопросы в конце параграфа",
            f"Конспект, § {paragraph}",
            f"Подготовить сообщение по теме «{theme}»",
            "",
        )
    )


EMAIL_SHARE = 0.6  # guardians who gave the curator an address for the diary's letters


def _demo_email(person: Person, guardian_id: int, always: bool) -> str:
    """An address for most guardians (the demo login's always: its letters are the ones shown),
    drawn apart from the college's generator so the rest of the demo stays as it was."""
    if not always and random.Random(guardian_id).random() >= EMAIL_SHARE:
        return ""
    return f"{translit(person.last_name)}.{translit(person.first_name[0])}{guardian_id}@example.ru".lower()
