"""AppTest helpers: run the real router (streamlit_app.py) as a given user."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from app import audit
from app.db import get_engine
from app.services import login_sessions
from app.ui import session
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")


def login(user_id: int) -> dict[str, str]:
    """A real login session for the user, as `st.user` carries it after app/web.py checked the
    browser's cookie (AppTest cannot send cookies; it seeds `st.user` instead)."""
    with audit.from_origin(audit.Origin("127.0.0.1", "AppTest")), Session(get_engine()) as s:
        opened = login_sessions.open_session(user_id, session=s)
    return {"sid": opened.session_id, "source": "127.0.0.1", "user_agent": "AppTest"}


def app_as(user_id: int | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.user = login(user_id) if user_id is not None else {}
    return at


def next_request(at: AppTest, **changes: object) -> AppTest:
    """The same browser session's next run, on its default page.

    AppTest re-requests the page the last run ended on; when the menu changes (login, logout)
    that page no longer exists and AppTest falls back to the pages/ folder, which the real server
    does not do. A fresh AppTest carrying the session's login and values models the next request.
    """
    fresh = AppTest.from_file(APP, default_timeout=60)
    fresh.user = dict(at.user)
    if session.NOTICE in at.session_state:
        fresh.session_state[session.NOTICE] = at.session_state[session.NOTICE]
    for key, value in changes.items():
        fresh.session_state[key] = value
    return fresh.run()


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element that renders it, as the page wrote it."""
    return [
        str(e.value)
        for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]


def texts(at: AppTest) -> str:
    """Everything the page says, as a reader sees it (Markdown's backslash escapes resolved), for
    assertions on Russian messages."""
    return re.sub(r"\\(.)", r"\1", "\n".join(markdown_sources(at)))


# What user-typed Markdown turns into when it is not escaped: a link or an image.
LIVE_MARKUP = re.compile(r"(?<!\\)\]\((?:https?:|www)|(?<!\\)!\[|(?<![\\/])https?://")


def live_markup(at: AppTest) -> list[str]:
    """Markdown sources holding an unescaped link, image or bare address."""
    return [m for m in markdown_sources(at) if LIVE_MARKUP.search(m)]


def menu(at: AppTest) -> list[str]:
    """Titles of the pages the router registered with st.navigation on the last run."""
    return [str(info.get("page_name")) for info in at._registered_pages.values()]


@pytest.fixture
def run_as():
    def run(user_id: int | None = None, page: str | None = None) -> AppTest:
        at = app_as(user_id).run()
        if page:
            at.switch_page(page).run()
        return at

    return run
