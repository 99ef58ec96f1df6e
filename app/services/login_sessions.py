"""Login sessions kept on the server (docs/security.md, finding 2).

The browser holds a random token in an HttpOnly cookie; the database keeps only its SHA-256 in a
`login_session` row. app/web.py turns a live cookie into the row's id, which Streamlit binds its
browser session to; every Streamlit run then asks `check` whether that row is still live. A row
ends at logout, when its user changes the password (the user's other rows), when the account is
disabled or gets a new one-time password, when the officer ends it, and after the idle and
absolute timeouts. Ending is immediate: the next request of that browser is anonymous.

Logins are also throttled per source address here, beside the per-account lockout
(app.services.accounts): many failures from one address stop that address, not the accounts it
tries, so spraying predictable logins neither works nor locks everybody out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor, load_actor
from app.db import db_now
from app.errors import DomainError
from app.models import AuditEvent, LoginSession, UserAccount
from app.settings import get_settings

COOKIE = "ejournal_session"
# last_seen_at is written at most this often: the idle timeout is in minutes, a write per click is not.
TOUCH_SECONDS = 30

NOTICES = {
    "logout": "Вы вышли из системы.",
    "idle": "Сеанс завершён: долго не было активности. Войдите снова.",
    "absolute": "Сеанс завершён по истечении максимального времени. Войдите снова.",
    "password": "Пароль учётной записи изменён: войдите снова с новым паролем.",
    "initial_password": "Учётной записи выдан новый временный пароль: войдите с ним.",
    "disabled": "Учётная запись отключена. Обратитесь к ответственному за электронный журнал.",
    "admin": "Сеанс завершён ответственным за электронный журнал. Войдите снова.",
}
REASON_LABELS = {
    "logout": "выход",
    "idle": "нет активности",
    "absolute": "истёк срок",
    "password": "смена пароля",
    "initial_password": "новый временный пароль",
    "disabled": "учётная запись отключена",
    "admin": "завершён администратором",
}
THROTTLED = (
    "Слишком много неудачных попыток входа с вашего адреса. Повторите через {m} мин. "
    "или обратитесь к ответственному за электронный журнал."
)


@dataclass(frozen=True)
class Opened:
    token: str  # goes into the cookie, and nowhere else
    session_id: str


class SessionEnded(DomainError):
    """The browser's login session is over; `message` says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def open_session(user_id: int, *, session: Session) -> Opened:
    """A new login session for a user who has just authenticated (the login route)."""
    origin = audit.current_origin()
    token = secrets.token_urlsafe(32)
    row = LoginSession(
        id=secrets.token_hex(16),
        token_hash=token_hash(token),
        user_id=user_id,
        source_address=origin.source_address,
        user_agent=(origin.user_agent or "")[: audit.MAX_USER_AGENT] or None,
    )
    session.add(row)
    user = session.get(UserAccount, user_id)
    assert user is not None
    with audit.from_origin(audit.Origin(origin.source_address, origin.user_agent, row.id)):
        audit.record(
            session,
            None,
            "session.open",
            entity="user_account",
            entity_id=user_id,
            college_id=user.college_id,
        )
    session.commit()
    return Opened(token, row.id)


def _expired(row: LoginSession, now: datetime) -> str | None:
    settings = get_settings()
    assert row.last_seen_at is not None and row.created_at is not None
    if now - row.created_at > timedelta(hours=settings.session_absolute_hours):
        return "absolute"
    if now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return "idle"
    return None


def _live(row: LoginSession | None, *, session: Session) -> LoginSession:
    """The row if it is still live (touching it); otherwise end it and say why."""
    if row is None:
        raise SessionEnded("Войдите в систему.")
    if row.ended_at is not None:
        raise SessionEnded(NOTICES.get(row.end_reason or "", NOTICES["logout"]))
    now = db_now(session)
    reason = _expired(row, now)
    user = session.get(UserAccount, row.user_id)
    if reason is None and (user is None or not user.is_active):
        reason = "disabled"
    if reason is not None:
        _end(session, row, reason, now)
        session.commit()
        raise SessionEnded(NOTICES[reason])
    assert row.last_seen_at is not None
    if now - row.last_seen_at > timedelta(seconds=TOUCH_SECONDS):
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return row


def resolve(token: str | None, *, session: Session) -> LoginSession:
    """The live session a cookie's token belongs to (the web server's check)."""
    row = None
    if token:
        row = session.exec(select(LoginSession).where(LoginSession.token_hash == token_hash(token))).first()
    return _live(row, session=session)


def check(session_id: str | None, *, session: Session) -> Actor:
    """The actor of a live session, by the id the web server bound the browser session to (each
    Streamlit run). Roles are read afresh, so a change takes effect at the next click."""
    row = session.get(LoginSession, session_id) if session_id else None
    live = _live(row, session=session)
    try:
        return load_actor(live.user_id, session=session)
    except DomainError:
        _end(session, live, "disabled", db_now(session))
        session.commit()
        raise SessionEnded(NOTICES["disabled"]) from None


def _end(session: Session, row: LoginSession, reason: str, now: datetime) -> None:
    row.ended_at, row.end_reason = now, reason
    session.add(row)
    user = session.get(UserAccount, row.user_id)
    origin = audit.current_origin()
    # Timeouts happen to a session, not in one of its requests: the entry names the session itself.
    with audit.from_origin(audit.Origin(origin.source_address, origin.user_agent, row.id)):
        audit.record(
            session,
            None,
            "session.end",
            entity="user_account",
            entity_id=row.user_id,
            college_id=user.college_id if user else None,
            details={"reason": reason},
        )


def logout(session_id: str | None, *, session: Session) -> None:
    """End the browser's own session («Выход»)."""
    row = session.get(LoginSession, session_id) if session_id else None
    if row is not None and row.ended_at is None:
        _end(session, row, "logout", db_now(session))
        session.commit()


def end_user_sessions(session: Session, user_id: int, reason: str, *, keep: str | None = None) -> int:
    """End a user's live sessions but `keep`, inside the caller's transaction; how many ended."""
    rows = session.exec(
        select(LoginSession).where(
            LoginSession.user_id == user_id,
            col(LoginSession.ended_at).is_(None),
            LoginSession.id != (keep or ""),
        )
    ).all()
    now = db_now(session)
    for row in rows:
        _end(session, row, reason, now)
    return len(rows)


def end_one(session: Session, session_id: str, reason: str) -> int:
    """End one session inside the caller's transaction; 1 if it was open, else 0."""
    row = session.get(LoginSession, session_id)
    if row is None or row.ended_at is not None:
        return 0
    _end(session, row, reason, db_now(session))
    return 1


def live_sessions(user_id: int, *, session: Session) -> list[LoginSession]:
    """A user's sessions that have not ended or timed out, newest first (the officer's view)."""
    now = db_now(session)
    rows = session.exec(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, col(LoginSession.ended_at).is_(None))
        .order_by(col(LoginSession.created_at).desc())
    ).all()
    return [r for r in rows if _expired(r, now) is None]


def source_throttled(source_address: str | None, *, session: Session) -> bool:
    """Whether this address has failed to log in too often within the failure window."""
    if not source_address:
        return False
    settings = get_settings()
    since = db_now(session) - timedelta(minutes=settings.login_failure_window_minutes)
    failures = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.source_address == source_address,
            col(AuditEvent.action).in_(("login", "login.lockout", "login.throttled")),
            AuditEvent.outcome == "refused",
            col(AuditEvent.occurred_at) >= since,
        )
    ).one()
    return int(failures) >= settings.login_source_max_failures


def refuse_throttled(*, session: Session) -> DomainError:
    """Audit a login refused by the per-source throttle; the error to show."""
    audit.record(
        session, None, "login.throttled", entity="user_account", outcome="refused", message="throttled"
    )
    session.commit()
    return DomainError(THROTTLED.format(m=get_settings().login_failure_window_minutes), code="throttled")
