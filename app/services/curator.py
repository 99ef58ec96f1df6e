"""The curator's group (Моя группа): the list of students and guardians kept true, credentials for the
diary, valid reasons for absences, and the group at a glance.

A curator acts only on the groups they curate; the deputy director and the officer on any group of
their college. Every change is one transaction, audited with its values before and after; a refusal
is audited too. Nothing here deletes a student: one who leaves gets `left_on`, and their marks and
attendance stay in the journal.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import audit, validation
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
    Attendance,
    Guardian,
    Lesson,
    Student,
    StudentGuardian,
    StudyGroup,
    Teacher,
    UserAccount,
    UserRole,
)
from app.services import accounts
from app.services.journal import college_today
from app.validation import Invalid, translit

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


# --------------------------------------------------------------------------- the group list


def group_list(
    actor: Actor, group_id: int, *, session: Session, include_left: bool = False
) -> list[StudentRow]:
    """The group's students with their guardians and contacts (two queries, whatever the size)."""
    _group(session, actor, group_id)
    query = select(Student, UserAccount.login).join(
        UserAccount, col(UserAccount.id) == Student.user_id, isouter=True
    )
    query = query.where(Student.study_group_id == group_id)
    if not include_left:
        query = query.where(col(Student.left_on).is_(None))
    students = list(
        session.exec(
            query.order_by(col(Student.last_name), col(Student.first_name), col(Student.middle_name))
        )
    )
    ids = [s.id for s, _ in students]
    guardians: dict[int, list[GuardianRow]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(StudentGuardian.student_id, StudentGuardian.relation, Guardian, UserAccount.login)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .join(UserAccount, col(UserAccount.id) == Guardian.user_id, isouter=True)
            .where(col(StudentGuardian.student_id).in_(ids))
            .order_by(col(Guardian.last_name), col(Guardian.first_name))
        )
        for student_id, relation, g, login in rows:
            assert g.id is not None
            guardians[student_id].append(
                GuardianRow(g.id, g.last_name, g.first_name, g.middle_name, relation, g.phone, g.email, login)
            )
    out = []
    for s, login in students:
        assert s.id is not None
        out.append(
            StudentRow(
                s.id,
                s.last_name,
                s.first_name,
                s.middle_name,
                s.birth_date,
                s.subgroup,
                s.enrolled_on,
                s.left_on,
                login,
                tuple(guardians.get(s.id, ())),
            )
        )
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


# --------------------------------------------------------------------------- students


def add_student(actor: Actor, group_id: int, data: StudentData, *, session: Session) -> int:
    details: dict[str, Any] = {"group_id": group_id}
    with audit.user_action(
        session, actor, "student.add", entity="study_group", entity_id=group_id, details=details
    ):
        group = _group(session, actor, group_id)
        today = college_today(session=session)
        values = _student_values(data, today)
        enrolled_on = data.enrolled_on or today
        if values["birth_date"] is not None and enrolled_on <= values["birth_date"]:
            raise DomainError("Дата зачисления раньше даты рождения.")
        twin = session.exec(
            select(Student.id).where(
                Student.study_group_id == group_id,
                col(Student.left_on).is_(None),
                Student.last_name == values["last_name"],
                Student.first_name == values["first_name"],
                Student.middle_name == values["middle_name"],
                Student.birth_date == values["birth_date"],
            )
        ).first()
        if twin is not None:
            raise DomainError(
                f"{full_name(values['last_name'], values['first_name'])} уже есть в группе {group.name}."
            )
        student = Student(
            college_id=actor.college_id, study_group_id=group_id, enrolled_on=enrolled_on, **values
        )
        session.add(student)
        session.flush()
        assert student.id is not None
        details["after"] = _jsonable({**values, "enrolled_on": enrolled_on})
        audit.record(session, actor, "student.add", entity="student", entity_id=student.id, details=details)
        student_id = student.id
    return student_id


_STUDENT_KEYS = ["last_name", "first_name", "middle_name", "birth_date", "subgroup"]


def update_student(actor: Actor, student_id: int, data: StudentData, *, session: Session) -> None:
    details: dict[str, Any] = {}
    with audit.user_action(
        session, actor, "student.update", entity="student", entity_id=student_id, details=details
    ):
        student = _student(session, actor, student_id, lock=True)
        values = _student_values(data, college_today(session=session))
        if values["birth_date"] is not None and student.enrolled_on <= values["birth_date"]:
            raise DomainError("Дата рождения позже даты зачисления.")
        before = _snapshot(student, _STUDENT_KEYS)
        after = _jsonable(values)
        if before == after:
            raise DomainError("Нечего сохранять: данные не изменились.", code="nothing")
        for key, value in values.items():
            setattr(student, key, value)
        session.add(student)
        details.update(before=before, after=after)
        audit.record(
            session, actor, "student.update", entity="student", entity_id=student_id, details=details
        )


def move_out(actor: Actor, student_id: int, left_on: date, reason: str, *, session: Session) -> None:
    """The student leaves the group on `left_on` (отчисление, перевод): the row and its history stay."""
    details: dict[str, Any] = {"left_on": left_on.isoformat(), "reason": reason.strip()[:MAX_REASON]}
    with audit.user_action(
        session, actor, "student.move_out", entity="student", entity_id=student_id, details=details
    ):
        student = _student(session, actor, student_id, lock=True)
        who = full_name(student.last_name, student.first_name)
        if not reason.strip():
            raise DomainError("Укажите основание выбытия (например, «приказ № 112-к от 20.11.2026»).")
        if student.left_on is not None:
            raise DomainError(f"{who} уже выбыл(а) {fmt_date(student.left_on)}.")
        if left_on <= student.enrolled_on:
            raise DomainError(
                f"Дата выбытия должна быть позже даты зачисления ({fmt_date(student.enrolled_on)})."
            )
        last = session.execute(
            text(
                """
                SELECT max(l.lesson_date) FROM lesson l
                WHERE l.id IN (SELECT lesson_id FROM mark WHERE student_id = :sid
                               UNION SELECT lesson_id FROM attendance WHERE student_id = :sid)
                """
            ),
            {"sid": student_id},
        ).scalar_one()
        if last is not None and left_on <= last:
            # The journal keeps what was recorded: a student must still be on the roster of those lessons.
            raise DomainError(
                f"У {who} есть записи в журнале за {fmt_date(last)}: дата выбытия должна быть позже этого дня."
            )
        student.left_on = left_on
        session.add(student)
        details.update(before={"left_on": None}, after={"left_on": left_on.isoformat()})
        audit.record(
            session, actor, "student.move_out", entity="student", entity_id=student_id, details=details
        )


# --------------------------------------------------------------------------- guardians


def add_guardian(
    actor: Actor, student_id: int, data: GuardianData, relation: str = "родитель", *, session: Session
) -> int:
    details: dict[str, Any] = {"student_id": student_id}
    with audit.user_action(
        session, actor, "guardian.add", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        values = _guardian_values(data)
        rel = _relation(relation)
        guardian = Guardian(college_id=actor.college_id, **values)
        session.add(guardian)
        session.flush()
        assert guardian.id is not None
        session.add(StudentGuardian(student_id=student_id, guardian_id=guardian.id, relation=rel))
        details.update(after={**values, "relation": rel})
        audit.record(
            session, actor, "guardian.add", entity="guardian", entity_id=guardian.id, details=details
        )
        guardian_id = guardian.id
    return guardian_id


_GUARDIAN_KEYS = ["last_name", "first_name", "middle_name", "phone", "email"]


def update_guardian(actor: Actor, guardian_id: int, data: GuardianData, *, session: Session) -> None:
    details: dict[str, Any] = {}
    with audit.user_action(
        session, actor, "guardian.update", entity="guardian", entity_id=guardian_id, details=details
    ):
        guardian = _guardian(session, actor, guardian_id, lock=True)
        values = _guardian_values(data)
        before = _snapshot(guardian, _GUARDIAN_KEYS)
        if before == values:
            raise DomainError("Нечего сохранять: данные не изменились.", code="nothing")
        for key, value in values.items():
            setattr(guardian, key, value)
        session.add(guardian)
        if guardian.user_id is not None:
            account = session.get(UserAccount, guardian.user_id)
            if account is not None:
                account.full_name = full_name(
                    values["last_name"], values["first_name"], values["middle_name"]
                )
                session.add(account)
        details.update(before=before, after=values)
        audit.record(
            session, actor, "guardian.update", entity="guardian", entity_id=guardian_id, details=details
        )


def _literal(name: str) -> str:
    """A typed name as an ILIKE pattern matching only itself: «%» and «_» are letters here."""
    name = " ".join(name.split())
    return name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _curated_guardian_ids(actor: Actor) -> Any:
    """The guardians of students in the groups the actor curates, as a subquery."""
    return (
        select(StudentGuardian.guardian_id)
        .join(Student, col(Student.id) == StudentGuardian.student_id)
        .join(StudyGroup, col(StudyGroup.id) == Student.study_group_id)
        .where(StudyGroup.curator_teacher_id == actor.teacher_id)
    )


def find_guardians(actor: Actor, last_name: str, first_name: str, *, session: Session) -> list[GuardianRow]:
    """Guardians of the college with this name (a second child's curator links the same person).
    Only the name and a masked phone are shown: the match is to be confirmed with the family."""
    if not actor.has(Role.curator, Role.deputy, Role.officer):
        return []
    query = (
        select(Guardian, UserAccount.login)
        .join(UserAccount, col(UserAccount.id) == Guardian.user_id, isouter=True)
        .where(
            Guardian.college_id == actor.college_id,
            col(Guardian.last_name).ilike(_literal(last_name), escape="\\"),
            col(Guardian.first_name).ilike(_literal(first_name), escape="\\"),
        )
        .order_by(col(Guardian.middle_name))
        .limit(20)
    )
    if not actor.has(Role.deputy, Role.officer):
        # a curator finds only the guardians of their own groups' students (a second child's
        # curator links the same person: both groups are theirs, or the officer links it)
        query = query.where(col(Guardian.id).in_(_curated_guardian_ids(actor)))
    rows = session.exec(query)
    out = []
    for g, login in rows:
        assert g.id is not None
        masked = f"{g.phone[:6]}…{g.phone[-2:]}" if len(g.phone) > 8 else ""
        out.append(GuardianRow(g.id, g.last_name, g.first_name, g.middle_name, "", masked, "", login))
    return out


def link_guardian(
    actor: Actor, student_id: int, guardian_id: int, relation: str = "родитель", *, session: Session
) -> None:
    details: dict[str, Any] = {"guardian_id": guardian_id}
    with audit.user_action(
        session, actor, "guardian.link", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        # the guardian must be one the actor may act on already: a curator cannot attach another
        # group's parent to a student of theirs and then reset that parent's password
        _guardian(session, actor, guardian_id)
        if session.get(StudentGuardian, (student_id, guardian_id)) is not None:
            raise DomainError("Этот родитель уже указан у студента.")
        rel = _relation(relation)
        session.add(StudentGuardian(student_id=student_id, guardian_id=guardian_id, relation=rel))
        details.update(relation=rel)
        audit.record(session, actor, "guardian.link", entity="student", entity_id=student_id, details=details)


def unlink_guardian(actor: Actor, student_id: int, guardian_id: int, *, session: Session) -> None:
    """The guardian no longer reads this student's diary; the guardian's record itself stays."""
    details: dict[str, Any] = {"guardian_id": guardian_id}
    with audit.user_action(
        session, actor, "guardian.unlink", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        link = session.get(StudentGuardian, (student_id, guardian_id))
        if link is None:
            raise NotFound("Этот родитель не указан у студента.")
        details.update(before={"relation": link.relation})
        session.delete(link)
        audit.record(
            session, actor, "guardian.unlink", entity="student", entity_id=student_id, details=details
        )


# --------------------------------------------------------------------------- credentials


def suggest_login(session: Session, last_name: str, first_name: str, middle_name: str = "") -> str:
    """«Абрамова Ольга Ивановна» -> «abramova.oi», or «abramova.oi2» … when taken."""
    initials = translit("".join(p[0] for p in (first_name, middle_name) if p))
    base = ".".join(p for p in (translit(last_name).replace(" ", "").replace("'", ""), initials) if p)
    base = re.sub(r"[^a-z0-9.]", "", base) or "user"
    taken = set(
        session.exec(
            select(UserAccount.login).where(col(UserAccount.login).startswith(base, autoescape=True))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def issue_student_credentials(
    actor: Actor, student_id: int, *, session: Session, login: str | None = None
) -> Credentials:
    """A login (new or existing) and a one-time password to hand to the student."""
    details: dict[str, Any] = {"student_id": student_id}
    with audit.user_action(
        session, actor, "credentials.issue", entity="student", entity_id=student_id, details=details
    ):
        student = _student(session, actor, student_id, lock=True)
        if student.left_on is not None:
            raise DomainError("Студент выбыл из группы: доступ к дневнику ему не выдаётся.")
        creds = _issue(session, actor, student, Role.student, login, details)
        creds = replace(creds, students=creds.full_name, group=_group_name(session, student.study_group_id))
        audit.record(
            session, actor, "credentials.issue", entity="student", entity_id=student_id, details=details
        )
    return creds


def issue_guardian_credentials(
    actor: Actor, guardian_id: int, *, session: Session, login: str | None = None
) -> Credentials:
    """A login (new or existing) and a one-time password to hand to the guardian (§3.1.2)."""
    details: dict[str, Any] = {"guardian_id": guardian_id}
    with audit.user_action(
        session, actor, "credentials.issue", entity="guardian", entity_id=guardian_id, details=details
    ):
        guardian = _guardian(session, actor, guardian_id, lock=True)
        creds = _issue(session, actor, guardian, Role.guardian, login, details)
        children = _children_of(session, actor, guardian_id)
        creds = replace(
            creds,
            students=", ".join(name for name, _ in children),
            group=", ".join(sorted({grp for _, grp in children})),
        )
        audit.record(
            session, actor, "credentials.issue", entity="guardian", entity_id=guardian_id, details=details
        )
    return creds


def issue_group_credentials(
    actor: Actor,
    group_id: int,
    *,
    session: Session,
    students: bool = True,
    guardians: bool = True,
    reissue: bool = False,
) -> GroupCredentials:
    """Logins and one-time passwords for a whole group at once, for the printed slips.

    By default only those who have no login yet get one; `reissue` also replaces the passwords of
    those who have (the old ones stop working). People whose password is not the curator's to give
    (staff accounts, disabled accounts) are passed over and named. One transaction: all or nothing.
    """
    details: dict[str, Any] = {"students": students, "guardians": guardians, "reissue": reissue}
    with audit.user_action(
        session, actor, "credentials.issue_group", entity="study_group", entity_id=group_id, details=details
    ):
        group = _group(session, actor, group_id)
        if not (students or guardians):
            raise DomainError("Выберите, кому выдать доступ: студентам, родителям или всем.")
        rows = group_list(actor, group_id, session=session)
        issued: list[Credentials] = []
        skipped: list[str] = []
        children: dict[int, list[str]] = defaultdict(list)
        guardian_rows: dict[int, GuardianRow] = {}
        for row in rows:
            for g in row.guardians:
                children[g.id].append(row.name)
                guardian_rows.setdefault(g.id, g)
        people: list[tuple[Student | Guardian, Role, str | None, str]] = []
        if students:
            for row in rows:
                student = _student(session, actor, row.id, lock=True)
                people.append((student, Role.student, row.login, row.name))
        if guardians:
            for gid, g in sorted(guardian_rows.items(), key=lambda item: item[1].name):
                people.append(
                    (
                        _guardian(session, actor, gid, lock=True),
                        Role.guardian,
                        g.login,
                        ", ".join(children[gid]),
                    )
                )
        for person, role, login, whose in people:
            name = full_name(person.last_name, person.first_name, person.middle_name)
            if login is not None and not reissue:
                continue
            one: dict[str, Any] = {}
            try:
                creds = _issue(session, actor, person, role, None, one)
            except DomainError as exc:  # AccessDenied included: not the curator's password to give
                skipped.append(f"{name} — {exc.message}")
                continue
            issued.append(replace(creds, students=whose, group=group.name))
            audit.record(
                session,
                actor,
                "credentials.issue",
                entity="student" if role is Role.student else "guardian",
                entity_id=person.id,
                details={**one, "group_id": group_id, "batch": True},
            )
        details.update(issued=len(issued), skipped=len(skipped))
        audit.record(
            session,
            actor,
            "credentials.issue_group",
            entity="study_group",
            entity_id=group_id,
            details=details,
        )
    return GroupCredentials(issued, skipped)


def _group_name(session: Session, group_id: int) -> str:
    group = session.get(StudyGroup, group_id)
    return group.name if group is not None else ""


def _children_of(session: Session, actor: Actor, guardian_id: int) -> list[tuple[str, str]]:
    """(student, group) of the guardian's current children in the actor's college."""
    rows = session.exec(
        select(Student, StudyGroup.name)
        .join(StudentGuardian, col(StudentGuardian.student_id) == Student.id)
        .join(StudyGroup, col(StudyGroup.id) == Student.study_group_id)
        .where(
            StudentGuardian.guardian_id == guardian_id,
            StudyGroup.college_id == actor.college_id,
            col(Student.left_on).is_(None),
        )
        .order_by(col(Student.last_name), col(Student.first_name))
    )
    return [(full_name(s.last_name, s.first_name, s.middle_name), grp) for s, grp in rows]


def _may_hand_out(session: Session, actor: Actor, person: Student | Guardian) -> None:
    """Whoever hands out a diary password can log in as its holder before handing it over, so only
    someone who may already read every diary it opens does: the deputy director, or the curator of
    every group those diaries are in (a guardian's children may be in several). The officer issues
    staff accounts, and reads no diaries."""
    if actor.has(Role.deputy):
        return
    if not actor.has(Role.curator) or actor.teacher_id is None:
        raise AccessDenied(
            "Доступ к дневнику выдают куратор группы и заместитель директора; ответственный за "
            "электронный журнал выдаёт учётные записи сотрудников."
        )
    if isinstance(person, Student):
        group_ids = {person.study_group_id}
    else:
        group_ids = set(
            session.exec(
                select(Student.study_group_id)
                .join(StudentGuardian, col(StudentGuardian.student_id) == Student.id)
                .where(StudentGuardian.guardian_id == person.id)
            )
        )
    curated = set(
        session.exec(select(StudyGroup.id).where(StudyGroup.curator_teacher_id == actor.teacher_id))
    )
    if not group_ids <= curated:
        raise AccessDenied(
            "Дети этого родителя учатся и в других группах: доступ к дневнику выдаёт заместитель директора."
        )


def _issue(
    session: Session,
    actor: Actor,
    person: Student | Guardian,
    role: Role,
    login: str | None,
    details: dict[str, Any],
) -> Credentials:
    _may_hand_out(session, actor, person)
    name = full_name(person.last_name, person.first_name, person.middle_name)
    if person.user_id is not None:
        account = session.exec(
            select(UserAccount).where(UserAccount.id == person.user_id).with_for_update()
        ).one()
        roles = set(session.exec(select(UserRole.role).where(UserRole.user_id == account.id)))
        if not roles <= DIARY_ROLES:
            # A guardian who also works at the college: their password is the officer's business.
            raise AccessDenied(
                "У этой учётной записи есть права сотрудника: пароль выдаёт ответственный за электронный журнал."
            )
        if not account.is_active:
            raise DomainError(
                "Учётная запись отключена: включить её может ответственный за электронный журнал."
            )
        password = accounts.reset_initial_password(session, actor, account)
        details.update(login=account.login, new_account=False)
        return Credentials(account.login, password, name, False, role, expires_at=account.password_expires_at)
    if login is not None and login.strip():
        login = _checked(validation.login, login)
    else:
        login = suggest_login(session, person.last_name, person.first_name, person.middle_name)
    user_id, initial = accounts.add_user(
        session, actor, college_id=actor.college_id, login=login, full_name=name, roles={role}
    )
    assert initial is not None
    person.user_id = user_id
    session.add(person)
    details.update(login=login, new_account=True, user_id=user_id)
    created = session.get(UserAccount, user_id)
    return Credentials(
        login, initial, name, True, role, expires_at=created.password_expires_at if created else None
    )


# --------------------------------------------------------------------------- absences


def absences(
    actor: Actor, student_id: int, start: date, end: date, *, session: Session, only_unexcused: bool = True
) -> list[AbsenceRow]:
    """The student's absences over [start, end], for the curator to record valid reasons."""
    _student(session, actor, student_id)
    statuses = ["absent"] if only_unexcused else ["absent", "excused"]
    rows = session.execute(
        text(
            """
            SELECT a.id, l.lesson_date, l.pair_number, s.name AS subject, l.hours, a.status, a.reason,
                   a.reason_document_date
            FROM attendance a
            JOIN lesson l ON l.id = a.lesson_id
            JOIN subject s ON s.id = l.subject_id
            WHERE a.student_id = :sid AND a.status = ANY(:statuses)
              AND l.lesson_date BETWEEN :start AND :end
            ORDER BY l.lesson_date, l.pair_number
            """
        ),
        {"sid": student_id, "statuses": statuses, "start": start, "end": end},
    ).mappings()
    return [
        AbsenceRow(
            r["id"],
            r["lesson_date"],
            r["pair_number"],
            r["subject"],
            r["hours"],
            AttendanceStatus(r["status"]),
            r["reason"],
            r["reason_document_date"],
        )
        for r in rows
    ]


def excuse_absences(
    actor: Actor,
    student_id: int,
    attendance_ids: list[int],
    reason_kind: str,
    document_date: date,
    note: str = "",
    *,
    session: Session,
) -> int:
    """Record a valid reason for the chosen absences: «н» becomes «ув». Marks are never touched."""
    details: dict[str, Any] = {
        "student_id": student_id,
        "attendance_ids": sorted(set(attendance_ids)),
        "reason_kind": reason_kind,
        "document_date": document_date.isoformat(),
    }
    with audit.user_action(
        session, actor, "attendance.excuse", entity="student", entity_id=student_id, details=details
    ):
        _student(session, actor, student_id)
        if not attendance_ids:
            raise DomainError("Выберите пропуски, для которых есть уважительная причина.")
        if reason_kind not in REASON_KINDS:
            raise DomainError("Укажите основание: " + ", ".join(REASON_KINDS).lower() + ".")
        today = college_today(session=session)
        if document_date > today:
            raise DomainError("Дата документа не может быть в будущем.")
        note = " ".join(note.split())
        reason = reason_kind + (f": {note}" if note else "")
        if len(reason) > MAX_REASON:
            raise DomainError(f"Основание длиннее {MAX_REASON} символов: сократите примечание.")
        rows = session.exec(
            select(Attendance, col(Lesson.lesson_date))
            .join(Lesson, col(Lesson.id) == Attendance.lesson_id)
            .where(col(Attendance.id).in_(sorted(set(attendance_ids))))
            .with_for_update(of=Attendance)
        ).all()
        if len(rows) != len(set(attendance_ids)) or any(a.student_id != student_id for a, _ in rows):
            raise DomainError("Среди выбранных есть пропуски другого студента: обновите страницу.")
        for a, day in rows:
            if a.status != AttendanceStatus.absent.value:
                raise DomainError(f"Пропуск {fmt_date(day)} уже не «н»: обновите страницу.")
            if day > today:
                raise DomainError(f"Занятие {fmt_date(day)} ещё не наступило.")
        for a, day in sorted(rows, key=lambda r: (r[1], r[0].id or 0)):
            before = {"status": a.status, "reason": a.reason}
            a.status = AttendanceStatus.excused.value
            a.reason = reason
            a.reason_document_date = document_date
            session.add(a)
            audit.record(
                session,
                actor,
                "attendance.excuse",
                entity="attendance",
                entity_id=a.id,
                details={
                    "student_id": student_id,
                    "lesson_date": day.isoformat(),
                    "before": before,
                    "after": {"status": a.status, "reason": reason},
                    "document_date": document_date.isoformat(),
                },
            )
        count = len(rows)
    return count
