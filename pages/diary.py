"""Дневник: a student's week and their results over a period. Read-only.

Which diary is shown is asked of the service on every run (app.services.diary checks the reader
against the student and audits the view); the switcher only offers what the reader may open, and a
student id put in the URL by hand is refused by the service like any other.
"""

from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import fmt_date
from app.errors import DomainError
from app.services import diary, notices
from app.services.journal import college_today
from app.ui import diary as ui
from app.ui.page import require_page
from app.ui.text import md

actor = require_page(__file__)
DAY, GROUP, CHILD, PUPIL, TAB = "diary_day", "diary_group", "diary_child", "diary_pupil", "diary_tab"
WEEK_TAB, PERIOD_TAB = "Неделя", "Итоги за период"

st.title("Дневник")
with Session(get_engine()) as db:
    today = college_today(session=db)
    children = diary.children_of(actor, session=db)
    staff_groups = dict(diary.viewable_groups(actor, session=db))

param = st.query_params.get("student", "")
requested = int(param) if param.isdigit() else None


def choose(key: str) -> None:
    """The switcher's choice goes to the URL, so a reload or a shared link shows the same diary."""
    chosen = st.session_state.get(key)
    if chosen is not None:
        st.query_params["student"] = str(chosen)


selected: int | None = requested
if children and (not staff_groups or requested is None or requested in {c.id for c in children}):
    ids = [c.id for c in children]
    labels = {c.id: c.label for c in children}
    if selected is None:
        selected = ids[0]
    if len(children) > 1:
        # A guardian with several children switches between them; a student has no switcher.
        st.selectbox(
            "Ребёнок",
            ids,
            index=ids.index(selected) if selected in ids else None,
            format_func=labels.__getitem__,
            key=CHILD,
            on_change=choose,
            args=(CHILD,),
            placeholder="— выберите —",
        )
elif staff_groups:
    group_ids = list(staff_groups)
    param_group = st.query_params.get("group", "")
    default_group = int(param_group) if param_group.isdigit() and int(param_group) in staff_groups else None
    c1, c2 = st.columns(2)
    group_id = c1.selectbox(
        "Группа",
        group_ids,
        index=group_ids.index(default_group) if default_group else 0,
        format_func=staff_groups.__getitem__,
        key=GROUP,
    )
    with Session(get_engine()) as db:
        pupils = diary.group_students(actor, group_id, session=db)
    pupil_labels = {p.id: p.label for p in pupils}
    pupil_ids = list(pupil_labels)
    c2.selectbox(
        "Студент",
        pupil_ids,
        index=pupil_ids.index(selected) if selected in pupil_ids else None,
        format_func=pupil_labels.__getitem__,
        key=PUPIL,
        on_change=choose,
        args=(PUPIL,),
        placeholder="— выберите студента —",
    )
    if selected is None:
        st.info("Выберите группу и студента, чтобы открыть дневник.")
        st.stop()

if selected is None:
    st.info(
        "Дневник пока недоступен: учётная запись не связана ни с одним студентом. Обратитесь к куратору группы."
    )
    st.stop()


def forget_requested() -> None:
    st.query_params.pop("student", None)


def refused(exc: DomainError) -> None:
    """The service said no (a link or URL naming someone else's diary): say so, offer the way back."""
    st.error(exc.message)
    if requested is not None and (children or staff_groups):
        st.button("Открыть мой выбор заново", on_click=forget_requested)
    st.stop()


def shift(days: int) -> None:
    st.session_state[DAY] = st.session_state.get(DAY, today) + timedelta(days=days)


def back_to_today() -> None:
    st.session_state[DAY] = today


if DAY not in st.session_state:
    st.session_state[DAY] = today

week_tab, period_tab = st.tabs([WEEK_TAB, PERIOD_TAB], key=TAB, on_change="rerun")

if week_tab.open is not False:
    with week_tab:
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.button("◀ Пред.", on_click=shift, args=(-7,), help="Предыдущая неделя")
            st.date_input("Дата", key=DAY, format="DD.MM.YYYY", width=150)
            st.button("След. ▶", on_click=shift, args=(7,), help="Следующая неделя")
            st.button("Сегодня", on_click=back_to_today)
        try:
            with Session(get_engine()) as db:
                week = diary.week(actor, selected, st.session_state[DAY], session=db)
        except DomainError as exc:
            refused(exc)
        st.subheader(week.student.name)
        st.caption(f"{week.student.group_name} · {ui.week_title(week.monday)} · {ui.as_of_label(week.as_of)}")
        with Session(get_engine()) as db:  # the group diary.week has just allowed
            notes = notices.announcements(db, week.student.group_id, limit=3)
        if notes:
            with st.expander(f"Объявления куратора: {notes[0].title} ({fmt_date(notes[0].day)})"):
                for note in notes:
                    st.markdown(f"**{fmt_date(note.day)} · {md(note.title)}**  \n{md(note.body)}")
        for day in week.days:
            with st.container(border=True, key=f"day_{day.day:%Y%m%d}" + ("_today" if day.is_today else "")):
                st.markdown(ui.day_title(day))
                if not day.lessons:
                    st.caption("Занятий нет")
                for lesson in day.lessons:
                    st.markdown(ui.lesson_markdown(lesson))

if period_tab.open:
    with period_tab:
        kind = st.radio(
            "Период",
            ["Текущий семестр", "Текущий месяц", "Выбрать даты"],
            horizontal=True,
            key="diary_period_kind",
        )
        start, end = None, None  # the service takes the student's current semester
        if kind == "Текущий месяц":
            start, end = today.replace(day=1), today
        elif kind == "Выбрать даты":
            picked = st.date_input(
                "С … по …",
                value=(today - timedelta(days=30), today),
                format="DD.MM.YYYY",
                key="diary_period_range",
            )
            if not isinstance(picked, tuple) or len(picked) != 2:
                st.info("Выберите начало и конец периода.")
                st.stop()
            start, end = picked[0], picked[1]
        try:
            with Session(get_engine()) as db:
                result = diary.period(actor, selected, start, end, session=db)
        except DomainError as exc:
            refused(exc)
        st.subheader(result.student.name)
        st.caption(f"{result.student.group_name} · {ui.as_of_label(result.as_of)}")
        st.markdown(ui.period_summary(result))
        if not result.subjects:
            st.info("За выбранный период занятий и отметок нет.")
        for summary in result.subjects:
            with st.container(border=True):
                st.markdown(ui.subject_markdown(summary))
