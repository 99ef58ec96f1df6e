"""Уведомления: a student or guardian chooses which letters come to their address (the weekly
digest, the alerts) and sees the letters sent to them. The address itself is kept by the curator."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.errors import DomainError
from app.services import notices
from app.ui.page import act, require_page, show_flash
from app.ui.text import md

FLASH = "notices_flash"
STATUS = {"queued": "ожидает отправки", "sent": "отправлено", "dead": "не доставлено"}

actor = require_page(__file__)
st.title("Уведомления")
show_flash(FLASH)
try:
    with Session(get_engine()) as db:
        mine = notices.my_choice(actor, session=db)
        sent = notices.my_notices(actor, session=db)
except DomainError as exc:
    st.error(exc.message)
    st.stop()

if mine.address:
    st.markdown(f"Письма приходят на адрес **{md(mine.address)}**.")
else:
    st.info(
        "Адрес эл. почты не указан, поэтому писем нет. Чтобы получать итоги недели и уведомления, "
        "сообщите адрес куратору группы."
    )
st.caption("Изменить адрес можно через куратора группы: он ведёт список группы и данные родителей.")

with st.form("notice_choice"):
    digest = st.checkbox(
        "Итоги недели (по субботам): отметки с пояснением, пропуски, домашние задания, объявления",
        value=mine.digest,
    )
    alerts = st.checkbox(
        "Уведомления сразу: пропуск без уважительной причины, отметка «2», систематические пропуски, "
        "задолженность после сессии, объявления куратора",
        value=mine.alerts,
    )
    if st.form_submit_button("Сохранить", type="primary"):
        act(
            FLASH,
            "Выбор сохранён.",
            lambda db: notices.choose(actor, digest=digest, alerts=alerts, session=db),
        )

st.subheader("Последние письма")
if not sent:
    st.info("Писем пока не было.")
for n in sent:
    when = n.at.strftime("%d.%m.%Y %H:%M") if n.at else "—"
    st.markdown(f"- {when} · {md(n.subject)} · _{STATUS.get(n.status, n.status)}_")
