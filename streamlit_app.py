"""The app's single entry point: an st.navigation router whose menu comes from the user's roles
and the page registry (app.ui.registry).

Roles are re-read from the database on every run (app.ui.session); each page checks them again
itself, so a page missing from the menu is not routable and one in it still guards itself.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import ROLE_LABELS, Role
from app.services.accounts import must_change_password
from app.ui import registry, session
from app.ui.text import md

st.set_page_config(page_title="Электронный журнал", page_icon="📘", layout="wide")

actor = session.current()


def logout() -> None:
    session.logout()  # the next run finds the session ended and sends the browser to /login
    st.rerun()


if actor is None:
    # The default page, like «Главная» after login: the run after a login lands on the home page.
    login = registry.LOGIN
    st.navigation(
        [st.Page(login.path, title=login.title, icon=login.icon, default=True)], position="hidden"
    ).run()
    st.stop()
assert actor is not None

with Session(get_engine()) as db_session:
    forced_password_change = must_change_password(actor.user_id, session=db_session)

password = registry.BY_NAME["password"]
password_page = st.Page(password.path, title=password.title, icon=password.icon)
logout_page = st.Page(logout, title="Выход", icon=":material/logout:", url_path="logout")

with st.sidebar:
    st.markdown(f"**{md(actor.full_name)}**")
    st.caption(", ".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=list(Role).index)))

if forced_password_change:
    # A one-time password only opens the page where it is replaced.
    st.navigation([password_page, logout_page]).run()
    st.stop()

menu: dict[str, list[st.Page]] = {
    section: [st.Page(page.path, title=page.title, icon=page.icon, default=page.default) for page in pages]
    for section, pages in registry.menu(actor).items()
}
menu[registry.ACCOUNT] = [*menu.get(registry.ACCOUNT, []), logout_page]

# expanded: the whole menu at once (collapsed, Streamlit adds an English «View N more»)
st.navigation(menu, expanded=True).run()
