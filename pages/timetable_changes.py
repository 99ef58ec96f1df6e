"""Изменения расписания: one date's changes (the officer and the deputy director): a pair cancelled,
moved to another day or pair, put in another room; an extra lesson."""

from datetime import timedelta

import polars as pl
import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import PAIR_TIMES, WEEKDAY_NAMES, Role, fmt_date
from app.services import timetable
from app.services.journal import college_today
from app.ui.page import act, require, show_flash
from app.ui.widgets import table

actor = require(Role.deputy, Role.officer)
FLASH = "timetable_flash"
KINDS = {"cancel": "Отменить", "move": "Перенести", "room": "Другая аудитория"}
PAIRS = list(PAIR_TIMES)


st.title("Изменения расписания")
st.caption(
    "Изменение действует на один день: постоянное расписание не меняется. Отменённое занятие уходит из "
    "журнала и не даёт замечаний; перенесённое заполняется в день, на который перенесено."
)
show_flash(FLASH)

with Session(get_engine()) as db:
    today = college_today(session=db)
day = st.date_input("Дата", value=today, min_value=today, format="DD.MM.YYYY", key="timetable_day")
st.caption(f"{WEEKDAY_NAMES[day.weekday()]}, {fmt_date(day)}")
with Session(get_engine()) as db:
    slots = timetable.day_slots(actor, day, session=db)
    options = timetable.choices(actor, session=db)

table(
    pl.DataFrame(
        {
            "Пара": [s.pair for s in slots],
            "Группа": [s.group_name + (f" (подгр. {s.subgroup})" if s.subgroup else "") for s in slots],
            "Дисциплина": [s.subject_name for s in slots],
            "Преподаватель": [s.teacher_name for s in slots],
            "Аудитория": [s.room for s in slots],
            "Изменение": [s.change for s in slots],
        },
        schema={
            "Пара": pl.Int64,
            "Группа": pl.String,
            "Дисциплина": pl.String,
            "Преподаватель": pl.String,
            "Аудитория": pl.String,
            "Изменение": pl.String,
        },
    ),
    name=f"Расписание на {fmt_date(day)}",
    empty="По постоянному расписанию в этот день занятий нет.",
)

open_slots = {s.slot_id: s.label for s in slots if not s.change}
if open_slots:
    st.subheader("Изменить пару")
    with st.form("timetable_change"):
        slot = st.selectbox(
            "Пара", list(open_slots), format_func=open_slots.__getitem__, key="timetable_slot"
        )
        kind = st.radio(
            "Что сделать", list(KINDS), format_func=KINDS.__getitem__, horizontal=True, key="timetable_kind"
        )
        c1, c2, c3 = st.columns(3)
        new_date = c1.date_input(
            "Перенести на день",
            value=day + timedelta(days=1),
            min_value=today,
            format="DD.MM.YYYY",
            key="timetable_new_date",
        )
        new_pair = c2.selectbox("на пару", PAIRS, key="timetable_new_pair")
        room = c3.text_input(
            "Аудитория", placeholder="для переноса или другой аудитории", key="timetable_room"
        )
        reason = st.text_input(
            "Причина", placeholder="приказ № …, болезнь преподавателя …", key="timetable_reason"
        )
        if st.form_submit_button("Сохранить изменение", type="primary", key="timetable_submit"):
            act(
                FLASH,
                f"{open_slots[slot]}: {timetable.KIND_LABELS[kind]}.",
                lambda db: timetable.change_slot(
                    actor,
                    slot,
                    day,
                    kind,
                    new_date=new_date,
                    new_pair=new_pair,
                    room=room,
                    reason=reason,
                    session=db,
                ),
            )

st.subheader("Дополнительное занятие")
with st.form("timetable_extra"):
    c1, c2 = st.columns(2)
    group = c1.selectbox(
        "Группа", list(options.groups), format_func=options.groups.__getitem__, key="extra_group"
    )
    subject = c2.selectbox(
        "Дисциплина", list(options.subjects), format_func=options.subjects.__getitem__, key="extra_subject"
    )
    c3, c4, c5, c6 = st.columns(4)
    teacher = c3.selectbox(
        "Преподаватель", list(options.teachers), format_func=options.teachers.__getitem__, key="extra_teacher"
    )
    pair = c4.selectbox("Пара", PAIRS, key="extra_pair")
    subgroup = c5.selectbox(
        "Подгруппа", [0, 1, 2], format_func=lambda g: "вся группа" if g == 0 else str(g), key="extra_subgroup"
    )
    extra_room = c6.text_input("Аудитория", key="extra_room")
    extra_reason = st.text_input(
        "Основание", placeholder="консультация перед экзаменом, отработка …", key="extra_reason"
    )
    if st.form_submit_button("Добавить занятие", key="extra_submit"):
        act(
            FLASH,
            f"Дополнительное занятие {fmt_date(day)}, {pair} пара, добавлено.",
            lambda db: timetable.add_extra(
                actor,
                group,
                subject,
                teacher,
                day,
                pair,
                subgroup=subgroup,
                room=extra_room,
                reason=extra_reason,
                session=db,
            ),
        )
