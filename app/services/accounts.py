"""Accounts: creating users, logging in (with lockout), one-time initial passwords, changing passwords.

OWASP ASVS 5.0 ch. 6: 8+ characters, up to 128, no composition rules, no truncation (argon2id
hashes the whole password), the most common passwords refused; the same message for an unknown
login and a wrong password; failures counted per account with a lockout; every outcome audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, select

from app import audit
from app.actor import Actor, load_actor
from app.db import db_now
from app.domain import Role
from app.errors import DomainError
from app.models import AppSecret, UserAccount, UserRole
from app.passwords import hash_password, verify_password
from app.services import login_sessions
from app.settings import get_settings

LOGIN_FAILED = "Неверный логин или пароль."
LOCKOUT_HINT = "После {n} неудачных попыток вход блокируется на {m} минут."
CURATOR_BY_GROUP = (
    "Куратора назначают группе: создайте учётную запись преподавателя, затем назначьте его куратором "
    "группы («Администрирование» или ejournal user grant ЛОГИН curator --group ГРУППА)."
)
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_LOGIN = 128  # authenticate compares only this much of what is typed
# No look-alike characters: initial passwords are read off a printed slip.
_SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def validate_password(password: str, *, login: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise DomainError(f"Пароль слишком короткий: нужно не менее {MIN_PASSWORD} символов.")
    if len(password) > MAX_PASSWORD:
        raise DomainError(f"Пароль слишком длинный: не более {MAX_PASSWORD} символов.")
    if password.lower() in common_passwords():
        raise DomainError("Этот пароль слишком распространён и легко подбирается: выберите другой.")
    if login and password.lower() == login.lower():
        raise DomainError("Пароль не должен совпадать с логином.")


def generate_initial_password() -> str:
    """A random one-time password: 12 characters, ~59 bits, easy to type from paper."""
    groups = ["".join(secrets.choice(_SLIP_ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(groups)


def _loggable(login: str) -> str:
    """A typed login as the audit log can hold it (PostgreSQL's jsonb refuses NUL)."""
    return login.replace("\x00", "\ufffd")


def login_digest(login: str, *, session: Session) -> str:
    """How the audit log keeps a login that names no account: a keyed hash. People type their
    password into the login field; as typed, it would sit in the log for everyone who reads it.
    The officer can still tell whether a given login was tried (`ejournal audit login-hash`)."""
    key = session.exec(select(AppSecret.value).where(AppSecret.name == "audit_login_key")).one()
    return hmac.new(bytes.fromhex(key), login.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]


def create_user(
    *,
    session: Session,
    college_id: int,
    login: str,
    full_name: str,
    roles: set[Role],
    password: str | None = None,
    must_change_password: bool = False,
    actor: Actor | None = None,
) -> tuple[int, str | None]:
    """Create an account. Without a password a one-time initial one is generated and returned."""
    login = login.strip().lower()
    details = {"login": _loggable(login)}
    with audit.user_action(session, actor, "user.create", entity="user_account", details=details):
        user_id, initial = add_user(
            session,
            actor,
            college_id=college_id,
            login=login,
            full_name=full_name,
            roles=roles,
            password=password,
            must_change_password=must_change_password,
        )
    return user_id, initial


def add_user(
    session: Session,
    actor: Actor | None,
    *,
    college_id: int,
    login: str,
    full_name: str,
    roles: set[Role],
    password: str | None = None,
    must_change_password: bool = False,
) -> tuple[int, str | None]:
    """create_user's checks and rows inside the caller's transaction (a curator links the new
    account to a student or guardian in the same transaction)."""
    login = login.strip().lower()
    initial = None
    if not login:
        raise DomainError("Укажите логин.")
    if len(login) > MAX_LOGIN:
        raise DomainError(f"Логин длиннее {MAX_LOGIN} символов.")
    if not login.isprintable():  # NUL and other control characters: PostgreSQL or a printed slip
        raise DomainError("Логин не может содержать управляющие символы.")
    if not roles:
        raise DomainError("Укажите хотя бы одну роль пользователя.")
    if Role.curator in roles:
        raise DomainError(CURATOR_BY_GROUP)
    if session.exec(select(UserAccount.id).where(UserAccount.login == login)).first() is not None:
        raise DomainError(f"Логин «{login}» уже занят: выберите другой.")
    expires = None
    if password is None:
        initial = password = generate_initial_password()
        must_change_password = True
        expires = db_now(session) + timedelta(days=get_settings().initial_password_days)
    else:
        validate_password(password, login=login)
    user = UserAccount(
        college_id=college_id,
        login=login,
        password_hash=hash_password(password),
        full_name=full_name,
        must_change_password=must_change_password,
        password_expires_at=expires,
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
    return user.id, initial


def reset_initial_password(
    session: Session, actor: Actor | None, user: UserAccount, *, details: dict[str, str] | None = None
) -> str:
    """A new one-time password inside the caller's transaction (the officer's reset, a curator's
    diary credentials); its holder must change it at the first login."""
    password = generate_initial_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_expires_at = db_now(session) + timedelta(days=get_settings().initial_password_days)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    assert user.id is not None
    login_sessions.end_user_sessions(session, user.id, "initial_password")
    audit.record(
        session,
        actor,
        "user.initial_password",
        entity="user_account",
        entity_id=user.id,
        college_id=user.college_id,
        details=details,
    )
    return password


def authenticate(login: str, password: str, *, session: Session) -> Actor:
    """Return the actor for valid credentials; one message for every failure the user could probe."""
    settings = get_settings()
    login = login.strip().lower()[:MAX_LOGIN]
    now = db_now(session)
    # PostgreSQL text cannot hold NUL (the query would fail): such a login names no account.
    user = (
        None
        if "\x00" in login
        else session.exec(select(UserAccount).where(UserAccount.login == login).with_for_update()).first()
    )
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    # Verify even when locked or unknown, so timing does not tell them apart.
    ok = verify_password(user.password_hash if user else None, password) and not locked
    if user is None or not ok or not user.is_active:
        event = "login"
        if user is not None and not locked:
            window = timedelta(minutes=settings.login_failure_window_minutes)
            if user.first_failed_at is None or now - user.first_failed_at > window:
                user.first_failed_at, user.failed_logins = now, 0
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_logins, user.first_failed_at = 0, None
                event = "login.lockout"
            session.add(user)
        audit.record(
            session,
            None,
            event,
            entity="user_account",
            entity_id=user.id if user else None,
            outcome="refused",
            message=LOGIN_FAILED,
            details={
                **(
                    {"login": user.login}
                    if user is not None
                    else {"login_hash": login_digest(_loggable(login), session=session)}
                ),
                "locked": locked or event == "login.lockout",
            },
            college_id=user.college_id if user else None,
        )
        session.commit()
        raise DomainError(LOGIN_FAILED, code="login_failed")
    assert user.id is not None
    if user.password_expires_at is not None and user.password_expires_at < now:
        audit.record(
            session,
            None,
            "login",
            entity="user_account",
            entity_id=user.id,
            outcome="refused",
            message="initial password expired",
            college_id=user.college_id,
        )
        session.commit()
        raise DomainError(
            "Срок действия временного пароля истёк: получите новый у куратора группы или "
            "ответственного за электронный журнал.",
            code="password_expired",
        )
    user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None
    session.add(user)
    actor = load_actor(user.id, session=session)
    audit.record(session, actor, "login", entity="user_account", entity_id=user.id)
    session.commit()
    return actor


def must_change_password(user_id: int, *, session: Session) -> bool:
    user = session.get(UserAccount, user_id)
    return bool(user and user.must_change_password)


def change_password(
    actor: Actor, old_password: str, new_password: str, *, session: Session, keep_session: str | None = None
) -> None:
    """Replace the password; every other login session of the user ends (a stolen session, or one
    left open on a shared computer, does not outlive the new password). `keep_session` is the
    browser session the change was made in."""
    with audit.user_action(session, actor, "user.password", entity="user_account", entity_id=actor.user_id):
        user = session.get(UserAccount, actor.user_id)
        if user is None or not verify_password(user.password_hash, old_password):
            raise DomainError("Текущий пароль указан неверно.")
        validate_password(new_password, login=user.login)
        if new_password == old_password:
            raise DomainError("Новый пароль должен отличаться от текущего.")
        user.password_hash = hash_password(new_password)
        user.must_change_password = False
        user.password_expires_at = None
        user.password_changed_at = db_now(session)
        session.add(user)
        login_sessions.end_user_sessions(session, actor.user_id, "password", keep=keep_session)
        audit.record(session, actor, "user.password", entity="user_account", entity_id=actor.user_id)
