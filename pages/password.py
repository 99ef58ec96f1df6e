"""Смена пароля (forced after a one-time password)."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.errors import DomainError
from app.services.accounts import MIN_PASSWORD, change_password, must_change_password
from app.ui import session
from app.ui.page import require_page

actor = require_page(__file__)
st.title("Смена пароля")
with Session(get_engine()) as db_session:
    if must_change_password(actor.user_id, session=db_session):
        st.warning("Вы вошли по временному паролю. Задайте свой пароль, чтобы продолжить работу.")

with st.form("password", clear_on_submit=False):
    old = st.text_input("Текущий пароль", type="password", autocomplete="current-password")
    new = st.text_input(
        f"Новый пароль (не короче {MIN_PASSWORD} символов)", type="password", autocomplete="new-password"
    )
    again = st.text_input("Новый пароль ещё раз", type="password", autocomplete="new-password")
    submitted = st.form_submit_button("Сменить пароль", type="primary")

if submitted:
    if new != again:
        st.error("Новые пароли не совпадают: введите один и тот же пароль дважды.")
    else:
        try:
            with Session(get_engine()) as db_session:
                change_password(actor, old, new, session=db_session, keep_session=session.session_id())
        except DomainError as exc:
            st.error(exc.message)
        else:
            st.success("Пароль изменён. Другие открытые сеансы этой учётной записи завершены.")
            st.rerun()
