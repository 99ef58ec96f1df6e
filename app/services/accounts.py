"""Accounts: creating users, logging in, changing passwords."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from app import audit
from app.actor import Actor, load_actor
from app.domain import Role
from app.errors import DomainError
from app.models import UserAccount, UserRole
from app.passwords import hash_password, verify_password

LOGIN_FAILED = "Неверный логин или пароль."
MIN_PASSWORD = 8
MAX_PASSWORD = 128


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Пароль слишком короткий: нужно не менее {MIN_PASSWORD} символов.")
    if len(password) > MAX_PASSWORD:
        raise DomainError(f"Пароль слишком длинный: не более {MAX_PASSWORD} символов.")


def create_user(
    *,
    session: Session,
    college_id: int,
    login: str,
    password: str,
    full_name: str,
    roles: set[Role],
    must_change_password: bool = False,
    actor: Actor | None = None,
) -> int:
    login = login.strip().lower()
    with audit.user_action(session, actor, "user.create", entity="user_account", details={"login": login}):
        if not login:
            raise DomainError("Укажите логин.")
        validate_password(password)
        if not roles:
            raise DomainError("Укажите хотя бы одну роль пользователя.")
        if session.exec(select(UserAccount.id).where(UserAccount.login == login)).first() is not None:
            raise DomainError(f"Логин «{login}» уже занят: выберите другой.")
        user = UserAccount(
            college_id=college_id,
            login=login,
            password_hash=hash_password(password),
            full_name=full_name,
            must_change_password=must_change_password,
        )
        session.add(user)
        session.flush()
        assert user.id is not None
        for role in roles:
            session.add(UserRole(user_id=user.id, role=role.value))
        audit.record(
            session,
            actor,
            "user.create",
            entity="user_account",
            entity_id=user.id,
            college_id=college_id,
            details={"login": login, "roles": sorted(r.value for r in roles)},
        )
        user_id = user.id
    return user_id


def authenticate(login: str, password: str, *, session: Session) -> Actor:
    """Return the actor for valid credentials; the same message for an unknown login and a bad password."""
    login = login.strip().lower()
    user = session.exec(select(UserAccount).where(UserAccount.login == login)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        audit.record(
            session,
            None,
            "login",
            entity="user_account",
            entity_id=user.id if user else None,
            outcome="refused",
            message=LOGIN_FAILED,
            details={"login": login[:64]},
            college_id=user.college_id if user else None,
        )
        session.commit()
        raise DomainError(LOGIN_FAILED, code="login_failed")
    assert user.id is not None
    actor = load_actor(user.id, session=session)
    audit.record(session, actor, "login", entity="user_account", entity_id=user.id)
    session.commit()
    return actor


def must_change_password(user_id: int, *, session: Session) -> bool:
    user = session.get(UserAccount, user_id)
    return bool(user and user.must_change_password)


def change_password(actor: Actor, old_password: str, new_password: str, *, session: Session) -> None:
    with audit.user_action(session, actor, "user.password", entity="user_account", entity_id=actor.user_id):
        user = session.get(UserAccount, actor.user_id)
        if user is None or not verify_password(user.password_hash, old_password):
            raise DomainError("Текущий пароль указан неверно.")
        validate_password(new_password)
        if new_password == old_password:
            raise DomainError("Новый пароль должен отличаться от текущего.")
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        user.password_changed_at = datetime.now(UTC)
        session.add(user)
        audit.record(session, actor, "user.password", entity="user_account", entity_id=actor.user_id)
