"""Diary credentials for students and guardians: a login and a one-time password, one or the whole group."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, select

from app import audit, validation
from app.actor import Actor
from app.domain import (
    Role,
    full_name,
)
from app.errors import AccessDenied, DomainError
from app.models import (
    Guardian,
    Student,
    StudentGuardian,
    StudyGroup,
    UserAccount,
    UserRole,
)
from app.services import accounts
from app.services.curator.common import (
    DIARY_ROLES,
    Credentials,
    GroupCredentials,
    GuardianRow,
    _checked,
    _group,
    _guardian,
    _student,
)
from app.services.curator.roster import group_list
from app.validation import translit

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
