"""Доступ для приложений: a user's personal access tokens for the read-only API and the calendar
feed. A new token is shown once; each reads what its user may read, until revoked or expired."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.errors import DomainError
from app.services import api_tokens, diary
from app.settings import get_settings
from app.ui.page import act, require_page, show_flash
from app.ui.text import md

FLASH, NEW = "api_tokens_flash", "api_tokens_new"

actor = require_page(__file__)
st.title("Доступ для приложений")
st.caption(
    "Токен даёт программам (календарю телефона, таблицам, своим сервисам колледжа) читать ваши данные "
    "через API — только то, что вы видите в журнале сами, и только чтение. Храните токен как пароль."
)
show_flash(FLASH)
base = get_settings().public_url
created = st.session_state.pop(NEW, None)
if created is not None:
    st.success("Токен создан. Он показан один раз: скопируйте его сейчас.")
    st.code(created.token, language=None)
    with Session(get_engine()) as db:
        children = diary.children_of(actor, session=db)
    for child in children:
        st.markdown(f"Календарь для телефона — **{md(child.name)}** (подписка по адресу):")
        st.code(f"{base}/api/v1/students/{child.id}/calendar.ics?token={created.token}", language=None)

with st.form("api_token_new", clear_on_submit=True):
    c1, c2 = st.columns([3, 1])
    name = c1.text_input("Название", placeholder="Календарь на телефоне", max_chars=api_tokens.MAX_NAME)
    days = c2.selectbox(
        "Срок", list(api_tokens.LIFETIMES), index=1, format_func=api_tokens.LIFETIMES.__getitem__
    )
    if st.form_submit_button("Создать токен", type="primary", icon=":material/key:"):
        try:
            with Session(get_engine()) as db:
                st.session_state[NEW] = api_tokens.create(actor, name, int(days or 90), session=db)
        except DomainError as exc:
            st.error(exc.message)
        else:
            st.rerun()

with Session(get_engine()) as db:
    tokens = api_tokens.mine(actor, session=db)
st.subheader("Действующие токены")
if not tokens:
    st.info("Токенов нет.")


def _revoke(token_id: int, name: str) -> None:
    def revoke(db: Session) -> None:
        api_tokens.revoke(actor, token_id, session=db)

    act(FLASH, f"Токен «{name}» отозван.", revoke)


for t in tokens:
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    used = t.last_used_at.strftime("%d.%m.%Y %H:%M") if t.last_used_at else "не использовался"
    expires = t.expires_at.strftime("%d.%m.%Y") if t.expires_at else "бессрочно"
    c1.markdown(f"**{md(t.name)}** · `{t.prefix}…` · до {expires} · {used}")
    if c2.button("Отозвать", key=f"revoke_{t.id}"):
        _revoke(t.id, t.name)

st.caption(f"Описание API: {base}/api/v1/openapi.json")
