"""The permission check every page runs first (the menu alone never decides access)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.db import get_engine
from app.domain import Role
from app.errors import DomainError
from app.ui import registry, session

T = TypeVar("T")


def require(*roles: Role) -> Actor:
    actor = session.current()
    if actor is None:
        st.warning("Войдите в систему, чтобы открыть эту страницу.")
        st.stop()
    assert actor is not None
    if roles and not actor.has(*roles):
        # A page outside the menu was asked for by name: worth a line in the audit log.
        with Session(get_engine()) as db_session:
            audit.record(
                db_session,
                actor,
                "page.open",
                entity="page",
                outcome="refused",
                message="Эта страница вам недоступна.",
                details={"page": st.context.url or "", "roles": sorted(r.value for r in roles)},
            )
            db_session.commit()
        st.error("Эта страница вам недоступна.")
        st.stop()
    return actor


def require_page(file: str) -> Actor:
    """The check of the page a script is (its `__file__`), with the roles the registry gives it."""
    return require(*registry.spec_of(file).roles)


def page_link(
    actor: Actor, name: str, *, label: str | None = None, query_params: dict[str, str] | None = None
) -> None:
    """A link to another page, shown only to those the registry lets open it."""
    page = registry.BY_NAME[name]
    if page.allows(actor):
        st.page_link(page.path, label=label or page.title, icon=page.icon, query_params=query_params)


def audit_view_once(actor: Actor, action: str, *, entity: str, entity_id: int) -> None:
    """A view of personal data (a group list with minors' birth dates and parents' contacts) goes
    into the audit log once per browser session and item, not at every click on the page."""
    seen = st.session_state.setdefault("audited_views", set())
    if (action, entity_id) in seen:
        return
    with Session(get_engine()) as db_session:
        audit.record(db_session, actor, action, entity=entity, entity_id=entity_id)
        db_session.commit()
    seen.add((action, entity_id))


def act(flash_key: str, done: str | Callable[[T], str], action: Callable[[Session], T]) -> None:
    """One user action from a page: its own transaction (the service's); a Russian refusal shown as
    it is, else `done` (or `done` of the action's result) kept for the next run (show_flash) and a
    fresh run that shows the result."""
    try:
        with Session(get_engine()) as db_session:
            result = action(db_session)
    except DomainError as exc:
        st.error(exc.message)
        return
    st.session_state[flash_key] = done(result) if callable(done) else done
    st.rerun()


def show_flash(flash_key: str) -> None:
    """The notice the last action left (act), once."""
    message = st.session_state.pop(flash_key, None)
    if message:
        st.success(message)
