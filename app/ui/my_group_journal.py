"""Моя группа, the tabs of the group's journal and diary: valid reasons for absences, subgroups per
subject, announcements."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st
from sqlmodel import Session

from app.actor import Actor
from app.db import get_engine
from app.domain import fmt_date
from app.services import curator, notices, subgroups
from app.ui import my_group as ui
from app.ui.my_group import FLASH, Group, pick_student
from app.ui.page import act
from app.ui.text import md

# --------------------------------------------------------------------------- valid reasons


def valid_reasons_tab(actor: Actor, grp: Group) -> None:
    """A valid reason (справка, приказ) for a student's absences of a period."""
    if not grp.current:
        st.info("В группе нет студентов.")
    else:
        sid = pick_student(grp, "my_group_absence_student")
        span = st.date_input(
            "Пропуски за период",
            value=(grp.today - timedelta(days=30), grp.today),
            format="DD.MM.YYYY",
            max_value=grp.today,
            key="my_group_absence_span",
        )
        if not isinstance(span, tuple) or len(span) != 2:
            st.info("Выберите начало и конец периода.")
        else:
            with Session(get_engine()) as db:
                missed = curator.absences(actor, sid, span[0], span[1], session=db, only_unexcused=False)
            unexcused = {a.attendance_id: a for a in missed if a.status.value == "absent"}
            excused = [a for a in missed if a.status.value == "excused"]
            if excused:
                with st.expander(f"Уже отмечено по уважительной причине: {len(excused)}"):
                    for a in excused:
                        st.markdown(f"- {ui.absence_label(a)} — {md(a.reason_text or 'ув')}")
            if not unexcused:
                st.info("Пропусков без уважительной причины за этот период нет.")
            else:
                with st.form(f"excuse_{sid}"):
                    chosen = st.multiselect(
                        "Пропуски «н»",
                        list(unexcused),
                        format_func=lambda i: ui.absence_label(unexcused[i]),
                        placeholder="— выберите пропуски —",
                    )
                    c1, c2 = st.columns(2)
                    kind = c1.selectbox("Основание", curator.REASON_KINDS)
                    doc_date = c2.date_input(
                        "Дата документа", value=grp.today, format="DD.MM.YYYY", max_value=grp.today
                    )
                    note = st.text_input("Примечание", placeholder="например, № справки или приказа")
                    submitted = st.form_submit_button("Отметить уважительную причину", type="primary")
                st.caption(
                    "Пропуск «н» станет «ув»; отметки не меняются. Изменение записывается в журнал аудита."
                )
                if submitted:
                    act(
                        FLASH,
                        lambda count: f"Отмечено по уважительной причине: {count} пропуск(ов).",
                        lambda db: curator.excuse_absences(
                            actor, sid, list(chosen), kind or "", doc_date, note, session=db
                        ),
                    )


# --------------------------------------------------------------------------- subgroups per subject


def subgroups_tab(actor: Actor, grp: Group) -> None:
    """A student's subgroup for one subject where it differs from their own."""
    with Session(get_engine()) as db:
        split = subgroups.split_subjects(actor, grp.id, session=db)
    if not split:
        st.info("В расписании группы нет занятий по подгруппам: делить студентов не нужно.")
    else:
        subject_id = st.selectbox(
            "Дисциплина", list(split), format_func=split.__getitem__, key="my_group_split_subject"
        )
        with Session(get_engine()) as db:
            split_rows = subgroups.rows(actor, grp.id, subject_id, session=db)
        st.caption(
            "По умолчанию студент занимается в своей подгруппе из списка группы; здесь её можно изменить для "
            "одной дисциплины (например, английский — 1-я подгруппа, информатика — 2-я). Список занятия, "
            "журнал и дневник следуют этой подгруппе."
        )
        with st.form(f"my_group_split_{subject_id}"):
            picked: dict[int, int] = {}
            for r in split_rows:
                c1, c2 = st.columns([3, 2])
                c1.markdown(md(r.student_name) + ("" if r.subgroup == r.own else f" (в списке — {r.own})"))
                picked[r.student_id] = c2.radio(
                    "Подгруппа",
                    [1, 2],
                    index=r.subgroup - 1,
                    horizontal=True,
                    key=f"split_{subject_id}_{r.student_id}",
                    label_visibility="collapsed",
                )
            if st.form_submit_button("Сохранить подгруппы", type="primary"):
                act(
                    FLASH,
                    lambda count: f"«{split[subject_id]}»: подгруппа изменена у {count} студент(ов).",
                    lambda db: subgroups.set_subgroups(actor, grp.id, subject_id, picked, session=db),
                )


# --------------------------------------------------------------------------- announcements


def announcements_tab(actor: Actor, grp: Group) -> None:
    """The curator's message to the group's students and guardians: e-mailed now, in the diary and
    in the week's digest."""
    st.caption(
        "Объявление получат по эл. почте студенты и родители, у которых указан адрес и не отключены "
        "уведомления; оно будет в дневнике и в письме с итогами недели."
    )
    with st.form("announcement", clear_on_submit=True):
        title = st.text_input("Тема", max_chars=notices.MAX_TITLE, placeholder="Родительское собрание 12.12")
        body = st.text_area("Текст", max_chars=notices.MAX_BODY, height=140)
        submitted = st.form_submit_button("Отправить объявление", type="primary", icon=":material/campaign:")
    if submitted:
        act(
            FLASH,
            lambda n: f"Объявление опубликовано; писем в очереди на отправку: {n}.",
            lambda db: notices.post_announcement(actor, grp.id, title, body, session=db),
        )
    with Session(get_engine()) as db:
        posted = notices.announcements(db, grp.id)
    if not posted:
        st.info("Объявлений пока не было.")
    for a in posted:
        with st.expander(f"{fmt_date(a.day)} · {a.title}"):
            st.markdown(md(a.body))
            st.caption(a.author)
