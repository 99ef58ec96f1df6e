"""The curator's data, access checks and input checks, shared by the parts of the group's keeping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app import validation
from app.actor import Actor
from app.domain import (
    AttendanceStatus,
    Role,
    fmt_date,
    full_name,
    short_name,
)
from app.errors import AccessDenied, DomainError, NotFound
from app.models import (
    Guardian,
    Student,
    StudentGuardian,
    StudyGroup,
    Teacher,
)
from app.validation import Invalid

# The documents a valid reason for an absence rests on.
REASON_KINDS: tuple[str, ...] = ("Справка", "Приказ", "Заявление родителей")
RELATIONS: tuple[str, ...] = ("мать", "отец", "бабушка", "дедушка", "опекун", "родитель", "другое")
# Accounts a curator may issue a password for: the diary's readers, never staff.
DIARY_ROLES = frozenset({Role.student.value, Role.guardian.value})
MAX_REASON = 300


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class StudentData:
    last_name: str
    first_name: str
    middle_name: str = ""
    birth_date: date | None = None
    subgroup: int = 1
    enrolled_on: date | None = None  # a new student: defaults to today
    email: str | None = None  # for e-mail notices (app.notify); None: keep the address as it is


@dataclass(frozen=True)
class GuardianData:
    last_name: str
    first_name: str
    middle_name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class GroupRef:
    id: int
    name: str
    curator: str


@dataclass(frozen=True)
class GuardianRow:
    id: int
    last_name: str
    first_name: str
    middle_name: str
    relation: str
    phone: str
    email: str
    login: str | None

    @property
    def name(self) -> str:
        return full_name(self.last_name, self.first_name, self.middle_name)


@dataclass(frozen=True)
class StudentRow:
    id: int
    last_name: str
    first_name: str
    middle_name: str
    birth_date: date | None
    subgroup: int
    enrolled_on: date
    left_on: date | None
    login: str | None
    guardians: tuple[GuardianRow, ...]
    email: str = ""

    @property
    def name(self) -> str:
        return full_name(self.last_name, self.first_name, self.middle_name)


@dataclass(frozen=True)
class Credentials:
    login: str
    password: str  # shown once: only its hash is kept
    full_name: str
    new_account: bool
    role: Role = Role.student
    students: str = ""  # whose diary it opens (a guardian's children in the group)
    group: str = ""
    expires_at: datetime | None = None  # when the one-time password stops working
    position: str = ""  # a staff account's roles, for the officer's slip («Преподаватель, куратор …»)


@dataclass(frozen=True)
class GroupCredentials:
    """What issuing a whole group's credentials did: the slips to print and who was passed over."""

    issued: list[Credentials]
    skipped: list[str]  # «ФИО — why», for the curator to settle one by one


@dataclass(frozen=True)
class AbsenceRow:
    attendance_id: int
    lesson_date: date
    pair_number: int
    subject: str
    hours: int
    status: AttendanceStatus
    reason: str
    document_date: date | None = None

    @property
    def reason_text(self) -> str:
        """«справка от 01.12.2026: № 15», as the curator entered it."""
        kind, sep, note = self.reason.partition(":")
        dated = f"{kind} от {fmt_date(self.document_date)}" if self.document_date else kind
        return dated + sep + note if sep else dated


# --------------------------------------------------------------------------- access


def _may_act_on(actor: Actor, group: StudyGroup) -> bool:
    if group.college_id != actor.college_id:
        return False
    if actor.has(Role.deputy, Role.officer):
        return True
    return (
        actor.has(Role.curator)
        and actor.teacher_id is not None
        and group.curator_teacher_id == actor.teacher_id
    )


def _group(session: Session, actor: Actor, group_id: int) -> StudyGroup:
    group = session.get(StudyGroup, group_id)
    if group is None or group.college_id != actor.college_id:
        raise NotFound("Группа не найдена.")
    if not _may_act_on(actor, group):
        raise AccessDenied("Эта группа вам недоступна: куратор работает только со своими группами.")
    return group


def _student(session: Session, actor: Actor, student_id: int, *, lock: bool = False) -> Student:
    query = select(Student).where(Student.id == student_id)
    student = session.exec(query.with_for_update() if lock else query).first()
    if student is None or student.college_id != actor.college_id:
        raise NotFound("Студент не найден.")
    _group(session, actor, student.study_group_id)
    return student


def _guardian(session: Session, actor: Actor, guardian_id: int, *, lock: bool = False) -> Guardian:
    """A guardian the actor may act on: one of a student in a group the actor may act on."""
    query = select(Guardian).where(Guardian.id == guardian_id)
    guardian = session.exec(query.with_for_update() if lock else query).first()
    if guardian is None or guardian.college_id != actor.college_id:
        raise NotFound("Родитель (законный представитель) не найден.")
    if actor.has(Role.deputy, Role.officer):
        return guardian
    groups = session.exec(
        select(StudyGroup)
        .join(Student, col(Student.study_group_id) == StudyGroup.id)
        .join(StudentGuardian, col(StudentGuardian.student_id) == Student.id)
        .where(StudentGuardian.guardian_id == guardian_id)
    ).all()
    if not any(_may_act_on(actor, g) for g in groups):
        raise AccessDenied("Этот родитель не относится к студентам ваших групп.")
    return guardian


def groups(actor: Actor, *, session: Session) -> list[GroupRef]:
    """The groups the actor keeps: curated ones, or (deputy director, officer) every group of the college."""
    query = (
        select(StudyGroup, Teacher)
        .join(Teacher, col(Teacher.id) == StudyGroup.curator_teacher_id, isouter=True)
        .where(StudyGroup.college_id == actor.college_id)
        .order_by(col(StudyGroup.name))
    )
    if not actor.has(Role.deputy, Role.officer):
        if not actor.has(Role.curator) or actor.teacher_id is None:
            return []
        query = query.where(StudyGroup.curator_teacher_id == actor.teacher_id)
    out = []
    for group, teacher in session.exec(query):
        assert group.id is not None
        curator = short_name(teacher.last_name, teacher.first_name, teacher.middle_name) if teacher else ""
        out.append(GroupRef(group.id, group.name, curator))
    return out


# --------------------------------------------------------------------------- validation


def _checked(check: Callable[[str], str], value: str) -> str:
    """app.validation's rule, its refusal as this service's."""
    try:
        return check(value)
    except Invalid as exc:
        raise DomainError(exc.message) from None


def _name(value: str, title: str, *, required: bool = True) -> str:
    value = _checked(lambda v: validation.name_part(v, title), value)
    if not value and required:
        raise DomainError(f"Укажите {title}.")
    return value


def _student_values(data: StudentData, today: date) -> dict[str, Any]:
    values: dict[str, Any] = {
        "last_name": _name(data.last_name, "фамилию"),
        "first_name": _name(data.first_name, "имя"),
        "middle_name": _name(data.middle_name, "отчество", required=False),
        "birth_date": data.birth_date,
        "subgroup": data.subgroup,
    }
    if data.birth_date is not None:
        if data.birth_date > today:
            raise DomainError("Дата рождения не может быть в будущем.")
        if data.birth_date < date(today.year - 100, 1, 1):
            raise DomainError(f"Дата рождения {fmt_date(data.birth_date)} указана неверно.")
    if data.subgroup not in (1, 2):
        raise DomainError("Подгруппа — 1 или 2.")
    if data.email is not None:
        values["email"] = _checked(validation.email, data.email)
    return values


def _guardian_values(data: GuardianData) -> dict[str, Any]:
    return {
        "last_name": _name(data.last_name, "фамилию"),
        "first_name": _name(data.first_name, "имя"),
        "middle_name": _name(data.middle_name, "отчество", required=False),
        "phone": _checked(validation.phone, data.phone),
        "email": _checked(validation.email, data.email),
    }


def _relation(value: str) -> str:
    value = " ".join(value.split()).lower() or "родитель"
    if len(value) > 30:
        raise DomainError("Степень родства длиннее 30 символов.")
    return value


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _snapshot(row: Student | Guardian, keys: list[str]) -> dict[str, Any]:
    return _jsonable({k: getattr(row, k) for k in keys})
