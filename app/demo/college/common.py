"""What the parts of a demo college's build share: the fixed people and groups behind the demo
accounts, what the build hands on (teachers, groups, students, streams, slots, the college), the ids
and the builder's state."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.demo.catalog import SpecialitySpec, SubjectSpec
from app.demo.copy import Tables, empty_tables
from app.demo.names import Person
from app.demo.schoolyear import Semester
from app.domain import AttestationForm

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


class _Base:
    """What every part of the build reads and writes: the generator, the ids, the tables, the
    college's id, its clock and semester, the logins and accounts made so far."""

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
