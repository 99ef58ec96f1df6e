"""Вход: local accounts, one message for every failure."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.errors import DomainError
from app.services.accounts import LOCKOUT_HINT, authenticate
from app.settings import get_settings
from app.ui import session

st.title("Электронный журнал")
st.caption("Вход для преподавателей, кураторов, администрации, студентов и родителей")

notice = st.session_state.pop(session.NOTICE, None)
if notice:
    st.info(notice)

with st.form("login"):
    login = st.text_input("Логин", autocomplete="username")
    password = st.text_input("Пароль", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Войти", type="primary")

if submitted:
    if not login.strip() or not password:
        st.error("Введите логин и пароль.")
    else:
        try:
            with Session(get_engine()) as db_session:
                actor = authenticate(login, password, session=db_session)
        except DomainError as exc:
            st.error(exc.message)
        else:
            session.start(st.session_state, actor)
            st.rerun()

settings = get_settings()
st.caption(
    LOCKOUT_HINT.format(n=settings.login_max_failures, m=settings.lockout_minutes)
    + " Логин и пароль выдаёт куратор группы (студентам и родителям) или ответственный за электронный журнал."
)
