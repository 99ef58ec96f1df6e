"""Personal access tokens for the read-only API: a user makes one on «Доступ для приложений»,
sees it once, and revokes it there. The database keeps only its SHA-256 (as the login sessions'
tokens). A token is the user: every request reloads the account's roles, so it reads exactly what
its user may read now."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import audit
from app.actor import Actor, load_actor
from app.errors import AccessDenied, DomainError, NotFound
from app.models import ApiToken
from app.services.login_sessions import token_hash

PREFIX = "ejt_"
MAX_NAME = 60
MAX_TOKENS = 10
LIFETIMES = {30: "30 дней", 90: "90 дней", 365: "1 год"}
REFUSED = (
    "Токен недействителен: он отозван, истёк или набран неверно. Создайте новый в «Доступ для приложений»."
)


class TokenRefused(AccessDenied):
    """The token itself reads nothing (the API answers 401), as against a token whose user may
    not read this (403)."""


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    prefix: str
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class Created:
    id: int
    token: str  # shown once


def create(actor: Actor, name: str, days: int, *, session: Session) -> Created:
    name = " ".join(name.split())
    details = {"name": name[:MAX_NAME], "days": days}
    with audit.user_action(session, actor, "api_token.create", details=details):
        if not name:
            raise DomainError("Назовите токен: например, «Календарь на телефоне».")
        if len(name) > MAX_NAME:
            raise DomainError(f"Название длиннее {MAX_NAME} символов.")
        if days not in LIFETIMES:
            raise DomainError("Срок действия: 30 дней, 90 дней или 1 год.")
        live = session.exec(
            select(ApiToken.id).where(ApiToken.user_id == actor.user_id, col(ApiToken.revoked_at).is_(None))
        ).all()
        if len(live) >= MAX_TOKENS:
            raise DomainError(f"Действующих токенов уже {MAX_TOKENS}: отзовите ненужный.")
        token = PREFIX + secrets.token_urlsafe(32)
        now = session.execute(text("SELECT now()")).scalar_one()
        row = ApiToken(
            user_id=actor.user_id,
            name=name,
            token_hash=token_hash(token),
            prefix=token[: len(PREFIX) + 6],
            expires_at=now + timedelta(days=days),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(
            session, actor, "api_token.create", entity="api_token", entity_id=row.id, details=details
        )
        return Created(row.id, token)


def mine(actor: Actor, *, session: Session) -> list[TokenRow]:
    rows = session.exec(
        select(ApiToken)
        .where(ApiToken.user_id == actor.user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.id))
    )
    return [TokenRow(r.id or 0, r.name, r.prefix, r.created_at, r.expires_at, r.last_used_at) for r in rows]


def revoke(actor: Actor, token_id: int, *, session: Session) -> None:
    with audit.user_action(session, actor, "api_token.revoke", entity="api_token", entity_id=token_id):
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != actor.user_id or row.revoked_at is not None:
            raise NotFound("Токен не найден или уже отозван.")
        row.revoked_at = session.execute(text("SELECT now()")).scalar_one()
        session.add(row)
        audit.record(session, actor, "api_token.revoke", entity="api_token", entity_id=token_id)


def token_key(token: str) -> str:
    """What the rate limit counts a token by (never the token itself)."""
    return token_hash(token)


def resolve(token: str, *, session: Session) -> Actor:
    """The actor a token reads as, with the account's roles of now; AccessDenied for a token that
    is unknown, revoked, expired, or whose account is disabled."""
    if not token.startswith(PREFIX) or len(token) > 100:
        raise TokenRefused(REFUSED)
    row = session.exec(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token),
            col(ApiToken.revoked_at).is_(None),
            text("(api_token.expires_at IS NULL OR api_token.expires_at > now())"),
        )
    ).first()
    if row is None or row.id is None:
        raise TokenRefused(REFUSED)
    try:
        actor = load_actor(row.user_id, session=session)
    except DomainError:
        raise TokenRefused(REFUSED) from None
    # last use, at most once a minute: a busy calendar app does not write on every request
    session.execute(
        text(
            "UPDATE api_token SET last_used_at = now() WHERE id = :id "
            "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
        ),
        {"id": row.id},
    )
    session.commit()
    return actor
