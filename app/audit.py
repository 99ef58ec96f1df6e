"""The audit log: every accepted change and every refusal, who and when."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.actor import Actor
from app.errors import DomainError
from app.models import AuditEvent, table_of

MAX_USER_AGENT = 300


@dataclass(frozen=True)
class Origin:
    """Where the actions of this request come from: the browser's address and agent and the
    login session (app/web.py puts them on every Streamlit run), or the command line."""

    source_address: str | None = None
    user_agent: str | None = None
    session_id: str | None = None


UNKNOWN = Origin()
CLI = Origin(user_agent="ejournal (командная строка)")
# Set once per request (a Streamlit run binds it in app.ui.session, a web route in app.web); a
# context variable, so two users' runs on their own threads never see each other's.
_origin: ContextVar[Origin] = ContextVar("audit_origin", default=UNKNOWN)


def bind_origin(origin: Origin) -> None:
    _origin.set(origin)


def current_origin() -> Origin:
    return _origin.get()


@contextmanager
def from_origin(origin: Origin) -> Iterator[None]:
    token = _origin.set(origin)
    try:
        yield
    finally:
        _origin.reset(token)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    entity: str = "",
    entity_id: int | None = None,
    outcome: str = "accepted",
    message: str = "",
    details: dict[str, Any] | None = None,
    college_id: int | None = None,
) -> None:
    """Add an audit row to the caller's transaction, stamped with the request's origin. A Core
    statement, sent now: every save writes one, and the ORM's unit of work cost a save more CPU
    than the row itself (bench/load.py)."""
    origin = _origin.get()
    session.connection().execute(
        _INSERT,
        {
            "source_address": origin.source_address,
            "user_agent": (origin.user_agent or "")[:MAX_USER_AGENT] or None,
            "session_id": origin.session_id,
            "college_id": college_id if college_id is not None else (actor.college_id if actor else None),
            "actor_user_id": actor.user_id if actor else None,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "outcome": outcome,
            "message": message,
            "details": details or {},
        },
    )


_INSERT = insert(table_of(AuditEvent))


@contextmanager
def user_action(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    entity: str = "",
    entity_id: int | None = None,
    details: dict[str, Any] | None = None,
    integrity_message: str = "Данные изменились одновременно с вашим сохранением. Обновите страницу.",
) -> Iterator[None]:
    """One user action = one transaction. A refusal rolls everything back and is audited on its own."""
    try:
        yield
        session.commit()
    except DomainError as exc:
        session.rollback()
        _record_refusal(session, actor, action, entity, entity_id, exc.message, details)
        raise
    except IntegrityError as exc:
        session.rollback()
        _record_refusal(session, actor, action, entity, entity_id, integrity_message, details)
        raise DomainError(integrity_message, code="conflict") from exc
    except BaseException:
        session.rollback()
        raise


def _record_refusal(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    message: str,
    details: dict[str, Any] | None,
) -> None:
    record(
        session,
        actor,
        action,
        entity=entity,
        entity_id=entity_id,
        outcome="refused",
        message=message,
        details=details,
    )
    session.commit()
