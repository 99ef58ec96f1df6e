"""Administration of accounts (the officer; the director reads): find, roles, disable, unlock, reset.

Every change is one transaction and one audit row with who did it and why. `actor=None` is the
server's own command line (`ejournal user …`): whoever has a shell on the server already owns the
database, so it is not refused, but it is audited like any other change, with the OS user.

A curator is not a stored role: granting «куратор группы ИСП-41» names the teacher as that
group's curator, and revoking it clears the group's curator (migration 0009).
"""

from __future__ import annotations

import getpass
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor
from app.db import db_now
from app.domain import GRANTABLE_ROLES, ROLE_LABELS, Role
from app.errors import AccessDenied, DomainError
from app.models import Guardian, Student, StudyGroup, Teacher, UserAccount, UserRole
from app.services import login_sessions
from app.services.accounts import reset_initial_password

MAX_REASON = 500
LAST_OFFICER = "Это последний ответственный за электронный журнал колледжа: сначала назначьте другого."
FIND_LIMIT = 200  # the page shows this many and asks for a narrower search


@dataclass(frozen=True)
class Account:
    user_id: int
    login: str
    full_name: str
    roles: tuple[str, ...]  # in Russian: «Преподаватель», «Куратор группы ИСП-41»
    is_active: bool
    locked: bool
    must_change_password: bool
    password_expires_at: datetime | None
    teacher_id: int | None
    stored: tuple[Role, ...] = ()  # the user_role rows (every role but the curator's)
    # The curated groups' ids and names, for the page's «снять кураторство» choice.
    curated: tuple[tuple[int, str], ...] = ()

    @property
    def status(self) -> str:
        if not self.is_active:
            return "отключена"
        if self.locked:
            return "заблокирована после неудачных входов"
        if self.must_change_password:
            return "ожидает первого входа"
        return "активна"


def _may_read(actor: Actor | None) -> None:
    if actor is not None and not actor.has(Role.officer, Role.director):
        raise AccessDenied("Учётные записи видят только ответственный за электронный журнал и директор.")


def _may_change(actor: Actor | None) -> None:
    if actor is not None and not actor.has(Role.officer):
        raise AccessDenied("Изменять учётные записи может только ответственный за электронный журнал.")


def _who(actor: Actor | None, reason: str) -> dict[str, str]:
    """The audit details every change carries: why, and from where when no one is logged in."""
    details = {"reason": reason}
    if actor is None:
        details["via"] = "командная строка"
        try:
            details["os_user"] = getpass.getuser()
        except (KeyError, OSError):  # a container user with no passwd entry
            details["os_user"] = "?"
    return details


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Укажите причину: она записывается в журнал аудита.")
    if len(reason) > MAX_REASON:
        raise DomainError(f"Причина длиннее {MAX_REASON} символов: сократите её.")
    return reason


def _account(session: Session, actor: Actor | None, user_id: int) -> UserAccount:
    user = session.get(UserAccount, user_id)
    if user is None or (actor is not None and user.college_id != actor.college_id):
        raise DomainError("Учётная запись не найдена.", code="not_found")
    return user


def _describe(session: Session, users: Sequence[UserAccount]) -> list[Account]:
    """The accounts as the page and the command line show them: three queries for the whole list,
    not three per account."""
    ids = [u.id for u in users if u.id is not None]
    if not ids:
        return []
    now = db_now(session)
    stored: dict[int, set[Role]] = defaultdict(set)
    for uid, role in session.exec(
        select(UserRole.user_id, UserRole.role).where(col(UserRole.user_id).in_(ids))
    ):
        stored[uid].add(Role(role))
    teachers = dict(
        session.exec(select(Teacher.user_id, Teacher.id).where(col(Teacher.user_id).in_(ids))).all()
    )
    curated: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if teachers:
        for gid, name, tid in session.exec(
            select(StudyGroup.id, StudyGroup.name, StudyGroup.curator_teacher_id)
            .where(col(StudyGroup.curator_teacher_id).in_(list(teachers.values())))
            .order_by(StudyGroup.name)
        ):
            if gid is not None and tid is not None:
                curated[tid].append((gid, name))
    out = []
    for user in users:
        assert user.id is not None
        teacher_id = teachers.get(user.id)
        groups = curated.get(teacher_id, []) if teacher_id is not None else []
        roles = tuple(r for r in Role if r in stored[user.id])
        out.append(
            Account(
                user_id=user.id,
                login=user.login,
                full_name=user.full_name,
                roles=tuple(ROLE_LABELS[r] for r in roles)
                + tuple(f"куратор группы {name}" for _, name in groups),
                is_active=user.is_active,
                locked=user.locked_until is not None and user.locked_until > now,
                must_change_password=user.must_change_password,
                password_expires_at=user.password_expires_at,
                teacher_id=teacher_id,
                stored=roles,
                curated=tuple(groups),
            )
        )
    return out


def find_accounts(
    actor: Actor | None,
    *,
    session: Session,
    college_id: int | None = None,
    text: str = "",
    role: Role | None = None,
    limit: int = FIND_LIMIT,
) -> list[Account]:
    """Accounts of the actor's college (the command line: of `college_id`, or all) by login or ФИО."""
    _may_read(actor)
    query = select(UserAccount)
    college = actor.college_id if actor is not None else college_id
    if college is not None:
        query = query.where(UserAccount.college_id == college)
    text = text.strip()
    if text:
        # LIKE's wildcards taken literally: «%» finds a percent sign, not everyone
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                col(UserAccount.login).ilike(pattern, escape="\\"),
                col(UserAccount.full_name).ilike(pattern, escape="\\"),
            )
        )
    if role is Role.curator:
        query = query.where(
            col(UserAccount.id).in_(
                select(Teacher.user_id).join(StudyGroup, col(StudyGroup.curator_teacher_id) == Teacher.id)
            )
        )
    elif role is not None:
        query = query.where(
            col(UserAccount.id).in_(select(UserRole.user_id).where(UserRole.role == role.value))
        )
    users = session.exec(query.order_by(func.lower(UserAccount.full_name), UserAccount.login).limit(limit))
    return _describe(session, list(users))


def account_by_login(actor: Actor | None, login: str, *, session: Session) -> Account:
    _may_read(actor)
    user = session.exec(select(UserAccount).where(UserAccount.login == login.strip().lower())).first()
    if user is None or (actor is not None and user.college_id != actor.college_id):
        raise DomainError(f"Учётная запись «{login.strip()}» не найдена.", code="not_found")
    return _describe(session, [user])[0]


def account(actor: Actor | None, user_id: int, *, session: Session) -> Account:
    _may_read(actor)
    return _describe(session, [_account(session, actor, user_id)])[0]


@dataclass(frozen=True)
class OpenSession:
    session_id: str
    started_at: datetime
    last_seen_at: datetime
    source_address: str
    user_agent: str


def open_sessions(actor: Actor | None, user_id: int, *, session: Session) -> list[OpenSession]:
    """An account's live login sessions, newest first (the officer ends them)."""
    _may_read(actor)
    user = _account(session, actor, user_id)
    assert user.id is not None
    out = []
    for r in login_sessions.live_sessions(user.id, session=session):
        assert r.created_at is not None and r.last_seen_at is not None  # server defaults
        out.append(
            OpenSession(r.id, r.created_at, r.last_seen_at, r.source_address or "—", r.user_agent or "—")
        )
    return out


def college_groups(actor: Actor, *, session: Session) -> dict[int, str]:
    """The actor's college's groups by id, for naming a curator."""
    _may_read(actor)
    rows = session.exec(
        select(StudyGroup.id, StudyGroup.name)
        .where(StudyGroup.college_id == actor.college_id)
        .order_by(StudyGroup.name)
    )
    return {gid: name for gid, name in rows if gid is not None}


def group_by_name(actor: Actor | None, user_id: int, name: str, *, session: Session) -> StudyGroup:
    """A group of the account's college by its name («ИСП-41»), for the command line."""
    user = _account(session, actor, user_id)
    group = session.exec(
        select(StudyGroup).where(
            StudyGroup.college_id == user.college_id, func.lower(StudyGroup.name) == name.strip().lower()
        )
    ).first()
    if group is None:
        raise DomainError(
            f"Группа «{name.strip()}» не найдена в колледже этой учётной записи.", code="not_found"
        )
    return group


def _not_a_student_or_guardian(session: Session, user_id: int) -> None:
    linked = (
        session.exec(select(Student.id).where(Student.user_id == user_id)).first()
        or session.exec(select(Guardian.id).where(Guardian.user_id == user_id)).first()
    )
    if linked:
        raise DomainError(
            "Это учётная запись студента или родителя для дневника: роли сотрудников ей не выдаются. "
            "Создайте сотруднику отдельную учётную запись."
        )


@contextmanager
def _change(
    session: Session,
    actor: Actor | None,
    action: str,
    user_id: int,
    reason: str,
    details: dict[str, object],
    *,
    record: bool = True,
) -> Iterator[tuple[UserAccount, str]]:
    """One change of one account: the officer's check, a reason, one transaction, one audit row
    (with `details` as the body filled them in); a refusal rolls back and is audited instead."""
    with audit.user_action(session, actor, action, entity="user_account", entity_id=user_id, details=details):
        _may_change(actor)
        why = _reason(reason)
        user = _account(session, actor, user_id)
        yield user, why
        if record:
            audit.record(
                session,
                actor,
                action,
                entity="user_account",
                entity_id=user_id,
                college_id=user.college_id,
                details={**details, **_who(actor, why)},
            )


def grant_role(
    actor: Actor | None,
    user_id: int,
    role: Role,
    *,
    session: Session,
    reason: str,
    group_id: int | None = None,
) -> None:
    """Give a staff role; `curator` names the account's teacher as the curator of `group_id`."""
    details: dict[str, object] = {"role": role.value, "group_id": group_id}
    with _change(session, actor, "user.role.grant", user_id, reason, details) as (user, _why):
        if role not in GRANTABLE_ROLES:
            raise DomainError(
                "Роли студента и родителя выдаются вместе с доступом к дневнику («Моя группа»), а не здесь."
            )
        _not_a_student_or_guardian(session, user_id)
        if role is Role.curator:
            group = _curated_group(session, user, group_id)
            teacher = _teacher_of(session, user)
            if group.curator_teacher_id == teacher.id:
                raise DomainError(f"{user.full_name} уже куратор группы {group.name}.")
            details["previous_curator_teacher_id"] = group.curator_teacher_id
            group.curator_teacher_id = teacher.id  # a group has one curator: the previous one steps down
            session.add(group)
            details["group"] = group.name
        else:
            if role is Role.teacher:
                _teacher_of(session, user)
            if session.get(UserRole, (user_id, role.value)) is not None:
                raise DomainError(f"У {user.full_name} уже есть роль «{ROLE_LABELS[role]}».")
            session.add(UserRole(user_id=user_id, role=role.value))


def revoke_role(
    actor: Actor | None,
    user_id: int,
    role: Role,
    *,
    session: Session,
    reason: str,
    group_id: int | None = None,
) -> None:
    """Take a staff role away; `curator` clears the account's curatorship of `group_id`."""
    details: dict[str, object] = {"role": role.value, "group_id": group_id}
    with _change(session, actor, "user.role.revoke", user_id, reason, details) as (user, _why):
        if role not in GRANTABLE_ROLES:
            raise DomainError("Роли студента и родителя снимаются вместе с доступом к дневнику.")
        if role is Role.curator:
            group = _curated_group(session, user, group_id)
            teacher_id = session.exec(select(Teacher.id).where(Teacher.user_id == user_id)).first()
            if teacher_id is None or group.curator_teacher_id != teacher_id:
                raise DomainError(f"{user.full_name} не куратор группы {group.name}.")
            group.curator_teacher_id = None
            session.add(group)
            details["group"] = group.name
        else:
            row = session.get(UserRole, (user_id, role.value))
            if row is None:
                raise DomainError(f"У {user.full_name} нет роли «{ROLE_LABELS[role]}».")
            if role is Role.officer and _last_officer(session, user):
                raise DomainError(LAST_OFFICER)
            session.delete(row)


def set_active(actor: Actor | None, user_id: int, active: bool, *, session: Session, reason: str) -> None:
    """Disable or re-enable an account. A disabled account's sessions end at their next request."""
    with _change(session, actor, "user.active", user_id, reason, {"active": active}) as (user, _why):
        if user.is_active == active:
            raise DomainError(f"Учётная запись «{user.login}» уже {'включена' if active else 'отключена'}.")
        if not active and actor is not None and user.id == actor.user_id:
            raise DomainError("Нельзя отключить собственную учётную запись.")
        if not active and _last_officer(session, user):
            raise DomainError(LAST_OFFICER)
        user.is_active = active
        session.add(user)
        if not active:
            assert user.id is not None
            login_sessions.end_user_sessions(session, user.id, "disabled")


def unlock(actor: Actor | None, user_id: int, *, session: Session, reason: str) -> None:
    """Lift a lockout after failed logins before it runs out."""
    with _change(session, actor, "user.unlock", user_id, reason, {}) as (user, _why):
        if user.locked_until is None or user.locked_until <= db_now(session):
            raise DomainError(f"Учётная запись «{user.login}» не заблокирована.")
        user.locked_until, user.failed_logins, user.first_failed_at = None, 0, None
        session.add(user)


def reset_password(actor: Actor | None, user_id: int, *, session: Session, reason: str) -> str:
    """A new one-time password for a staff account (students' and guardians' come from the curator)."""
    # reset_initial_password writes the audit row itself (the curator's credentials use it too)
    with _change(session, actor, "user.initial_password", user_id, reason, {}, record=False) as (user, why):
        _not_a_student_or_guardian(session, user_id)
        if not user.is_active:
            raise DomainError(f"Учётная запись «{user.login}» отключена: сначала включите её.")
        password = reset_initial_password(session, actor, user, details=_who(actor, why))
    return password


def end_sessions(
    actor: Actor | None, user_id: int, *, session: Session, reason: str, session_id: str | None = None
) -> int:
    """End one login session of an account (`session_id`) or all of them; how many ended."""
    details: dict[str, object] = {"session": session_id} if session_id else {}
    with _change(session, actor, "user.sessions_end", user_id, reason, details) as (user, _why):
        assert user.id is not None
        live = {s.id for s in login_sessions.live_sessions(user.id, session=session)}
        if session_id is not None and session_id not in live:
            raise DomainError("Этот сеанс уже завершён.")
        if not live:
            raise DomainError(f"У учётной записи «{user.login}» нет открытых сеансов.")
        ended = 0
        for sid in [session_id] if session_id else sorted(live):
            ended += login_sessions.end_one(session, sid, "admin")
    return ended


def _curated_group(session: Session, user: UserAccount, group_id: int | None) -> StudyGroup:
    if group_id is None:
        raise DomainError("Укажите группу: куратора назначают группе.")
    group = session.get(StudyGroup, group_id)
    if group is None or group.college_id != user.college_id:
        raise DomainError("Группа не найдена в колледже этой учётной записи.", code="not_found")
    return group


def _teacher_of(session: Session, user: UserAccount) -> Teacher:
    teacher = session.exec(select(Teacher).where(Teacher.user_id == user.id)).first()
    if teacher is None:
        raise DomainError(
            f"{user.full_name} нет в списке преподавателей колледжа: сначала импортируйте преподавателя "
            "с этим логином («Импорт данных» → «Преподаватели»)."
        )
    return teacher


def _last_officer(session: Session, user: UserAccount) -> bool:
    """Whether `user` is the college's only active officer: without one nobody can administer it."""
    officers = session.exec(
        select(UserAccount.id)
        .join(UserRole, col(UserRole.user_id) == UserAccount.id)
        .where(
            UserRole.role == Role.officer.value,
            UserAccount.college_id == user.college_id,
            col(UserAccount.is_active).is_(True),
        )
    ).all()
    return list(officers) == [user.id]
