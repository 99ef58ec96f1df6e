"""Изменения расписания (the officer and the deputy director): one date's changes — a pair cancelled,
moved to another day or pair, put in another room; an extra lesson — and the permanent timetable:
a group's slots, a slot added from a day on or ended."""

from datetime import timedelta

import polars as pl
import streamlit as st
from sqlmodel import Session

from app import calendar
from app.calendar import PARITY_LABELS
from app.db import get_engine
from app.domain import PAIR_TIMES, WEEKDAY_NAMES, fmt_date
from app.services import timetable
from app.services.journal import college_today
from app.ui.page import act, require_page, show_flash
from app.ui.widgets import table

actor = require_page(__file__)
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

st.divider()
st.header("Постоянное расписание")
st.caption(
    "Пара постоянного расписания действует с одной даты по другую, каждую неделю или только по числителям "
    "(нечётные недели) или знаменателям (чётные; недели считаются от недели 1 сентября). Изменить пару в "
    "прошлом нельзя: её завершают с нужного дня и добавляют новую."
)
perm_group = st.selectbox(
    "Группа", list(options.groups), format_func=options.groups.__getitem__, key="slots_group"
)
with Session(get_engine()) as db:
    permanent = timetable.group_slots(actor, perm_group, session=db)
table(
    pl.DataFrame(
        {
            "День": [WEEKDAY_NAMES[p.weekday - 1] for p in permanent],
            "Пара": [p.pair for p in permanent],
            "Подгруппа": [str(p.subgroup) if p.subgroup else "вся группа" for p in permanent],
            "Неделя": [PARITY_LABELS[p.week_parity] for p in permanent],
            "Дисциплина": [p.subject_name for p in permanent],
            "Преподаватель": [p.teacher_name for p in permanent],
            "Аудитория": [p.room for p in permanent],
            "С": [p.valid_from for p in permanent],
            "По": [p.valid_to for p in permanent],
        },
        schema={
            "День": pl.String,
            "Пара": pl.Int64,
            "Подгруппа": pl.String,
            "Неделя": pl.String,
            "Дисциплина": pl.String,
            "Преподаватель": pl.String,
            "Аудитория": pl.String,
            "С": pl.Date,
            "По": pl.Date,
        },
    ),
    name=f"Постоянное расписание {options.groups[perm_group]}",
    empty="У группы нет действующих пар постоянного расписания.",
)

st.subheader("Добавить пару")
with st.form("slot_add"):
    c1, c2, c3 = st.columns(3)
    slot_subject = c1.selectbox(
        "Дисциплина", list(options.subjects), format_func=options.subjects.__getitem__, key="slot_subject"
    )
    slot_teacher = c2.selectbox(
        "Преподаватель", list(options.teachers), format_func=options.teachers.__getitem__, key="slot_teacher"
    )
    slot_room = c3.text_input("Аудитория", key="slot_room")
    c4, c5, c6, c7 = st.columns(4)
    slot_weekday = c4.selectbox(
        "День недели", list(range(1, 7)), format_func=lambda d: WEEKDAY_NAMES[d - 1], key="slot_weekday"
    )
    slot_pair = c5.selectbox("Пара", PAIRS, key="slot_pair")
    slot_subgroup = c6.selectbox(
        "Подгруппа", [0, 1, 2], format_func=lambda g: "вся группа" if g == 0 else str(g), key="slot_subgroup"
    )
    slot_parity = c7.selectbox(
        "Неделя", list(PARITY_LABELS), format_func=PARITY_LABELS.__getitem__, key="slot_parity"
    )
    c8, c9 = st.columns(2)
    half = calendar.Half.containing(today)
    slot_from = c8.date_input(
        "Действует с", value=today, min_value=today, format="DD.MM.YYYY", key="slot_from"
    )
    slot_to = c9.date_input(
        "Действует по", value=half.end, min_value=today, format="DD.MM.YYYY", key="slot_to"
    )
    if st.form_submit_button("Добавить пару", type="primary", key="slot_add_submit"):
        act(
            FLASH,
            f"{options.groups[perm_group]}: пара добавлена ({WEEKDAY_NAMES[slot_weekday - 1].lower()}, "
            f"{slot_pair} пара).",
            lambda db: timetable.add_slot(
                actor,
                perm_group,
                slot_subject,
                slot_teacher,
                slot_weekday,
                slot_pair,
                slot_from,
                slot_to,
                subgroup=slot_subgroup,
                week_parity=slot_parity,
                room=slot_room,
                session=db,
            ),
        )

ending = {
    p.slot_id: f"{WEEKDAY_NAMES[p.weekday - 1]}, {p.pair} пара · {p.subject_name} · {p.teacher_name}"
    + (f" (подгр. {p.subgroup})" if p.subgroup else "")
    for p in permanent
}
if ending:
    st.subheader("Завершить пару")
    with st.form("slot_end"):
        end_pick = st.selectbox("Пара", list(ending), format_func=ending.__getitem__, key="slot_end_pick")
        last_day = st.date_input(
            "Последний день", value=today, min_value=today - timedelta(days=1), format="DD.MM.YYYY",
            key="slot_end_day",
        )  # fmt: skip
        end_reason = st.text_input(
            "Причина", placeholder="приказ № …, новое расписание …", key="slot_end_reason"
        )
        if st.form_submit_button("Завершить", key="slot_end_submit"):
            act(
                FLASH,
                f"Пара завершена: последний день — {fmt_date(last_day)}.",
                lambda db: timetable.end_slot(actor, end_pick, last_day, reason=end_reason, session=db),
            )
