"""Журнал группы: one group × subject × month as a paper journal's spread. Read only.

What the user may open is asked of app.services.journal_grid on every run (it checks the actor
against the group and subject again, whatever the selectors offered).
"""

import streamlit as st
from sqlmodel import Session

from app.db import get_engine
from app.domain import ATTENDANCE_LABELS, ATTENDANCE_TITLES, AttendanceStatus, fmt_date
from app.errors import DomainError
from app.exports.xlsx import to_xlsx, visible
from app.services import journal_grid as jg
from app.services.journal import college_today
from app.ui.page import require_page
from app.ui.widgets import XLSX, download, url_index

actor = require_page(__file__)
st.title("Журнал группы")

try:
    with Session(get_engine()) as db:
        today = college_today(session=db)
        groups = {g.id: g.name for g in jg.groups_for(actor, session=db)}
except DomainError as exc:
    st.error(exc.message)
    st.stop()
if not groups:
    st.info("За вами пока не закреплены группы и дисциплины: журналов для просмотра нет.")
    st.stop()

months = jg.recent_months(today)
c1, c2, c3 = st.columns([1, 2, 1])
group_ids = list(groups)
group_id = c1.selectbox(
    "Группа",
    group_ids,
    index=url_index("group", group_ids),
    format_func=groups.__getitem__,
    key="grid_group",
)
try:
    with Session(get_engine()) as db:
        subjects = {s.id: s.label for s in jg.subjects_for(actor, group_id, session=db)}
except DomainError as exc:
    st.error(exc.message)
    st.stop()
if not subjects:
    st.info("В учебном плане группы пока нет дисциплин.")
    st.stop()
subject_ids = list(subjects)
subject_id = c2.selectbox(
    "Дисциплина",
    subject_ids,
    index=url_index("subject", subject_ids),
    format_func=subjects.__getitem__,
    key=f"grid_subject_{group_id}",
)
month = c3.selectbox("Месяц", months, index=0, format_func=jg.month_label, key="grid_month")
start, end = jg.month_bounds(month)

try:
    with Session(get_engine()) as db:
        grid = jg.build_grid(actor, group_id, subject_id, start, end, session=db)
except DomainError as exc:
    st.error(exc.message)
    st.stop()

st.caption(
    f"{grid.group_name} · {grid.subject_label} · {fmt_date(grid.start)} — {fmt_date(grid.end)} · "
    f"{grid.semester}-й семестр, {grid.attestation.lower()} · данные на {grid.as_of:%d.%m.%Y %H:%M}"
)
if not grid.lessons:
    st.info("За выбранный месяц занятий нет.")
    st.stop()

grid_table = jg.grid_frame(grid)
lesson_table = jg.lessons_frame(grid)
marks_table = jg.marks_frame(grid)

columns = {
    jg.COL_N: st.column_config.NumberColumn(width="small", pinned=True),
    jg.COL_NAME: st.column_config.TextColumn(pinned=True),
    jg.COL_AVERAGE: st.column_config.TextColumn(help="Среднее текущих отметок 5, 4, 3, 2 за месяц"),
    jg.COL_MISSED: st.column_config.NumberColumn(help="Часы занятий, отмеченных «н» и «ув»"),
    jg.COL_SEMESTER: st.column_config.TextColumn(
        help=f"{grid.attestation} за {grid.semester}-й семестр (с учётом исправлений)"
    ),
}
for lesson in grid.lessons:
    columns[lesson.column] = st.column_config.TextColumn(help=lesson.help, width="small")

left, right = st.columns([3, 2])
with left:
    st.subheader("Отметки и посещаемость")
    st.dataframe(visible(grid_table), hide_index=True, width="stretch", column_config=columns)
    marks_said = "; ".join(f"«{ATTENDANCE_LABELS[a]}» — {ATTENDANCE_TITLES[a]}" for a in AttendanceStatus)
    st.caption(
        f"Занятий: {len(grid.lessons)}, часов: {grid.hours}. {marks_said}; «5/4» — две отметки за занятие; "
        f"«{jg.NOT_ON_LIST}» — студент не в списке занятия. Вид работы отметок — при наведении на дату "
        "и в таблице «Отметки» ниже."
    )
with right:
    st.subheader("Занятия")
    st.dataframe(visible(lesson_table), hide_index=True, width="stretch")

with st.expander("Отметки: вид работы, за что, исправления"):
    if marks_table.height:
        st.dataframe(marks_table, hide_index=True, width="stretch")
    else:
        st.caption("За выбранный месяц отметок нет.")
    st.dataframe(jg.legend_frame(), hide_index=True)

name = f"Журнал {grid.group_name} {grid.subject_code} {month:%m.%Y}"
download(
    "Скачать в Excel",
    data=to_xlsx(
        {
            "Журнал": grid_table,
            "Занятия": lesson_table,
            "Отметки": marks_table,
            "Обозначения": jg.legend_frame(),
        },
        title=jg.title(grid),
    ),
    file_name=f"{name}.xlsx",
    mime=XLSX,
    key="grid_xlsx",
)
