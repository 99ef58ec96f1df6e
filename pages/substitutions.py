"""Замены: the deputy director or the journal officer gives an absent teacher's lessons to colleagues."""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import WEEKDAY_NAMES, Role, fmt_date
from app.errors import DomainError
from app.services.journal import college_today
from app.services.substitutions import (
    SubstitutionRow,
    assign_substitute,
    cancel_substitute,
    free_teachers,
    list_lessons_for_substitution,
    teachers_of_day,
)
from app.ui.journal import pair_label
from app.ui.page import require_page
from app.ui.text import md

actor = require_page(__file__)
FLASH = "substitutions_flash"


def lesson_title(row: SubstitutionRow) -> str:
    sub = f" (подгр. {row.subgroup})" if row.subgroup else ""
    return f"{pair_label(row.pair_number)} · {row.group_name}{sub} · {row.subject_name}"


with Session(get_engine()) as db:
    today = college_today(session=db)
st.title("Замены")
st.caption(
    "Замещающий преподаватель видит занятие в своём «Журнале» и заполняет его в день занятия по тем же "
    "правилам. Замену на прошедшее незаполненное занятие назначает только заместитель директора; "
    "прошедшая замена не отменяется."
)
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)

day = st.date_input("Дата занятий", value=today, format="DD.MM.YYYY", key="substitutions_day")
past = day < today
# A past lesson nobody filled may still be given to a substitute, by the deputy, with a reason.
editable = not past or actor.has(Role.deputy)
st.caption(f"{WEEKDAY_NAMES[day.weekday()]}, {fmt_date(day)}" + (" — сегодня" if day == today else ""))
if past and editable:
    st.info(
        "Прошедший день: замену на незаполненное занятие назначает заместитель директора с письменной "
        "причиной; замещающий заполнит журнал с отметкой «заполнено с опозданием». Отменить замену нельзя."
    )
elif past:
    st.info("Прошедший день: замены показаны для истории и не изменяются.")

with Session(get_engine()) as db:
    teachers = {t.id: t.name for t in teachers_of_day(actor, day, session=db)}
    day_substitutions = list_lessons_for_substitution(actor, day, substituted_only=True, session=db)

st.subheader("Назначить замену")
if not teachers:
    st.info("На выбранный день занятий нет.")
else:
    absent = st.selectbox(
        "Отсутствующий преподаватель",
        list(teachers),
        format_func=teachers.__getitem__,
        index=None,
        placeholder="— выберите преподавателя —",
        key=f"substitutions_absent_{day}",
    )
    if absent is not None:
        with Session(get_engine()) as db:
            lessons = list_lessons_for_substitution(actor, day, teacher_id=absent, session=db)
            free = {
                row.lesson_id: {t.id: t.name for t in free_teachers(actor, row.lesson_id, session=db)}
                for row in lessons
                if editable and not row.filled
            }
        for row in lessons:
            with st.container(border=True):
                st.markdown(f"**{md(lesson_title(row))}**")
                if row.substitute_name:
                    st.caption(f"Замещает: {md(row.substitute_name)}")
                if not editable:
                    continue
                if row.filled:
                    st.caption("Журнал занятия уже заполняется: замену изменить нельзя.")
                    continue
                options = free[row.lesson_id]
                if not options:
                    st.warning("На эту пару свободных преподавателей нет.")
                    continue
                with st.form(f"substitute_form_{row.lesson_id}"):
                    c1, c2 = st.columns(2)
                    chosen = c1.selectbox(
                        "Замещающий преподаватель",
                        list(options),
                        format_func=options.__getitem__,
                        index=None,
                        placeholder="— свободные на эту пару —",
                        key=f"substitute_who_{row.lesson_id}",
                    )
                    reason = c2.text_input(
                        "Причина замены",
                        placeholder="больничный лист, командировка …",
                        key=f"substitute_reason_{row.lesson_id}",
                    )
                    sent = st.form_submit_button("Назначить замену", key=f"substitute_submit_{row.lesson_id}")
                if sent:
                    if chosen is None:
                        st.error("Выберите замещающего преподавателя.")
                    else:
                        try:
                            with Session(get_engine()) as db:
                                assign_substitute(actor, row.lesson_id, chosen, reason, session=db)
                        except DomainError as exc:
                            st.error(exc.message)
                        else:
                            st.session_state[FLASH] = (
                                f"Замена назначена: {md(lesson_title(row))} — {md(options[chosen])}."
                            )
                            st.rerun()

st.subheader("Замены на день")
if not day_substitutions:
    st.info("На выбранный день замен нет.")
for row in day_substitutions:
    c1, c2 = st.columns([5, 1], vertical_alignment="center")
    c1.markdown(f"{md(lesson_title(row))}: {md(row.teacher_name)} → **{md(row.substitute_name)}**")
    if c2.button(
        "Отменить",
        key=f"substitute_cancel_{row.lesson_id}",
        disabled=past or row.filled,
        help="Вернуть занятие преподавателю по расписанию",
    ):
        try:
            with Session(get_engine()) as db:
                cancel_substitute(actor, row.lesson_id, session=db)
        except DomainError as exc:
            st.error(exc.message)
        else:
            st.session_state[FLASH] = (
                f"Замена отменена: {md(lesson_title(row))} — ведёт {md(row.teacher_name)}."
            )
            st.rerun()
