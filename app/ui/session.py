"""Who is logged in, for the Streamlit pages. Only the user id and timestamps live in the session;
roles are re-read from the database on every run, so a changed or disabled account takes effect at
the next request."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import Session

from app.actor import Actor, load_actor
from app.db import get_engine
from app.domain import Role
from app.errors import DomainError
from app.settings import get_settings

USER_ID = "user_id"
LOGIN_AT = "login_at"
LAST_SEEN = "last_seen"
NOTICE = "auth_notice"

# st.session_state, or a plain dict in tests (SessionStateProxy is not typed as a MutableMapping).
State = Any


def _clear(state: State) -> None:
    """Forget the previous user's data; Streamlit's own form bookkeeping is left alone."""
    for key in list(state.keys()):
        if not str(key).startswith(("FormSubmitter:", "$$")):
            del state[key]


def start(state: State, actor: Actor) -> None:
    _clear(state)  # nothing from a previous user survives a login
    now = time.time()
    state[USER_ID] = actor.user_id
    state[LOGIN_AT] = now
    state[LAST_SEEN] = now


def end(state: State, notice: str | None = None) -> None:
    _clear(state)
    if notice:
        state[NOTICE] = notice


def current(state: State, *, now: float | None = None) -> Actor | None:
    """The logged-in actor, or None (ending the session if it timed out or the account was disabled)."""
    user_id = state.get(USER_ID)
    if user_id is None:
        return None
    settings = get_settings()
    now = time.time() if now is None else now
    if now - float(state.get(LAST_SEEN, 0)) > settings.session_idle_minutes * 60:
        end(state, "Сеанс завершён: долго не было активности. Войдите снова.")
        return None
    if now - float(state.get(LOGIN_AT, 0)) > settings.session_absolute_hours * 3600:
        end(state, "Сеанс завершён по истечении максимального времени. Войдите снова.")
        return None
    try:
        with Session(get_engine()) as session:
            actor = load_actor(int(user_id), session=session)
    except DomainError as exc:
        end(state, exc.message)
        return None
    state[LAST_SEEN] = now
    return actor


def allowed(actor: Actor | None, *roles: Role) -> bool:
    return actor is not None and (not roles or actor.has(*roles))
