"""Главная: who you are and what is waiting for you today."""

import streamlit as st
from sqlmodel import Session

from app.analytics import my_remarks
from app.analytics.common import get_reader
from app.db import get_engine
from app.domain import ROLE_LABELS, WEEKDAY_NAMES, Role, fmt_date
from app.services.journal import college_today, materialize_lessons, teacher_lessons
from app.ui import help_text
from app.ui.page import page_link, require_page
from app.ui.text import md

actor = require_page(__file__)
with Session(get_engine()) as db_session:
    today = college_today(session=db_session)
    lessons = []
    if actor.has(Role.teacher):
        # The home page is often opened first: today's timetable must be lessons before counting them.
        materialize_lessons(actor.college_id, today, session=db_session)
        lessons = teacher_lessons(actor, today, session=db_session)
    hint = help_text.show_hint(actor, st.session_state, session=db_session)

st.title(f"Здравствуйте, {md(actor.full_name)}")
st.caption(f"Сегодня {WEEKDAY_NAMES[today.weekday()].lower()}, {fmt_date(today)}")
st.write("Ваши роли: " + ", ".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=list(Role).index)) + ".")
if hint:
    st.info(
        "Впервые в электронном журнале? В «Справке» — что и когда делать в вашей роли, по пунктам Положения."
    )
    page_link(actor, "help")

if actor.has(Role.teacher):
    empty = sum(1 for lesson in lessons if not lesson.topic)
    col1, col2 = st.columns(2)
    col1.metric("Занятий сегодня", len(lessons))
    col2.metric("Ещё не заполнено", empty)
    if lessons:
        page_link(actor, "journal", label="Открыть журнал")
    st.info(
        "Журнал заполняется в день занятия: тема, выполненные задания и их тип, домашнее задание, "
        "посещаемость и отметки (Положение, §4.2.1)."
    )
    waiting = my_remarks.unresolved(get_reader(), actor, today)
    if waiting and waiting["open"] + waiting["overdue"]:
        st.warning(
            f"Замечаний по журналу: открытых — {waiting['open']}, просроченных — {waiting['overdue']}. "
            "Устраните их в течение недели (§4.2.1)."
        )
        page_link(actor, "my_remarks")
page_link(actor, "completeness")
