"""The permission check every page runs first (the menu alone never decides access)."""

from __future__ import annotations

import streamlit as st

from app.actor import Actor
from app.domain import Role
from app.ui import session


def require(*roles: Role) -> Actor:
    actor = session.current(st.session_state)
    if actor is None:
        st.warning("Войдите в систему, чтобы открыть эту страницу.")
        st.stop()
    assert actor is not None
    if roles and not actor.has(*roles):
        st.error("Эта страница вам недоступна.")
        st.stop()
    return actor
