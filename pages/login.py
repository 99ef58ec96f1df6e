"""Вход: the login form itself is the web server's page (/login), which sets the session cookie;
a Streamlit page cannot. A browser lands here when its session has ended (logout, a timeout, a
disabled account): Streamlit's st.logout sends it to /login, which says why."""

import streamlit as st

from app.ui import session
from app.web import LOGIN_PATH

st.title("Электронный журнал")
notice = st.session_state.pop(session.NOTICE, None)
st.info(notice or "Войдите в систему, чтобы продолжить.")
st.link_button("Войти", LOGIN_PATH, type="primary")
if notice:
    # The session had a login that is over: leave for the login page in this tab.
    st.logout()
