"""Who is logged in, for the Streamlit pages.

The login is a server-side session (app.services.login_sessions): app/web.py checks the browser's
cookie and hands its session id to Streamlit, which keeps it in `st.user`. Every run asks the
database again whether that session is live and reads the user's roles afresh, so a logout, a
timeout, a disabled account or a changed role takes effect at the next click. Nothing in
`st.session_state` logs anybody in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st
from sqlmodel import Session

from app import audit
from app.actor import Actor
from app.db import get_engine
from app.services import login_sessions

NOTICE = "auth_notice"


def identity() -> Mapping[str, Any]:
    """What the web server told Streamlit about this browser (AppTest seeds it as `at.user`)."""
    return st.user.to_dict()


def session_id() -> str | None:
    value = identity().get("sid")
    return str(value) if value else None


def bind_origin() -> None:
    """Stamp this run's audit entries with the browser's address, agent and session."""
    user = identity()
    audit.bind_origin(
        audit.Origin(
            source_address=str(user.get("source") or "") or None,
            user_agent=str(user.get("user_agent") or "") or None,
            session_id=session_id(),
        )
    )


def current() -> Actor | None:
    """The logged-in actor, or None; when the session has ended, NOTICE says why. Binds the run's
    audit origin first, so whatever the run records says where it came from."""
    bind_origin()
    sid = session_id()
    if sid is None:
        return None
    try:
        with Session(get_engine()) as db_session:
            return login_sessions.check(sid, session=db_session)
    except login_sessions.SessionEnded as exc:
        st.session_state[NOTICE] = exc.message
        return None


def logout() -> None:
    with Session(get_engine()) as db_session:
        login_sessions.logout(session_id(), session=db_session)
