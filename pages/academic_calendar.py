"""Учебный календарь: a year's sessions, holidays, non-teaching days and practice. The deputy
director adds and removes periods (the sessions are set on «Аттестация»); the staff read it."""

import polars as pl
import streamlit as st
from sqlmodel import Session

from app import calendar
from app.db import get_engine
from app.domain import Role, fmt_date
from app.imports.service import import_file
from app.imports.templates import template_name, template_xlsx
from app.services.journal import college_today
from app.ui.imports import XLSX, show
from app.ui.page import act, require_page, show_flash
from app.ui.widgets import table

actor = require_page(__file__)
FLASH = "calendar_flash"
ADDABLE = {k: calendar.PERIOD_LABELS[k] for k in ("holidays", "non_teaching", "practice")}


st.title("Учебный календарь")
st.caption(
    "Полугодия: с 1 сентября по 31 января и с 1 февраля по 31 августа. В каникулы и нерабочие дни занятия "
    "по расписанию не создаются и замечаний не дают; даты сессий задаёт заместитель директора на странице "
    "«Аттестация»."
)
show_flash(FLASH)

with Session(get_engine()) as db:
    today = college_today(session=db)
current = calendar.academic_year_start(today)
year = st.selectbox(
    "Учебный год",
    [current + 1, current, current - 1],
    index=1,
    format_func=lambda y: f"{y}/{y + 1}",
    key="calendar_year",
)
with Session(get_engine()) as db:
    periods = calendar.year_periods(actor.college_id, year, session=db)

table(
    pl.DataFrame(
        {
            "Период": [p.title for p in periods],
            "Вид": [calendar.PERIOD_LABELS[p.kind] for p in periods],
            "С": [p.starts_on for p in periods],
            "По": [p.ends_on for p in periods],
            "Дней": [(p.ends_on - p.starts_on).days + 1 for p in periods],
        },
        schema={"Период": pl.String, "Вид": pl.String, "С": pl.Date, "По": pl.Date, "Дней": pl.Int64},
    ),
    name=f"Учебный календарь {year}-{year + 1}",
)

if not actor.has(Role.deputy):
    st.stop()

st.subheader("Добавить период")
with st.form("calendar_add", clear_on_submit=True):
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox("Вид", list(ADDABLE), format_func=ADDABLE.__getitem__, key="calendar_kind")
    starts = c2.date_input("С", value=today, format="DD.MM.YYYY", key="calendar_starts")
    ends = c3.date_input("По", value=today, format="DD.MM.YYYY", key="calendar_ends")
    title = st.text_input(
        "Название", placeholder="зимние каникулы, учебная практика ИСП-31 …", key="calendar_title"
    )
    if st.form_submit_button("Добавить", type="primary", key="calendar_add_submit"):
        act(
            FLASH,
            f"Добавлено: {ADDABLE[kind].lower()} {fmt_date(starts)} — {fmt_date(ends)}.",
            lambda db: calendar.add_period(actor, year, kind, starts, ends, title=title, session=db),
        )

removable = {
    p.period_id: f"{p.title}: {fmt_date(p.starts_on)} — {fmt_date(p.ends_on)}" for p in periods if p.period_id
}
if removable:
    with st.form("calendar_remove"):
        pick = st.selectbox(
            "Удалить период", list(removable), format_func=removable.__getitem__, key="calendar_pick"
        )
        if st.form_submit_button("Удалить", key="calendar_remove_submit"):
            act(FLASH, "Период удалён.", lambda db: calendar.remove_period(actor, pick, session=db))

with st.expander("Загрузить календарь из файла Excel"):
    st.caption(
        "Столбцы: учебный год, вид периода (сессия, каникулы, практика, нерабочие дни), полугодие (для "
        "сессии), начало, окончание, название. Файл загружается целиком или не загружается совсем; период "
        "с тем же видом и первым днём обновляется, сессия полугодия заменяется."
    )
    st.download_button(
        "Скачать шаблон",
        data=template_xlsx("calendar"),
        file_name=template_name("calendar"),
        mime=XLSX,
        on_click="ignore",
        icon=":material/download:",
        key="calendar_template",
    )
    upload = st.file_uploader("Файл календаря (.xlsx или .csv)", type=["xlsx", "csv"], key="calendar_upload")
    if upload is not None and st.button("Загрузить календарь", type="primary", key="calendar_import"):
        with Session(get_engine()) as db, st.spinner("Проверка и загрузка…"):
            outcome = import_file(
                "calendar",
                upload.getvalue(),
                upload.name,
                session=db,
                college_id=actor.college_id,
                actor=actor,
            )
        if outcome.ok:
            st.session_state[FLASH] = outcome.summary()
            st.rerun()
        show(outcome)
